import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.formengine.conftest import BASIC_IDENTITY, LOOKUPS_JSON, PROTECTION_CONCERNS

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "formengine", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def write(tmp_path):
    def write(name: str, content: object) -> str:
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        return str(path)

    return write


def test_check_accepts_a_valid_form_set(write):
    identity = write("identity.json", BASIC_IDENTITY)
    concerns = write("concerns.json", [PROTECTION_CONCERNS])

    result = _run("check", identity, concerns)

    assert (result.returncode, result.stdout) == (0, "")


def test_check_prints_each_error_with_file_path_and_code(write):
    broken = json.loads(json.dumps(PROTECTION_CONCERNS))
    broken["fields"][0]["type"] = "colour"
    identity = write("identity.json", BASIC_IDENTITY)
    concerns = write(
        "concerns.json",
        [{"key": "notes", "record_type": "case", "label": {"en": "Notes"}, "fields": []}, broken],
    )

    result = _run("check", identity, concerns)

    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{concerns}: $[1].fields[0].type: UNKNOWN_FIELD_TYPE: unknown field type 'colour'; "
        "known types: text, textarea, integer, decimal, boolean, date, datetime, select, "
        "multi_select, radio, tally, location, user, phone, photo, audio, document, signature, "
        "subform, separator, calculated"
    ]


def test_check_finds_a_field_shared_across_files_defined_differently(write):
    identity = write("identity.json", BASIC_IDENTITY)
    other = write(
        "other.json",
        {
            "key": "other",
            "record_type": "case",
            "label": {"en": "O"},
            "fields": [{"name": "age", "type": "integer"}],
        },
    )

    result = _run("check", identity, other)

    assert result.returncode == 1
    assert result.stdout.startswith(f"{other}: $.fields[0].min: SHARED_FIELD_MISMATCH: ")
    assert "also on form 'basic_identity'" in result.stdout


def test_check_reports_invalid_json(write):
    path = write("broken.json", '{"key": ')
    result = _run("check", path)
    assert result.returncode == 1
    assert result.stdout.startswith(f"{path}: $: INVALID_JSON: ")


def test_check_reports_a_missing_file(tmp_path):
    path = str(tmp_path / "missing.json")
    result = _run("check", path)
    assert result.returncode == 1
    assert result.stdout.startswith(f"{path}: $: UNREADABLE_FILE: ")


def test_check_verifies_lookups_when_given_them(write):
    identity = write("identity.json", BASIC_IDENTITY)
    lookups = write("lookups.json", {"sex": LOOKUPS_JSON["sex"]})

    result = _run("check", "--lookups", lookups, identity)

    assert result.returncode == 1
    assert result.stdout == (
        f"{identity}: $.fields[5].options.lookup: UNKNOWN_LOOKUP: no lookup 'disability_type'\n"
    )


def test_check_without_lookups_says_they_were_not_checked(write):
    result = _run("check", write("identity.json", BASIC_IDENTITY))
    assert result.returncode == 0
    assert "lookups not checked" in result.stderr


def test_check_rejects_a_type_change_against_published_versions(write):
    published = write("published.json", BASIC_IDENTITY)
    candidate = json.loads(json.dumps(BASIC_IDENTITY))
    candidate["fields"][3]["type"] = "text"

    result = _run("check", "--published", published, write("identity.json", candidate))

    assert result.returncode == 1
    assert ": $.fields[3].type: FIELD_TYPE_CHANGED: field 'age' was published as integer" in (
        result.stdout
    )


def test_schema_prints_the_json_schema():
    result = _run("schema")
    assert result.returncode == 0
    assert json.loads(result.stdout)["title"] == "Form definition"


def test_a_missing_command_is_a_usage_error():
    assert _run().returncode == 2
