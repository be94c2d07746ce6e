"""Scalars for form values and timestamps, each with one output format.

`DateTime` is always RFC 3339 in UTC with microseconds and `Z` (2024-05-01T10:30:00.000000Z),
whether it comes from a model's datetime or from a form value stored as a string; `Date` is
always YYYY-MM-DD. Inputs travel as strings; the form engine validates them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from strawberry.scalars import JSON

RFC_3339 = "https://datatracker.ietf.org/doc/html/rfc3339"
DATE_SPEC = RFC_3339 + "#section-5.6"  # full-date
DATETIME_SPEC = RFC_3339 + "#section-5.6"  # date-time
JSON_SPEC = "https://datatracker.ietf.org/doc/html/rfc8259"

_DATETIME_LENGTH = len("2024-05-01T10:30:00.000000Z")


def serialize_datetime(value: Any) -> str:
    """One format for every moment: UTC, six fraction digits, `Z`."""
    if isinstance(value, str):
        if len(value) == _DATETIME_LENGTH and value[-1] == "Z" and value[19] == ".":
            return value  # already canonical, as most stored values are
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        raise ValueError(f"not a date and time: {value!r}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)  # stored naive only when already UTC
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def serialize_date(value: Any) -> str:
    if isinstance(value, str):
        if len(value) == 10:
            return value
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC).date() if value.tzinfo else value.date()
    if not isinstance(value, dt.date):
        raise ValueError(f"not a date: {value!r}")
    return value.isoformat()


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected an RFC 3339 string")
    return value


def _json(value: Any) -> Any:
    return value


# Form values hold dates as ISO strings, models hold datetime objects: both serialize.
Date = dt.date
DateTime = dt.datetime

SCALAR_MAP = {
    Date: strawberry.scalar(
        name="Date",
        description="A calendar date, RFC 3339 full-date: 2024-05-01.",
        specified_by_url=DATE_SPEC,
        serialize=serialize_date,
        parse_value=_string,
    ),
    DateTime: strawberry.scalar(
        name="DateTime",
        description="A moment, RFC 3339 date-time. Output is always UTC with microseconds: "
        "2024-05-01T10:30:00.000000Z; input takes any offset.",
        specified_by_url=DATETIME_SPEC,
        serialize=serialize_datetime,
        parse_value=_string,
    ),
    JSON: strawberry.scalar(
        name="JSON",
        description="Any JSON value (RFC 8259), where its shape depends on configuration.",
        specified_by_url=JSON_SPEC,
        serialize=_json,
        parse_value=_json,
    ),
}


def resolve_attribute(obj: Any, name: str) -> Any:
    """Default resolver: records and subform entries are plain dicts, the rest objects."""
    if type(obj) is dict:
        return obj.get(name)
    return getattr(obj, name, None)
