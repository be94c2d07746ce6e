import datetime as dt
import itertools
from typing import Any

import pytest

from formengine import build_record_schema, validate_record

TODAY = dt.date(2024, 6, 1)
NOW = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)


def _uids():
    counter = itertools.count(1)
    return lambda: f"uid{next(counter)}"


def _validate(schema, current: dict[str, Any], patch: dict[str, Any], **kwargs: Any):
    return validate_record(schema, current, patch, today=TODAY, now=NOW, new_uid=_uids(), **kwargs)


def _form(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"key": "extra", "record_type": "case", "label": {"en": "Extra"}, "fields": list(fields)}


def _codes(result) -> set[tuple[str, str]]:
    return {(error.path, error.code) for error in result.errors}


VALID = {"name_first": "Amina"}


def test_a_valid_write_has_no_errors_and_merged_data(case_schema):
    result = _validate(case_schema, {"name_first": "Amina", "age": 9}, {"sex": "female"})

    assert result.ok
    assert result.data == {"name_first": "Amina", "age": 9, "sex": "female"}


def test_keys_absent_from_the_patch_are_unchanged(case_schema):
    result = _validate(case_schema, {"name_first": "Amina", "age": 9}, {"age": 10})
    assert result.data == {"name_first": "Amina", "age": 10}


def test_null_clears_a_value(case_schema):
    result = _validate(case_schema, {"name_first": "Amina", "age": 9}, {"age": None})
    assert result.data == {"name_first": "Amina"}
    assert result.changes == {"age": (9, None)}


def test_all_errors_come_back_at_once(case_schema):
    result = _validate(case_schema, {}, {"age": "nine", "sex": "other", "date_of_birth": "1/2/20"})
    assert _codes(result) == {
        ("age", "INVALID_INTEGER"),
        ("sex", "UNKNOWN_OPTION"),
        ("date_of_birth", "INVALID_DATE"),
        ("name_first", "FIELD_REQUIRED"),
    }


def test_an_unknown_field_is_an_error(case_schema):
    assert _codes(_validate(case_schema, VALID, {"favourite_colour": "blue"})) == {
        ("favourite_colour", "UNKNOWN_FIELD")
    }


def test_stored_values_of_unknown_fields_are_kept_untouched(case_schema):
    current = {**VALID, "legacy_field": {"any": "shape"}}
    result = _validate(case_schema, current, {"age": 3})
    assert result.ok
    assert result.data["legacy_field"] == {"any": "shape"}


def test_writing_a_calculated_field_is_an_error(case_schema):
    result = _validate(case_schema, VALID, {"age_years": 12})
    assert _codes(result) == {("age_years", "CALCULATED_FIELD_READ_ONLY")}


def test_echoing_a_calculated_value_is_not_a_write(case_schema):
    current = _validate(case_schema, {}, {**VALID, "date_of_birth": "2014-01-01"}).data
    assert _validate(case_schema, current, dict(current)).ok


def test_calculated_values_are_computed_by_the_server(case_schema):
    result = _validate(
        case_schema,
        VALID,
        {
            "date_of_birth": "2014-06-02",
            "siblings": [
                {"sibling_name": "Omar", "sibling_age": 4},
                {"sibling_name": "Sara", "sibling_age": 7},
                {"sibling_name": "Ali"},
            ],
        },
    )
    assert (result.data["age_years"], result.data["siblings_count"]) == (9, 3)
    assert result.data["siblings_age_total"] == 11


def test_a_calculation_without_inputs_stores_no_value(case_schema):
    result = _validate(case_schema, {**VALID, "age_years": 5}, {"date_of_birth": None})
    assert "age_years" not in result.data


def test_required_applies_to_a_visible_field(case_schema):
    result = _validate(case_schema, VALID, {"has_disability": True})
    assert _codes(result) == {("disability_type", "FIELD_REQUIRED")}


def test_required_does_not_apply_to_a_hidden_field(case_schema):
    assert _validate(case_schema, VALID, {"has_disability": False}).ok


def test_visibility_is_evaluated_on_the_merged_data(case_schema):
    current = {**VALID, "has_disability": True, "disability_type": ["visual"]}
    result = _validate(case_schema, current, {"disability_type": None})
    assert _codes(result) == {("disability_type", "FIELD_REQUIRED")}


def test_values_of_hidden_fields_are_kept(case_schema):
    current = {**VALID, "has_disability": True, "disability_type": ["visual"]}
    result = _validate(case_schema, current, {"has_disability": False})
    assert result.ok
    assert result.data["disability_type"] == ["visual"]


def test_subform_entries_without_uid_get_one(case_schema):
    result = _validate(case_schema, VALID, {"siblings": [{"sibling_name": "Omar"}]})
    assert result.data["siblings"] == [{"uid": "uid1", "sibling_name": "Omar"}]


def test_subform_errors_name_the_entry_by_uid_and_index(case_schema):
    entries = [{"uid": "abc123", "sibling_name": "Omar", "sibling_age": -1}, {"sibling_age": 3}]
    result = _validate(case_schema, VALID, {"siblings": entries})
    assert _codes(result) == {
        ("siblings[uid=abc123][0].sibling_age", "BELOW_MINIMUM"),
        ("siblings[uid=uid1][1].sibling_name", "FIELD_REQUIRED"),
    }


