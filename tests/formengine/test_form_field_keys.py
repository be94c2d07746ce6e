"""Field keys of a real deployment: read_only, default, hidden, precision, shared fields,
option ids and reserved names, and lookups checked alike by the CLI and the server."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from typing import Any

import pytest

from formengine import (
    DefaultContext,
    apply_defaults,
    build_record_schema,
    check_compatibility,
    parse_lookups,
    resolve_defaults,
    validate_form_set,
    validate_lookup,
    validate_record,
)

TODAY = dt.date(2024, 5, 1)
NOW = dt.datetime(2024, 5, 1, 10, 30, tzinfo=dt.UTC)
CONTEXT = DefaultContext(today=TODAY, now=NOW, user="amina", agency="unicef")


def _form(*fields: dict[str, Any], key: str = "extra") -> dict[str, Any]:
    return {"key": key, "record_type": "case", "label": {"en": key}, "fields": list(fields)}


def _codes(*forms: dict[str, Any], lookups: Any = None) -> set[tuple[str, str]]:
    return {(e.path, e.code) for e in validate_form_set(list(forms), lookups)}


COLOUR = {"name": "colour", "type": "select", "options": [{"id": "dark-red", "label": {"en": "R"}}]}


def test_read_only_hidden_and_typed_defaults_are_accepted() -> None:
    form = _form(
        {"name": "registered_on", "type": "date", "default": "today", "read_only": True},
        {"name": "registered_at", "type": "datetime", "default": "now"},
        {"name": "registered_by", "type": "user", "default": "current_user", "hidden": True},
        {"name": "agency_code", "type": "text", "default": "current_agency", "read_only": True},
        {**COLOUR, "default": "dark-red"},
        {"name": "score", "type": "decimal", "precision": 2, "default": 1.25, "max": 5},
        {"name": "count", "type": "integer", "default": 3},
        {"name": "consent", "type": "boolean", "default": False},
        {"name": "note", "type": "separator", "hidden": True},
        {
            "name": "needs",
            "type": "multi_select",
            "options": [{"id": "food", "label": {"en": "Food"}}],
            "default": ["food"],
        },
    )

    assert validate_form_set([form]) == []


@pytest.mark.parametrize(
    "field",
    [
        {**COLOUR, "default": "blue"},  # not an option
        {"name": "d", "type": "date", "default": "01/05/2024"},
        {"name": "d", "type": "date", "default": "now"},  # now is for datetimes
        {"name": "d", "type": "date", "not_future": True, "default": "2999-01-01"},
        {"name": "n", "type": "integer", "max": 2, "default": 3},
        {"name": "n", "type": "integer", "default": 3.0},  # not in stored form
        {"name": "n", "type": "integer", "default": "3"},
        {"name": "x", "type": "decimal", "precision": 1, "default": 1.25},
        {"name": "b", "type": "boolean", "default": "yes"},
        {"name": "u", "type": "user", "default": "current_agency"},
        {"name": "t", "type": "text", "default": None},
        {"name": "t", "type": "text", "max_length": 3, "default": "four"},
    ],
    ids=lambda field: json.dumps(field.get("default")),
)
def test_a_default_the_field_would_refuse_is_a_definition_error(field: dict[str, Any]) -> None:
    (error,) = validate_form_set([_form(field)])

    assert (error.path, error.code) == ("$[0].fields[0].default", "INVALID_DEFAULT")
    assert f"field '{field['name']}'" in error.message


def test_a_default_from_a_lookup_is_checked_against_it_when_lookups_are_known() -> None:
    field = {"name": "sex", "type": "select", "options": {"lookup": "sex"}, "default": "x"}
    lookups = parse_lookups({"sex": [{"id": "female", "label": {"en": "F"}}]})

    assert _codes(_form(field), lookups=lookups) == {("$[0].fields[0].default", "INVALID_DEFAULT")}
    assert _codes(_form({**field, "default": "female"}), lookups=lookups) == set()
    assert _codes(_form(field)) == set()  # lookups unknown: not checked


def test_defaults_do_not_apply_to_subforms_attachments_or_calculations() -> None:
    form = _form(
        {"name": "s", "type": "subform", "fields": [{"name": "a", "type": "text"}], "default": []}
    )

    assert _codes(form) == {("$[0].fields[0].default", "PROPERTY_NOT_APPLICABLE")}


def test_read_only_and_hidden_are_true_or_false() -> None:
    form = _form({"name": "a", "type": "text", "read_only": "yes", "hidden": 1})

    assert _codes(form) == {
        ("$[0].fields[0].read_only", "INVALID_PROPERTY_VALUE"),
        ("$[0].fields[0].hidden", "INVALID_PROPERTY_VALUE"),
    }


def _defaults_schema() -> Any:
    return build_record_schema(
        [
            _form(
                {"name": "registered_on", "type": "date", "default": "today", "read_only": True},
                {"name": "registered_by", "type": "user", "default": "current_user"},
                {"name": "agency_code", "type": "text", "default": "current_agency"},
                {"name": "count", "type": "integer", "default": 3},
                {
                    "name": "visits",
                    "type": "subform",
                    "fields": [
                        {"name": "place", "type": "text"},
                        {"name": "visited_on", "type": "date", "default": "today"},
                    ],
                },
            )
        ]
    )


def test_defaults_fill_a_new_record_and_new_entries_but_not_what_the_write_names() -> None:
    schema = _defaults_schema()
    defaults = resolve_defaults(schema.current_fields, CONTEXT)

    patch = apply_defaults(
        schema.current_fields, {"count": None, "visits": [{"place": "camp"}]}, defaults
    )
    result = validate_record(schema, {}, patch, today=TODAY, now=NOW, new_uid=lambda: "e1")

    assert result.data == {
        "registered_on": "2024-05-01",
        "registered_by": "amina",
        "agency_code": "unicef",
        "visits": [{"uid": "e1", "place": "camp", "visited_on": "2024-05-01"}],
    }


def test_a_select_of_agencies_or_users_defaults_to_the_writers_own() -> None:
    form = _form(
        {
            "name": "registered_by_agency",
            "type": "select",
            "options": {"source": "agencies"},
            "default": "current_agency",
            "read_only": True,
        },
        {"name": "caseworker", "type": "radio", "options": {"source": "users"}},
    )
    form["fields"][1]["default"] = "current_user"
    schema = build_record_schema([form])

    defaults = resolve_defaults(schema.current_fields, CONTEXT)
    result = validate_record(schema, {}, apply_defaults(schema.current_fields, {}, defaults))

    assert validate_form_set([form]) == []
    assert result.data == {"registered_by_agency": "unicef", "caseworker": "amina"}
    # from another source the word is a plain value (here, a username)
    form["fields"][1]["default"] = "current_agency"
    assert build_record_schema([form]).current_fields[1].dynamic_default is None


def test_an_update_fills_only_the_entries_it_adds() -> None:
    schema = _defaults_schema()
    defaults = resolve_defaults(schema.current_fields, CONTEXT)
    stored = {"count": 1, "visits": [{"uid": "old", "place": "home"}]}

    patch = apply_defaults(
        schema.current_fields,
        {"visits": [{"uid": "old"}, {"uid": "offline1", "place": "school"}]},
        defaults,
        stored,
    )

    assert patch == {
        "visits": [
            {"uid": "old"},
            {"uid": "offline1", "place": "school", "visited_on": "2024-05-01"},
        ]
    }


def test_a_dynamic_default_without_a_value_leaves_the_field_empty() -> None:
    schema = _defaults_schema()

    defaults = resolve_defaults(schema.current_fields, DefaultContext(TODAY, NOW))

    assert ("agency_code",) not in defaults
    assert defaults[("count",)] == 3


def test_precision_limits_the_digits_after_the_decimal_point() -> None:
    schema = build_record_schema([_form({"name": "w", "type": "decimal", "precision": 2})])

    ok = validate_record(schema, {}, {"w": "12.50"})
    refused = validate_record(schema, {}, {"w": 12.505})

    assert ok.data == {"w": 12.5}
    assert [(e.path, e.code) for e in refused.errors] == [("w", "TOO_MANY_DECIMALS")]


@pytest.mark.parametrize("precision", [-1, 11, 1.5, True, "2"])
def test_precision_is_a_small_whole_number(precision: Any) -> None:
    form = _form({"name": "w", "type": "decimal", "precision": precision})

    assert _codes(form) == {("$[0].fields[0].precision", "INVALID_PROPERTY_VALUE")}


def test_precision_applies_to_decimals_only() -> None:
    form = _form({"name": "n", "type": "integer", "precision": 2})

    assert _codes(form) == {("$[0].fields[0].precision", "PROPERTY_NOT_APPLICABLE")}


@pytest.mark.parametrize("option_id", ["dark-red", "v1.2", "_other", "a:b", "x" * 200, "9"])
def test_option_ids_take_letters_digits_and_separators(option_id: str) -> None:
    form = _form({**COLOUR, "options": [{"id": option_id, "label": {"en": "O"}}]})
    schema = build_record_schema([form])

    assert validate_form_set([form]) == []
    assert validate_record(schema, {}, {"colour": option_id}).data == {"colour": option_id}


@pytest.mark.parametrize("option_id", ["x" * 201, "a b", "é", ""])
def test_other_option_ids_are_refused(option_id: str) -> None:
    form = _form({**COLOUR, "options": [{"id": option_id, "label": {"en": "O"}}]})

    assert _codes(form) == {("$[0].fields[0].options[0].id", "INVALID_OPTION_ID")}


def test_record_field_names_are_free_inside_subform_entries_but_uid_is_not() -> None:
    form = _form(
        {
            "name": "services",
            "type": "subform",
            "fields": [
                {"name": "status", "type": "text"},
                {"name": "owner", "type": "text"},
                {"name": "uid", "type": "text"},
            ],
        },
        {"name": "status", "type": "text"},
    )

    assert _codes(form) == {
        ("$[0].fields[0].fields[2].name", "RESERVED_FIELD_NAME"),
        ("$[0].fields[1].name", "RESERVED_FIELD_NAME"),
    }


SHARED = {
    "name": "registration_date",
    "type": "date",
    "label": {"en": "Registered"},
    "not_future": True,
}


def test_a_field_defined_alike_on_two_forms_is_one_field() -> None:
    first = _form(SHARED, {"name": "a", "type": "text"}, key="first")
    second = _form({**SHARED, "label": {"en": "Date"}, "hidden": True}, key="second")

    schema = build_record_schema([first, second])

    assert validate_form_set([first, second]) == []
    assert [f.name for f in schema.current_fields] == ["registration_date", "a"]
    assert [f.hidden for form in schema.forms for f in form.fields][::2] == [False, True]


def test_a_shared_subform_must_agree_on_its_entry_fields() -> None:
    subform = {"name": "s", "type": "subform", "fields": [{"name": "a", "type": "text"}]}
    other = {**subform, "fields": [{"name": "a", "type": "integer"}]}

    (error,) = validate_form_set([_form(subform, key="one"), _form(other, key="two")])

    assert (error.path, error.code) == ("$[1].fields[0].fields", "SHARED_FIELD_MISMATCH")
    assert "form 'one'" in error.message


def test_a_shared_field_disagreeing_on_options_names_both_forms() -> None:
    other = {**COLOUR, "options": [{"id": "blue", "label": {"en": "B"}}]}

    (error,) = validate_form_set([_form(COLOUR, key="one"), _form(other, key="two")])

    assert (error.path, error.code) == ("$[1].fields[0].options", "SHARED_FIELD_MISMATCH")
    assert "also on form 'one' ($[0].fields[0])" in error.message


def test_compatibility_checks_every_form_that_holds_a_shared_field() -> None:
    published = [_form(SHARED, key="first"), _form(SHARED, key="second")]
    changed = {**SHARED, "type": "datetime"}

    errors = check_compatibility(
        [_form(SHARED, key="first"), _form(changed, key="second")], published
    )

    assert [(e.path, e.code) for e in errors] == [("$[1].fields[0].type", "FIELD_TYPE_CHANGED")]


def test_a_lookup_is_a_list_of_options_that_may_be_disabled() -> None:
    assert validate_lookup([{"id": "a-1", "label": {"en": "A"}, "disabled": True}]) == []
    assert [(e.path, e.code) for e in validate_lookup({"id": "a"})] == [
        ("$", "INVALID_PROPERTY_VALUE")
    ]
    assert [(e.path, e.code) for e in validate_lookup([{"id": "a b", "label": {"en": "A"}}])] == [
        ("$[0].id", "INVALID_OPTION_ID")
    ]


def test_the_cli_checks_lookups_as_the_server_does(tmp_path: Any) -> None:
    form = tmp_path / "form.json"
    form.write_text(
        json.dumps(_form({"name": "sex", "type": "select", "options": {"lookup": "sex"}}))
    )
    lookups = tmp_path / "lookups.json"
    lookups.write_text(
        json.dumps(
            {
                "sex": [{"id": "female", "label": {"en": "F"}}, {"id": "f emale", "label": {}}],
                "Bad Key": [],
            }
        )
    )

    run = subprocess.run(
        [sys.executable, "-m", "formengine", "check", "--lookups", str(lookups), str(form)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert run.returncode == 1
    lines = {line.split(": ", 3)[1:3].__repr__() for line in run.stdout.splitlines()}
    assert lines == {
        repr(["$.sex[1].id", "INVALID_OPTION_ID"]),
        repr(["$.sex[1].label", "INVALID_LOCALIZED_TEXT"]),
        repr(["$.Bad Key", "INVALID_LOOKUP_KEY"]),
        repr(["$.Bad Key", "MISSING_OPTIONS"]),
    }
