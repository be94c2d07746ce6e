import copy
import json
from pathlib import Path

import pytest

from formengine import FIELD_TYPES, form_definition_json_schema, render_json_schema
from formengine.json_schema import REGENERATE_COMMAND
from tests.formengine.json_schema_subset import is_valid

COMMITTED = Path(__file__).resolve().parents[2] / "frontend_contract/form-definition.schema.json"


def test_the_committed_json_schema_is_up_to_date():
    assert COMMITTED.exists(), f"missing {COMMITTED}; generate it with `{REGENERATE_COMMAND}`"
    assert COMMITTED.read_text(encoding="utf-8") == render_json_schema(), (
        f"frontend_contract/form-definition.schema.json is stale; run `{REGENERATE_COMMAND}`"
    )


def test_the_schema_lists_every_field_type():
    schema = form_definition_json_schema()
    assert schema["$defs"]["field"]["properties"]["type"]["enum"] == list(FIELD_TYPES)


def test_the_schema_is_plain_json():
    schema = form_definition_json_schema()
    assert json.loads(json.dumps(schema)) == schema


def test_the_design_example_satisfies_the_schema(basic_identity, protection_concerns):
    schema = form_definition_json_schema()
    assert is_valid(basic_identity, schema, schema)
    assert is_valid(protection_concerns, schema, schema)


@pytest.mark.parametrize(
    "break_it",
    [
        lambda f: f["fields"][0].update(type="colour"),
        lambda f: f["fields"][0].update(name="First Name"),
        lambda f: f["fields"][1].pop("options"),
        lambda f: f["fields"][0].update(min=3),
        lambda f: f["fields"][5].update(visible_if={"equals": ["has_disability", True]}),
        lambda f: f["fields"][0].update(label="First name"),
        lambda f: f.pop("record_type"),
    ],
)
def test_the_schema_rejects_broken_forms(basic_identity, break_it):
    schema = form_definition_json_schema()
    broken = copy.deepcopy(basic_identity)
    break_it(broken)
    assert not is_valid(broken, schema, schema)
