"""Recording and reading the access log."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Any, Protocol

import rules
from django.db import connection

from backend.accounts.models import User
from backend.audit.models import AccessLog
from backend.database.arrays import uuid_array
from backend.errors import Forbidden
from backend.records.access import get_any_record


class Logged(Protocol):
    """What the log names of a record read: a `Record` or a `RecordRow`."""

    @property
    def pk(self) -> uuid.UUID: ...

    @property
    def record_type(self) -> str: ...


def log_access(
    user: User, records: Iterable[Logged], action: str, detail: dict[str, Any] | None = None
) -> None:
    """One row per record read, all in one INSERT from arrays (a page of 500 records costs
    one statement and no model instances)."""
    ids, types = [], []
    for record in records:
        ids.append(record.pk)
        types.append(record.record_type)
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_accesslog"
            " (tenant_id, user_id, record_id, record_type, action, at, detail)"
            " SELECT %s, %s, logged.record_id, logged.record_type, %s, statement_timestamp(),"
            " %s::jsonb FROM unnest(%s::uuid[], %s::text[]) AS logged(record_id, record_type)",
            [user.tenant_id, user.pk, action, json.dumps(detail or {}), uuid_array(ids), types],
        )


def access_log(user: User, record_id: str, limit: int = 200) -> list[AccessLog]:
    """Who accessed a record, newest first; for auditors who may also see the record."""
    visible = get_any_record(user, record_id)
    if not rules.has_perm("audit.read", user):
        raise Forbidden("Your role may not read the access log.", action="read_audit")
    return list(
        AccessLog.objects.filter(record_id=visible.record.pk).select_related("user")[:limit]
    )
