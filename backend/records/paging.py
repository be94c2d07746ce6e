"""Keyset pages of records, newest first, with opaque cursors that carry the sort key.

A cursor is checked before it reaches a query: one this server did not give out is
INVALID_CURSOR, never a database error.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from backend.error_codes import ErrorCode
from backend.errors import BadUserInput
from backend.records.models import Record

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_CURSOR_LENGTH = 200


class InvalidCursor(BadUserInput):
    code = ErrorCode.INVALID_CURSOR


@dataclass(frozen=True)
class Page:
    records: list[Record]
    has_next_page: bool
    has_previous_page: bool


def cursor_of(record: Record) -> str:
    raw = json.dumps([record.created_at.isoformat(), str(record.pk)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _position(cursor: str, argument: str) -> tuple[dt.datetime, uuid.UUID]:
    invalid = InvalidCursor("The cursor is not one this server gave out.", field=argument)
    if not isinstance(cursor, str) or not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        raise invalid
    try:
        created_at, pk = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        position = dt.datetime.fromisoformat(created_at), uuid.UUID(pk)
    except (ValueError, TypeError, UnicodeError, binascii.Error):
        raise invalid from None
    if position[0].tzinfo is None:
        raise invalid
    return position


def _page_size(first: int | None, last: int | None) -> int:
    if first is not None and last is not None:
        raise BadUserInput("Give first or last, not both.", field="last")
    size = DEFAULT_PAGE_SIZE if first is None and last is None else first or last or 0
    argument = "last" if last is not None else "first"
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise BadUserInput(f"{argument} must be between 1 and {MAX_PAGE_SIZE}.", field=argument)
    return size


def _newer(created_at: dt.datetime, pk: uuid.UUID) -> Q:
    return Q(created_at__gt=created_at) | Q(created_at=created_at, pk__gt=pk)


def _older(created_at: dt.datetime, pk: uuid.UUID) -> Q:
    return Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk)


def page(
    records: QuerySet[Record],
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Page:
    """One page, newest first: `first` after a cursor, or `last` before one (Relay)."""
    size = _page_size(first, last)
    window = records
    if after is not None:
        window = window.filter(_older(*_position(after, "after")))
    if before is not None:
        window = window.filter(_newer(*_position(before, "before")))
    if last is None:
        rows = list(window.order_by("-created_at", "-pk")[: size + 1])
        found = rows[:size]
        has_next = len(rows) > size
        has_previous = (
            after is not None
            and bool(found)
            and records.filter(_newer(found[0].created_at, found[0].pk)).exists()
        )
        return Page(found, has_next, has_previous)
    rows = list(window.order_by("created_at", "pk")[: size + 1])
    found = list(reversed(rows[:size]))
    has_previous = len(rows) > size
    has_next = (
        before is not None
        and bool(found)
        and records.filter(_older(found[-1].created_at, found[-1].pk)).exists()
    )
    return Page(found, has_next, has_previous)
