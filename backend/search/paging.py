"""Keyset pages of search results, best match first: (search_rank desc, created_at desc,
pk desc), with cursors that carry the rank.

Seam for the integrator: this is the ranked case of the general keyset paging
(backend/records/paging.py); once that pages on any sort key, a search is its order
`[search_rank DESC, created_at DESC, pk DESC]` and this module goes away.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid

from django.db.models import Q, QuerySet

from backend.records.models import Record
from backend.records.paging import MAX_CURSOR_LENGTH, InvalidCursor, Page, _page_size

Position = tuple[int, dt.datetime, uuid.UUID]
_MARK = "s"  # tells a search cursor from a plain one


def ranked_cursor_of(record: Record) -> str:
    rank = getattr(record, "search_rank", 0)
    raw = json.dumps(
        [_MARK, rank, record.created_at.isoformat(), str(record.pk)], separators=(",", ":")
    )
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _position(cursor: str, argument: str) -> Position:
    invalid = InvalidCursor("The cursor is not one this server gave out.", field=argument)
    if not isinstance(cursor, str) or not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        raise invalid
    try:
        mark, rank, created_at, pk = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        position = int(rank), dt.datetime.fromisoformat(created_at), uuid.UUID(pk)
    except (ValueError, TypeError, UnicodeError, binascii.Error):
        raise invalid from None
    if mark != _MARK or position[1].tzinfo is None or isinstance(rank, bool):
        raise invalid
    return position


def _after(rank: int, created_at: dt.datetime, pk: uuid.UUID) -> Q:
    """Rows after the position in (rank desc, created_at desc, pk desc) order."""
    return (
        Q(search_rank__lt=rank)
        | Q(search_rank=rank, created_at__lt=created_at)
        | Q(search_rank=rank, created_at=created_at, pk__lt=pk)
    )


def _before(rank: int, created_at: dt.datetime, pk: uuid.UUID) -> Q:
    return (
        Q(search_rank__gt=rank)
        | Q(search_rank=rank, created_at__gt=created_at)
        | Q(search_rank=rank, created_at=created_at, pk__gt=pk)
    )


def _key(record: Record) -> Position:
    return getattr(record, "search_rank", 0), record.created_at, record.pk


def ranked_page(
    records: QuerySet[Record],
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Page:
    """One page of `records` annotated with `search_rank`, as paging.page does (Relay)."""
    size = _page_size(first, last)
    window = records
    if after is not None:
        window = window.filter(_after(*_position(after, "after")))
    if before is not None:
        window = window.filter(_before(*_position(before, "before")))
    if last is None:
        rows = list(window.order_by("-search_rank", "-created_at", "-pk")[: size + 1])
        found = rows[:size]
        has_previous = (
            after is not None and bool(found) and records.filter(_before(*_key(found[0]))).exists()
        )
        return Page(found, len(rows) > size, has_previous)
    rows = list(window.order_by("search_rank", "created_at", "pk")[: size + 1])
    found = list(reversed(rows[:size]))
    has_next = (
        before is not None and bool(found) and records.filter(_after(*_key(found[-1]))).exists()
    )
    return Page(found, has_next, len(rows) > size)
