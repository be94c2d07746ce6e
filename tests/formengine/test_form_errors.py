import re
from pathlib import Path

import pytest

from formengine import DefinitionCode, DefinitionError, FieldError, ValueCode

README = Path(__file__).resolve().parents[2] / "formengine/README.md"


@pytest.mark.parametrize("code", [*DefinitionCode, *ValueCode], ids=str)
def test_every_error_code_is_documented(code):
    assert f"| `{code}` |" in README.read_text(encoding="utf-8")


def test_documented_codes_all_exist():
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", README.read_text(), flags=re.MULTILINE))
    assert documented == {*DefinitionCode, *ValueCode}


def test_an_error_reads_as_path_code_message():
    error = FieldError("siblings[uid=a1][0].sibling_age", ValueCode.BELOW_MINIMUM, "too low")
    assert str(error) == "siblings[uid=a1][0].sibling_age: BELOW_MINIMUM: too low"


def test_an_error_serialises_to_plain_strings():
    error = DefinitionError("$[0].fields[1].type", DefinitionCode.UNKNOWN_FIELD_TYPE, "bad")
    assert error.to_dict() == {
        "path": "$[0].fields[1].type",
        "code": "UNKNOWN_FIELD_TYPE",
        "message": "bad",
    }
