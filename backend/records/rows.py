"""A record as the columns a bulk read needs, loaded as tuples rather than model instances.

A sync page reads hundreds of records only for their permitted values: building a `Record`
(and its owner) for each costs more than reading it. A `RecordRow` carries what the
AccessPlan's record rules and the read service look at, and what a pull reports.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from backend.database.json import loads
from backend.records.models import Record


@dataclass(frozen=True, slots=True)
class RecordRow:
    pk: uuid.UUID
    tenant_id: int
    record_type: str
    module: str | None
    owner_id: int | None
    agency_id: int | None
    group_ids: list[int]
    associated_user_ids: list[int]
    deleted_at: dt.datetime | None
    revision: int
    change_seq: int
    field_revs: dict[str, int]
    data: dict[str, Any]


ROW_COLUMNS = (
    "pk",
    "tenant_id",
    "record_type",
    "module",
    "owner_id",
    "agency_id",
    "group_ids",
    "associated_user_ids",
    "deleted_at",
    "revision",
    "change_seq",
    "field_revs",
    "data",
)


def record_rows(records: QuerySet[Record], limit: int) -> list[RecordRow]:
    """The first `limit` records of `records` (filtered and ordered) as rows. The query's SQL
    runs on a plain cursor and the two JSON columns are decoded here: through the ORM each
    value went through a converter, `from_db_value` and `json.loads` around the decoder,
    about as long as decoding it."""
    sql, params = records.values_list(*ROW_COLUMNS)[:limit].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return [_row(columns) for columns in found]


def _row(columns: Any) -> RecordRow:
    *plain, field_revs, data = columns
    return _make_row(*plain, _json(field_revs), _json(data))


_make_row: Callable[..., RecordRow] = RecordRow  # the columns in field order


def _json(value: Any) -> Any:
    # Django's connections read jsonb as text (JSONField decodes it)
    return loads(value) if isinstance(value, str) else value