def test_a_subform_entry_is_a_patch_of_the_stored_entry(case_schema):
    current = {**VALID, "siblings": [{"uid": "a1", "sibling_name": "Omar", "old_note": "kept"}]}
    result = _validate(case_schema, current, {"siblings": [{"uid": "a1", "sibling_age": 5}]})
    assert result.data["siblings"] == [
        {"uid": "a1", "sibling_name": "Omar", "old_note": "kept", "sibling_age": 5}
    ]


def test_an_entry_missing_from_the_list_is_deleted(case_schema):
    current = {**VALID, "siblings": [{"uid": "a1", "sibling_name": "Omar"}]}
    result = _validate(case_schema, current, {"siblings": [{"uid": "b2", "sibling_name": "Sara"}]})
    assert result.data["siblings"] == [{"uid": "b2", "sibling_name": "Sara"}]


def test_subform_uids_are_unique_within_the_list(case_schema):
    entries = [{"uid": "a1", "sibling_name": "A"}, {"uid": "a1", "sibling_name": "B"}]
    assert _codes(_validate(case_schema, VALID, {"siblings": entries})) == {
        ("siblings[1].uid", "DUPLICATE_SUBFORM_UID")
    }


def test_a_subform_value_is_a_list_of_entries(case_schema):
    assert _codes(_validate(case_schema, VALID, {"siblings": {"sibling_name": "A"}})) == {
        ("siblings", "INVALID_SUBFORM_ENTRIES")
    }


def test_a_nested_subform_entry_gets_its_own_path():
    schools = {
        "name": "schools",
        "type": "subform",
        "fields": [{"name": "grade", "type": "integer"}],
    }
    form = _form({"name": "siblings", "type": "subform", "fields": [schools]})
    schema = build_record_schema([form])
    patch = {"siblings": [{"uid": "s1", "schools": [{"uid": "k1", "grade": "x"}]}]}
    assert _codes(_validate(schema, {}, patch)) == {
        ("siblings[uid=s1][0].schools[uid=k1][0].grade", "INVALID_INTEGER")
    }


@pytest.mark.parametrize(
    ("field", "raw", "stored"),
    [
        ({"type": "text"}, "Amina", "Amina"),
        ({"type": "textarea"}, "line\nline", "line\nline"),
        ({"type": "integer"}, "42", 42),
        ({"type": "integer"}, 42.0, 42),
        ({"type": "decimal"}, "3.5", 3.5),
        ({"type": "decimal"}, 3, 3.0),
        ({"type": "boolean"}, "true", True),
        ({"type": "date"}, "2020-02-29", "2020-02-29"),
        ({"type": "datetime"}, "2024-05-01T12:30:00+03:00", "2024-05-01T09:30:00Z"),
        (
            {"type": "multi_select", "options": [{"id": "a", "label": {"en": "A"}}]},
            ["a", "a"],
            ["a"],
        ),
        (
            {"type": "tally", "options": [{"id": "boys", "label": {"en": "B"}}]},
            {"boys": "2"},
            {"boys": 2},
        ),
        ({"type": "location"}, " KE-NBO-01 ", "KE-NBO-01"),
        ({"type": "user"}, "caseworker.1", "caseworker.1"),
        ({"type": "phone"}, "+254 712-345 678", "+254712345678"),
        ({"type": "photo"}, "8f14e45f-ceea-467a-9575", "8f14e45f-ceea-467a-9575"),
        ({"type": "signature"}, "sig_1", "sig_1"),
    ],
)
def test_values_are_coerced_to_their_stored_form(field, raw, stored):
    schema = build_record_schema([_form({"name": "value", **field})])
    result = _validate(schema, {}, {"value": raw})
    assert result.ok, result.errors
    assert result.data == {"value": stored}


