"""Matching new records in the background: a new case or tracing request puts an event in
the outbox (with the record's creation, so a rolled-back record is never matched); the
Celery worker delivering it matches the record as its owner sees things and alerts the
owner of strong matches in the app. Alerts name records by short id only.
"""

from __future__ import annotations

from django.db.models import Q

from backend.accounts.models import User
from backend.matching.configuration import tenant_rules
from backend.matching.services import MAX_FIRST, potential_matches
from backend.notifications.models import Alert, OutboxEvent
from backend.notifications.outbox import enqueue_event
from backend.notifications.services import Notice, raise_notices
from backend.records.models import Record

POTENTIAL_MATCH = "potential_match"
MATCH_RECORD = OutboxEvent.Kind.MATCH_RECORD
NAMED_IN_ALERT = 5


def on_record_written(sender: object, *, record: Record, **_: object) -> None:
    """A record just created, of a type matched against others: match it after commit."""
    if record.revision != 1 or record.deleted_at is not None or record.owner_id is None:
        return
    tenant = record.tenant if Record.tenant.is_cached(record) else record.tenant_id
    if tenant_rules(tenant).from_source(record.record_type):
        enqueue_event(record.tenant_id, MATCH_RECORD, {"record_id": str(record.pk)})


def _label(record: Record) -> str:
    return f"{record.record_type.replace('_', ' ')} {record.short_id}"


def alert_strong_matches(record: Record) -> Alert | None:
    """Match `record` as its owner may see and alert the owner of its strong matches in
    scope (once per record); the alert, or None when there is nothing to say."""
    if record.owner_id is None:
        return None
    owner = (
        User.objects.select_related("role", "agency", "tenant")
        .filter(pk=record.owner_id, tenant_id=record.tenant_id, is_active=True)
        .first()
    )
    if owner is None:
        return None
    once_key = f"{POTENTIAL_MATCH}:{record.pk}"
    if Alert.objects.filter(tenant_id=record.tenant_id, once_key=once_key).exists():
        return None
    found = potential_matches(owner, record.record_type, record.pk, MAX_FIRST)
    strong = [c for c in found if c.band == "strong" and not c.out_of_scope]
    if not strong:
        return None
    named = ", ".join(f"{_label(c.record)} ({c.score:.2f})" for c in strong[:NAMED_IN_ALERT])
    more = len(strong) - NAMED_IN_ALERT
    message = f"{_label(record).capitalize()} may be the same person as {named}" + (
        f" and {more} more." if more > 0 else "."
    )
    notice = Notice(owner, POTENTIAL_MATCH, message, record, once_key=once_key)
    alerts = raise_notices([notice], email=False)
    return alerts[0] if alerts else None


def deliver_match(event: OutboxEvent) -> None:
    record = (
        Record.objects.filter(
            Q(deleted_at__isnull=True), pk=event.payload.get("record_id"), tenant_id=event.tenant_id
        )
        .select_related("tenant")
        .first()
    )
    if record is not None:
        alert_strong_matches(record)
