"""Keyset pages of records with opaque cursors that carry the sort key.

An ordering is a list of SortKey: each an expression evaluated per row (a column, a value in
`data`, or an annotation such as a search rank), a direction, and how a cursor carries its
value. Every ordering ends with created_at and pk, newest first, so that it is total and a
page never repeats or skips a record. NULLs sort last in either direction.

A cursor holds the ordering's signature and the row's key values; one that does not fit the
ordering it is used with, or that this server did not give out, is INVALID_CURSOR, never a
database error. Sort expressions are permission-safe (a hidden value is NULL, see
records/filtering/ordering.py), so a crafted cursor learns nothing.

To sort by an annotation (e.g. `search_rank`): annotate the queryset, then pass
`SortKey("search_rank", F("search_rank"), KeyKind.NUMBER, descending=True)` first in `order`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.expressions import Expression

from backend.error_codes import ErrorCode
from backend.errors import BadUserInput
from backend.records.models import Record

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_CURSOR_LENGTH = 4096


class InvalidCursor(BadUserInput):
    code = ErrorCode.INVALID_CURSOR


class KeyKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    UUID = "uuid"


@dataclass(frozen=True)
class SortKey:
    name: str  # names the key in the ordering's signature
    expression: Expression | F
    kind: KeyKind
    descending: bool = False


TIEBREAK = (
    SortKey("created_at", F("created_at"), KeyKind.DATETIME, descending=True),
    SortKey("pk", F("pk"), KeyKind.UUID, descending=True),
)


@dataclass(frozen=True)
class Page:
    records: list[Record]
    has_next_page: bool
    has_previous_page: bool
    cursors: list[str]
    # every record found, when counted with the page (a first page asked to count)
    total: int | None = None


def _signature(order: Sequence[SortKey]) -> str:
    text = ",".join(f"{k.name}:{'d' if k.descending else 'a'}" for k in order)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _alias(index: int) -> str:
    return f"sort_key_{index}"


def _dump(kind: KeyKind, value: Any) -> Any:
    if value is None or kind in (KeyKind.TEXT, KeyKind.BOOLEAN):
        return value
    if kind is KeyKind.NUMBER:
        return str(value)
    if kind is KeyKind.DATETIME:
        return value.isoformat()
    return str(value)


def _load(kind: KeyKind, raw: Any) -> Any:
    """Raises ValueError / TypeError for a value the kind cannot hold."""
    if raw is None:
        return None
    if kind is KeyKind.TEXT:
        if not isinstance(raw, str):
            raise TypeError
        return raw
    if kind is KeyKind.BOOLEAN:
        if not isinstance(raw, bool):
            raise TypeError
        return raw
    if not isinstance(raw, str):
        raise TypeError
    if kind is KeyKind.NUMBER:
        number = Decimal(raw)
        if not number.is_finite():
            raise ValueError
        return number
    if kind is KeyKind.DATETIME:
        moment = dt.datetime.fromisoformat(raw)
        if moment.tzinfo is None:
            raise ValueError
        return moment
    return uuid.UUID(raw)


def _value(record: Record, index: int, key: SortKey, last: int) -> Any:
    if index == last - 1:
        return record.pk
    if index == last - 2:
        return record.created_at
    return getattr(record, _alias(index))


def cursor_of(record: Record, order: Sequence[SortKey] = ()) -> str:
    keys = [*order, *TIEBREAK]
    values = [_dump(k.kind, _value(record, i, k, len(keys))) for i, k in enumerate(keys)]
    raw = json.dumps([_signature(keys), values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _position(cursor: str, argument: str, keys: Sequence[SortKey]) -> list[Any]:
    invalid = InvalidCursor("The cursor is not one this server gave out.", field=argument)
    if not isinstance(cursor, str) or not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        raise invalid
    try:
        signature, values = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        if signature != _signature(keys) or not isinstance(values, list):
            raise ValueError
        if len(values) != len(keys) or values[-1] is None or values[-2] is None:
            raise ValueError
        return [_load(k.kind, v) for k, v in zip(keys, values, strict=True)]
    except (ValueError, TypeError, UnicodeError, binascii.Error, InvalidOperation):
        raise invalid from None


def _page_size(first: int | None, last: int | None) -> int:
    if first is not None and last is not None:
        raise BadUserInput("Give first or last, not both.", field="last")
    size = DEFAULT_PAGE_SIZE if first is None and last is None else first or last or 0
    argument = "last" if last is not None else "first"
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise BadUserInput(f"{argument} must be between 1 and {MAX_PAGE_SIZE}.", field=argument)
    return size


def _column(index: int, key: SortKey, count: int) -> str:
    return {count - 1: "pk", count - 2: "created_at"}.get(index, _alias(index))


def _beyond(keys: Sequence[SortKey], position: Sequence[Any], forward: bool) -> Q:
    """Rows after `position` in the ordering (`forward`), or before it. NULLs come last."""
    count = len(keys)
    result = Q(pk__in=[])
    equal = Q()
    for index, key in enumerate(keys):
        column, value = _column(index, key, count), position[index]
        if value is None:
            step = Q(pk__in=[]) if forward else Q(**{f"{column}__isnull": False})
            same = Q(**{f"{column}__isnull": True})
        else:
            later = "lt" if key.descending == forward else "gt"
            step = Q(**{f"{column}__{later}": value})
            if forward:
                step |= Q(**{f"{column}__isnull": True})
            same = Q(**{column: value})
        result |= equal & step
        equal &= same
    return result


def _ordering(keys: Sequence[SortKey], forward: bool) -> list[Any]:
    count = len(keys)
    ordering = []
    for index, key in enumerate(keys):
        column = F(_column(index, key, count))
        descending = key.descending == forward
        nulls = {"nulls_last": True} if forward else {"nulls_first": True}
        ordering.append(column.desc(**nulls) if descending else column.asc(**nulls))
    return ordering


def page(
    records: QuerySet[Record],
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    order: Sequence[SortKey] = (),
    count: bool = False,
) -> Page:
    """One page in `order` (then newest first): `first` after a cursor, or `last` before one
    (Relay). With `count`, a first page also counts every record found, in the same pass
    (`COUNT(*) OVER ()`: the records are read once, not once for the page and once more for
    the count)."""
    size = _page_size(first, last)
    keys = [*order, *TIEBREAK]
    records = records.annotate(**{_alias(i): k.expression for i, k in enumerate(order)})
    counted = count and after is None and before is None
    window = records.annotate(_found=Window(Count("*"))) if counted else records
    if after is not None:
        window = window.filter(_beyond(keys, _position(after, "after", keys), True))
    if before is not None:
        window = window.filter(_beyond(keys, _position(before, "before", keys), False))
    forward = last is None
    rows = list(window.order_by(*_ordering(keys, forward))[: size + 1])
    found = rows[:size] if forward else list(reversed(rows[:size]))
    more = len(rows) > size
    cursors = [cursor_of(r, order) for r in found]
    total = (rows[0]._found if rows else 0) if counted else None  # type: ignore[attr-defined]
    other = after if forward else before
    other_side = (
        other is not None
        and bool(found)
        and records.filter(
            _beyond(keys, _position(cursors[0 if forward else -1], "after", keys), not forward)
        ).exists()
    )
    if forward:
        return Page(found, more, other_side, cursors, total)
    return Page(found, other_side, more, cursors, total)