@pytest.mark.parametrize(
    ("field", "raw", "code"),
    [
        ({"type": "text"}, 12, "INVALID_TEXT"),
        ({"type": "text", "max_length": 3}, "abcd", "TEXT_TOO_LONG"),
        ({"type": "text", "pattern": "[A-Z]{3}"}, "ABCD", "PATTERN_MISMATCH"),
        ({"type": "integer"}, 4.5, "INVALID_INTEGER"),
        ({"type": "integer"}, True, "INVALID_INTEGER"),
        ({"type": "integer"}, 2**40, "ABOVE_MAXIMUM"),
        ({"type": "integer", "max": 130}, 131, "ABOVE_MAXIMUM"),
        ({"type": "decimal", "min": 0.5}, 0.25, "BELOW_MINIMUM"),
        ({"type": "decimal"}, "NaN", "INVALID_DECIMAL"),
        ({"type": "boolean"}, "yes", "INVALID_BOOLEAN"),
        ({"type": "date"}, "2023-02-29", "INVALID_DATE"),
        ({"type": "date"}, "20240101", "INVALID_DATE"),
        ({"type": "date", "not_future": True}, "2024-06-02", "DATE_IN_FUTURE"),
        ({"type": "datetime"}, "2024-05-01T12:30:00", "INVALID_DATETIME"),
        ({"type": "datetime", "not_future": True}, "2024-06-01T13:00:00Z", "DATE_IN_FUTURE"),
        ({"type": "select", "options": [{"id": "a", "label": {"en": "A"}}]}, "b", "UNKNOWN_OPTION"),
        (
            {"type": "multi_select", "options": [{"id": "a", "label": {"en": "A"}}]},
            "a",
            "INVALID_OPTION_LIST",
        ),
        ({"type": "tally", "options": [{"id": "a", "label": {"en": "A"}}]}, [1], "INVALID_TALLY"),
        ({"type": "location"}, "no spaces allowed", "INVALID_LOCATION_CODE"),
        ({"type": "user"}, "a b", "INVALID_USERNAME"),
        ({"type": "phone"}, "12345", "INVALID_PHONE_NUMBER"),
        ({"type": "phone"}, "call me", "INVALID_PHONE_NUMBER"),
        ({"type": "audio"}, "../../etc/passwd", "INVALID_ATTACHMENT_REFERENCE"),
    ],
)
def test_invalid_values_are_rejected_with_their_code(field, raw, code):
    schema = build_record_schema([_form({"name": "value", **field})])
    result = _validate(schema, {"value": "stored"}, {"value": raw})
    assert _codes(result) == {("value", code)}
    assert result.data == {"value": "stored"}


def test_a_not_future_date_may_be_today():
    schema = build_record_schema([_form({"name": "d", "type": "date", "not_future": True})])
    assert _validate(schema, {}, {"d": TODAY.isoformat()}).ok


def test_an_invalid_multi_select_option_is_reported_by_index(case_schema):
    patch = {"has_disability": True, "disability_type": ["visual", "mobility"]}
    assert _codes(_validate(case_schema, VALID, patch)) == {
        ("disability_type[1]", "UNKNOWN_OPTION")
    }


def test_a_negative_tally_count_is_reported_by_option():
    options = [{"id": "boys", "label": {"en": "Boys"}}, {"id": "girls", "label": {"en": "Girls"}}]
    schema = build_record_schema([_form({"name": "t", "type": "tally", "options": options})])
    assert _codes(_validate(schema, {}, {"t": {"boys": 1, "girls": -2}})) == {
        ("t.girls", "INVALID_TALLY")
    }


def test_a_disabled_lookup_option_is_refused_on_new_writes(case_schema):
    assert _codes(_validate(case_schema, VALID, {"sex": "unknown"})) == {("sex", "RETIRED_OPTION")}


def test_a_disabled_lookup_option_stays_valid_on_a_record_that_holds_it(case_schema):
    assert _validate(case_schema, {**VALID, "sex": "unknown"}, {"sex": "unknown", "age": 3}).ok


def test_location_and_user_existence_is_checked_when_asked(case_schema):
    form = _form({"name": "place", "type": "location"}, {"name": "worker", "type": "user"})
    schema = build_record_schema([form])
    result = _validate(
        schema,
        {},
        {"place": "KE-01", "worker": "ghost"},
        location_exists=lambda code: code == "KE-02",
        user_exists=lambda name: name == "amina",
    )
    assert _codes(result) == {("place", "UNKNOWN_LOCATION"), ("worker", "UNKNOWN_USER")}


def test_a_separator_stores_nothing():
    schema = build_record_schema([_form({"name": "heading", "type": "separator"})])
    assert _codes(_validate(schema, {}, {"heading": "x"})) == {("heading", "DISPLAY_ONLY_FIELD")}


def test_changes_list_every_changed_value_including_calculated_ones(case_schema):
    result = _validate(case_schema, VALID, {"date_of_birth": "2020-01-01"})
    assert result.changes == {"date_of_birth": (None, "2020-01-01"), "age_years": (None, 4)}


def test_a_calculated_field_inside_a_subform_is_computed_per_entry():
    child = [
        {"name": "born", "type": "date"},
        {
            "name": "age",
            "type": "calculated",
            "calculate": {"op": "years_between", "args": ["born", "$today"]},
        },
    ]
    total = {"op": "sum", "args": ["children.age"], "result": "integer"}
    form = _form(
        {"name": "children", "type": "subform", "fields": child},
        {"name": "ages", "type": "calculated", "calculate": total},
    )
    schema = build_record_schema([form])
    result = _validate(schema, {}, {"children": [{"born": "2020-06-01"}, {"born": "2010-07-01"}]})
    assert [entry["age"] for entry in result.data["children"]] == [4, 13]
    assert result.data["ages"] == 17


def test_an_average_is_a_decimal():
    form = _form(
        {"name": "a", "type": "integer"},
        {"name": "b", "type": "integer"},
        {"name": "mean", "type": "calculated", "calculate": {"op": "avg", "args": ["a", "b"]}},
    )
    result = _validate(build_record_schema([form]), {}, {"a": 1, "b": 2})
    assert result.data["mean"] == 1.5
