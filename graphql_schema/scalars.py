"""Scalars for form values. Dates travel as ISO strings; the form engine validates them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry


def _iso(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected an ISO 8601 string")
    return value


# Form values hold dates as ISO strings, models hold datetime objects: both serialize.
Date = dt.date
DateTime = dt.datetime

SCALAR_MAP = {
    Date: strawberry.scalar(
        name="Date",
        description="A calendar date, ISO 8601: 2024-05-01.",
        serialize=_iso,
        parse_value=_string,
    ),
    DateTime: strawberry.scalar(
        name="DateTime",
        description="A moment, ISO 8601 with offset: 2024-05-01T10:30:00Z.",
        serialize=_iso,
        parse_value=_string,
    ),
}


def resolve_attribute(obj: Any, name: str) -> Any:
    """Default resolver: records and subform entries are plain dicts, the rest objects."""
    if type(obj) is dict:
        return obj.get(name)
    return getattr(obj, name, None)
