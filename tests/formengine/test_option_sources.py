"""Option sources, location codes and multiple attachments in the pure form engine: values
are checked against what the server says exists (`KnownReferences`), only in form without it."""

from __future__ import annotations

from typing import Any

from formengine import (
    KnownReferences,
    build_record_schema,
    referenced_values,
    validate_form_set,
    validate_record,
)

FORM: dict[str, Any] = {
    "key": "f",
    "record_type": "case",
    "label": {"en": "F"},
    "fields": [
        {"name": "home", "type": "location"},
        {"name": "lead_agency", "type": "select", "options": {"source": "agencies"}},
        {"name": "workers", "type": "multi_select", "options": {"source": "users"}},
        {"name": "district", "type": "radio", "options": {"source": "locations", "admin_level": 2}},
        {"name": "scans", "type": "document", "multiple": True},
        {"name": "seen", "type": "subform", "fields": [{"name": "place", "type": "location"}]},
        {"name": "note", "type": "text", "visible_if": {"eq": ["lead_agency", "cp_agency"]}},
    ],
}
SCHEMA = build_record_schema([FORM])
KNOWN = KnownReferences(
    agencies=frozenset({"cp_agency"}),
    users=frozenset({"amina"}),
    locations={"SS": 0, "SS01": 1, "SS0101": 2},
)


def codes(patch: dict[str, Any], stored: dict[str, Any] | None = None) -> dict[str, str]:
    result = validate_record(SCHEMA, stored or {}, patch, references=KNOWN)
    return {e.path: e.code for e in result.errors}


def test_the_form_set_is_valid_and_conditions_on_source_fields_are_not_option_checked() -> None:
    assert validate_form_set([FORM]) == []


def test_referenced_values_are_collected_at_every_depth() -> None:
    patch = {
        "home": "SS",
        "lead_agency": "cp_agency",
        "workers": ["amina", "bo"],
        "district": "SS0101",
        "seen": [{"place": "SS01"}, {"place": 3}],
        "note": "SS99",
    }

    assert referenced_values(SCHEMA.fields, patch) == {
        "locations": {"SS", "SS0101", "SS01"},
        "agencies": {"cp_agency"},
        "users": {"amina", "bo"},
    }


def test_values_that_exist_are_stored() -> None:
    patch = {
        "home": "SS",
        "lead_agency": "cp_agency",
        "workers": ["amina"],
        "district": "SS0101",
        "scans": ["a1", "a2", "a1"],
    }

    result = validate_record(SCHEMA, {}, patch, references=KNOWN)

    assert result.errors == []
    assert result.data == {**patch, "scans": ["a1", "a2"]}


def test_values_that_do_not_exist_are_coded_per_value() -> None:
    assert codes(
        {
            "home": "XX",
            "lead_agency": "nobody",
            "workers": ["amina", "ghost"],
            "district": "SS01",
            "scans": "a1",
            "seen": [{"uid": "u1", "place": "YY"}],
        }
    ) == {
        "home": "UNKNOWN_LOCATION",
        "lead_agency": "UNKNOWN_OPTION",
        "workers[1]": "UNKNOWN_USER",
        "district": "WRONG_LOCATION_LEVEL",
        "scans": "INVALID_ATTACHMENT_REFERENCE",
        "seen[uid=u1][0].place": "UNKNOWN_LOCATION",
    }


def test_a_stored_value_written_again_is_not_checked_again() -> None:
    stored = {"home": "GONE", "lead_agency": "closed_agency"}

    assert codes({"home": "GONE", "lead_agency": "closed_agency"}, stored) == {}


def test_without_references_only_the_form_of_values_is_checked() -> None:
    patch = {"home": "anything", "workers": ["a b"], "lead_agency": "x"}
    result = validate_record(SCHEMA, {}, patch)

    assert {e.path: e.code for e in result.errors} == {"workers[0]": "INVALID_USERNAME"}


# `user` fields name a user like an option field with source `users`

USER_FORM: dict[str, Any] = {
    "key": "u",
    "record_type": "case",
    "label": {"en": "U"},
    "fields": [
        {"name": "reviewer", "type": "user"},
        {"name": "visits", "type": "subform", "fields": [{"name": "visitor", "type": "user"}]},
    ],
}
USER_SCHEMA = build_record_schema([USER_FORM])


def user_codes(patch: dict[str, Any], stored: dict[str, Any] | None = None) -> dict[str, str]:
    result = validate_record(USER_SCHEMA, stored or {}, patch, references=KNOWN)
    return {e.path: e.code for e in result.errors}


def test_user_fields_are_collected_as_users_at_every_depth() -> None:
    patch = {"reviewer": "amina", "visits": [{"visitor": "bo"}, {"visitor": 7}]}

    assert referenced_values(USER_SCHEMA.fields, patch) == {"users": {"amina", "bo"}}


def test_a_user_field_takes_only_known_users() -> None:
    assert user_codes({"reviewer": "amina", "visits": [{"visitor": "amina"}]}) == {}
    assert user_codes({"reviewer": "ghost", "visits": [{"uid": "v1", "visitor": "bo"}]}) == {
        "reviewer": "UNKNOWN_USER",
        "visits[uid=v1][0].visitor": "UNKNOWN_USER",
    }


def test_a_stored_user_written_again_is_not_checked_again() -> None:
    assert user_codes({"reviewer": "left_the_agency"}, {"reviewer": "left_the_agency"}) == {}
    assert user_codes({"reviewer": "ghost"}, {"reviewer": "left_the_agency"}) == {
        "reviewer": "UNKNOWN_USER"
    }
