"""Recording and reading the access log."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import rules
from django.db import connection
from django.utils import timezone

from backend.accounts.models import User
from backend.audit.models import AccessLog
from backend.errors import Forbidden
from backend.records.access import get_any_record
from backend.records.models import Record


def log_access(
    user: User, records: Iterable[Record], action: str, detail: dict[str, Any] | None = None
) -> None:
    """One row per record, in one statement with a fixed text: every page of a list writes
    these, and building a model instance per row cost more than the insert."""
    rows = [(r.pk, r.record_type) for r in records]
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_accesslog (tenant_id, user_id, record_id, record_type, action,"
            " at, detail) SELECT %s, %s, r.id, r.record_type, %s, %s, %s::jsonb"
            " FROM unnest(%s::uuid[], %s::text[]) AS r(id, record_type)",
            [
                user.tenant_id,
                user.pk,
                action,
                timezone.now(),
                json.dumps(detail or {}),
                [pk for pk, _ in rows],
                [record_type for _, record_type in rows],
            ],
        )


def access_log(user: User, record_id: str, limit: int = 200) -> list[AccessLog]:
    """Who accessed a record, newest first; for auditors who may also see the record."""
    visible = get_any_record(user, record_id)
    if not rules.has_perm("audit.read", user):
        raise Forbidden("Your role may not read the access log.", action="read_audit")
    return list(
        AccessLog.objects.filter(record_id=visible.record.pk).select_related("user")[:limit]
    )
