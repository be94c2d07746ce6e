import copy
from typing import Any

import pytest

from formengine import build_record_schema, parse_lookups

BASIC_IDENTITY: dict[str, Any] = {
    "key": "basic_identity",
    "record_type": "case",
    "label": {"en": "Basic identity", "fr": "Identité", "ar": "الهوية"},
    "fields": [
        {
            "name": "name_first",
            "type": "text",
            "label": {"en": "First name"},
            "required": True,
            "max_length": 200,
            "tags": ["pii", "searchable", "matchable"],
        },
        {"name": "sex", "type": "select", "options": {"lookup": "sex"}},
        {"name": "date_of_birth", "type": "date", "not_future": True},
        {"name": "age", "type": "integer", "min": 0, "max": 130},
        {"name": "has_disability", "type": "boolean"},
        {
            "name": "disability_type",
            "type": "multi_select",
            "options": {"lookup": "disability_type"},
            "visible_if": {"eq": ["has_disability", True]},
            "required": True,
        },
        {
            "name": "siblings",
            "type": "subform",
            "fields": [
                {"name": "sibling_name", "type": "text", "required": True},
                {"name": "sibling_age", "type": "integer", "min": 0},
            ],
        },
    ],
}

PROTECTION_CONCERNS: dict[str, Any] = {
    "key": "protection_concerns",
    "record_type": "case",
    "label": {"en": "Protection concerns"},
    "fields": [
        {
            "name": "risk_level",
            "type": "radio",
            "options": [
                {"id": "low", "label": {"en": "Low"}},
                {"id": "medium", "label": {"en": "Medium"}},
                {"id": "high", "label": {"en": "High"}},
            ],
        },
        {
            "name": "age_years",
            "type": "calculated",
            "calculate": {"op": "years_between", "args": ["date_of_birth", "$today"]},
        },
        {
            "name": "siblings_count",
            "type": "calculated",
            "calculate": {"op": "count", "args": ["siblings"]},
        },
        {
            "name": "siblings_age_total",
            "type": "calculated",
            "calculate": {"op": "sum", "args": ["siblings.sibling_age"], "result": "integer"},
        },
    ],
}

LOOKUPS_JSON: dict[str, Any] = {
    "sex": [
        {"id": "female", "label": {"en": "Female"}},
        {"id": "male", "label": {"en": "Male"}},
        {"id": "unknown", "label": {"en": "Unknown"}, "disabled": True},
    ],
    "disability_type": [
        {"id": "visual", "label": {"en": "Visual"}},
        {"id": "hearing", "label": {"en": "Hearing"}},
    ],
}


@pytest.fixture
def basic_identity() -> dict[str, Any]:
    return copy.deepcopy(BASIC_IDENTITY)


@pytest.fixture
def protection_concerns() -> dict[str, Any]:
    return copy.deepcopy(PROTECTION_CONCERNS)


@pytest.fixture
def lookups() -> dict[str, Any]:
    return parse_lookups(LOOKUPS_JSON)


@pytest.fixture
def case_schema(basic_identity, protection_concerns, lookups):
    return build_record_schema([basic_identity, protection_concerns], lookups=lookups)


@pytest.fixture(scope="session", autouse=True)
def _seeded() -> None:
    """The form engine needs no database: replaces the suite's seeding of the demo tenants."""
