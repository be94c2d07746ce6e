"""A record as the columns a bulk read needs, loaded as tuples rather than model instances.

A sync page reads hundreds of records only for their permitted values: building a `Record`
(and its owner) for each costs more than reading it. A `RecordRow` carries what the
AccessPlan's record rules and the read service look at, and what a pull reports.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

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
    """The first `limit` records of `records` (filtered and ordered) as rows."""
    return [RecordRow(*columns) for columns in records.values_list(*ROW_COLUMNS)[:limit]]
