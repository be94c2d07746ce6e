"""Recording and reading the access log."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import rules

from backend.accounts.models import User
from backend.audit.models import AccessLog
from backend.errors import Forbidden
from backend.records.access import get_any_record
from backend.records.models import Record


def log_access(
    user: User, records: Iterable[Record], action: str, detail: dict[str, Any] | None = None
) -> None:
    AccessLog.objects.bulk_create(
        AccessLog(
            tenant_id=user.tenant_id,
            user=user,
            record_id=r.pk,
            record_type=r.record_type,
            action=action,
            detail=detail or {},
        )
        for r in records
    )


def access_log(user: User, record_id: str, limit: int = 200) -> list[AccessLog]:
    """Who accessed a record, newest first; for auditors who may also see the record."""
    visible = get_any_record(user, record_id)
    if not rules.has_perm("audit.read", user):
        raise Forbidden("Your role may not read the access log.", action="read_audit")
    return list(
        AccessLog.objects.filter(record_id=visible.record.pk).select_related("user")[:limit]
    )
