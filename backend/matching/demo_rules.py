"""The demo tenant's matching rules, for its demo forms (the fields tagged `matchable`)."""

from __future__ import annotations

from typing import Any

_CASE_NAMES = ["name_first", "name_middle", "name_last", "name_nickname", "name_other_spellings"]
_CASE_BIRTH = ["date_of_birth", "age_approximate", "age"]
# Selective keys first (two name words with a birth year or an area); each still found
# when one part is missing (a last name, a birth year, a place).
_BLOCKING = [
    ["name", "name", "birth"],
    ["name", "name", "location"],
    ["name", "birth", "location"],
    ["name", "name"],
    ["name", "birth"],
]

DEMO_MATCHING_RULES: dict[str, Any] = {
    "pairs": [
        {
            "source": "tracing_request",
            "source_subform": "persons_sought",
            "target": "case",
            "threshold": 0.6,
            "out_of_scope": True,
            "comparisons": [
                {
                    "name": "name",
                    "method": "fuzzy_name",
                    "weight": 5,
                    "source": ["sought_name_first", "sought_name_last", "sought_name_nickname"],
                    "target": _CASE_NAMES,
                },
                {
                    "name": "sex",
                    "method": "same_option",
                    "weight": 1,
                    "source": ["sought_sex"],
                    "target": ["sex"],
                },
                {
                    "name": "birth",
                    "method": "age_within",
                    "years": 2,
                    "weight": 2,
                    "source": ["sought_date_of_birth", "sought_age"],
                    "target": _CASE_BIRTH,
                },
                {
                    "name": "location",
                    "method": "location_subtree",
                    "admin_level": 2,
                    "weight": 1,
                    "source": ["sought_last_seen_location"],
                    "target": ["location_current", "separation_location"],
                },
                {
                    "name": "separation",
                    "method": "date_within",
                    "days": 30,
                    "weight": 1,
                    "source": ["sought_date_of_separation"],
                    "target": ["date_of_separation"],
                },
            ],
            "blocking": _BLOCKING,
        },
        {
            "source": "case",
            "target": "case",
            "threshold": 0.7,
            "out_of_scope": True,
            "comparisons": [
                {
                    "name": "name",
                    "method": "fuzzy_name",
                    "weight": 5,
                    "source": _CASE_NAMES,
                    "target": _CASE_NAMES,
                },
                {
                    "name": "sex",
                    "method": "same_option",
                    "weight": 1,
                    "source": ["sex"],
                    "target": ["sex"],
                },
                {
                    "name": "birth",
                    "method": "age_within",
                    "years": 1,
                    "weight": 2,
                    "source": _CASE_BIRTH,
                    "target": _CASE_BIRTH,
                },
                {
                    "name": "location",
                    "method": "location_subtree",
                    "admin_level": 2,
                    "weight": 1,
                    "source": ["location_current"],
                    "target": ["location_current"],
                },
                {
                    "name": "mother",
                    "method": "fuzzy_name",
                    "weight": 2,
                    "source": ["mother_name"],
                    "target": ["mother_name"],
                },
                {
                    "name": "phone",
                    "method": "phone",
                    "weight": 2,
                    "source": ["phone_current"],
                    "target": ["phone_current"],
                },
            ],
            "blocking": [*_BLOCKING, ["phone"]],
        },
    ]
}
