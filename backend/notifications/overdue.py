"""Services past their due date: derived from the services subform the tenant's workflow
settings name (`services`), never stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from backend.accounts.models import User
from backend.notifications.models import Alert
from backend.notifications.services import SERVICE_OVERDUE, Notice, raise_notices
from backend.records.models import Record
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant
from backend.workflows.config import ServiceSettings, workflow_of


def is_implemented(entry: dict[str, Any], services: ServiceSettings) -> bool:
    """The entry's implemented field is true (a boolean) or holds when (a date or datetime)."""
    marked = entry.get(services.implemented_field)
    return marked is True or (isinstance(marked, str) and marked != "")


def is_overdue(entry: Any, today: dt.date, services: ServiceSettings) -> bool:
    """A service entry due before today and not marked implemented."""
    if not isinstance(entry, dict) or is_implemented(entry, services):
        return False
    due = entry.get(services.due_date_field)
    try:
        return isinstance(due, str) and dt.date.fromisoformat(due[:10]) < today
    except ValueError:
        return False


def raise_overdue_service_alerts(tenant: Tenant, today: dt.date | None = None) -> int:
    """Alert record owners of overdue services, once per (case, service entry); returns how many."""
    services = workflow_of(tenant).services
    if services is None:
        return 0
    today = today or timezone.localdate()
    with tenant_transaction(tenant.pk):
        cases = (
            Record.objects.filter(
                tenant_id=tenant.pk,
                record_type=services.record_type,
                deleted_at__isnull=True,
                owner__isnull=False,
                data__has_key=services.field,
            )
            .exclude(status="closed")
            .only("pk", "tenant_id", "record_type", "short_id", "owner_id", "data")
        )
        overdue: dict[str, tuple[Record, str]] = {}
        for case in cases.iterator(chunk_size=500):
            entries = case.data.get(services.field)
            for entry in entries if isinstance(entries, list) else []:
                if is_overdue(entry, today, services) and entry.get("uid"):
                    key = f"{SERVICE_OVERDUE}:{case.pk}:{entry['uid']}"
                    overdue[key] = (case, str(entry[services.due_date_field])[:10])
        if not overdue:
            return 0
        already = set(
            Alert.objects.filter(tenant_id=tenant.pk, once_key__in=list(overdue)).values_list(
                "once_key", flat=True
            )
        )
        owner_ids = {case.owner_id for key, (case, _) in overdue.items() if key not in already}
        owners = User.objects.filter(tenant_id=tenant.pk).in_bulk(list(owner_ids))
        kind = services.record_type.replace("_", " ")
        alerts = raise_notices(
            Notice(
                owners[case.owner_id],
                SERVICE_OVERDUE,
                f"A service on {kind} {case.short_id} was due on {due} and is not implemented.",
                case,
                once_key=key,
            )
            for key, (case, due) in overdue.items()
            if key not in already and case.owner_id in owners
        )
    return len(alerts)
