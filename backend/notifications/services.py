"""Alerting users: in-app alerts, and e-mail through the outbox.

`notify` is called by other services inside their own transaction: what it writes commits or
rolls back with the change that caused it, and e-mail leaves only after commit.
Messages go out by e-mail: they name records by short id and never carry personal data.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.errors import NotFound
from backend.ids import parse_id
from backend.notifications.models import Alert
from backend.notifications.outbox import enqueue_email, relay_on_commit
from backend.records.access import VisibleRecord, visible_among
from backend.records.models import Record
from backend.tenancy.context import tenant_transaction

# The kinds raised by the platform; other snake-case kinds are accepted as well.
RECORD_CHANGED = "record_changed"
SERVICE_OVERDUE = "service_overdue"
KINDS = (
    RECORD_CHANGED,
    "referral",
    "transfer",
    "transfer_request",
    "approval_request",
    "approval_result",
    SERVICE_OVERDUE,
    "sync_conflict",
)

EMAIL_FOOTER = "\n\nSign in to Casework to see it."
MAX_ALERTS = 500


@dataclass(frozen=True)
class Notice:
    """One alert for one user; `once_key` makes it at most once per tenant."""

    user: User
    kind: str
    message: str
    record: Record | None = None
    once_key: str = ""


@dataclass(frozen=True)
class AlertView:
    """An alert and its record, when the user may still see that record."""

    alert: Alert
    record: Record | None


def notify(
    recipients: Iterable[User],
    kind: str,
    message: str,
    *,
    record: Record | None = None,
    actor: User | None = None,
    email: bool = True,
) -> None:
    """Alert each recipient but the actor, and e-mail those with an address, on commit."""
    actor_id = actor.pk if actor is not None else None
    raise_notices(
        [
            Notice(user, kind, message, record)
            for user in recipients
            if user is not None and user.pk != actor_id
        ],
        email=email,
    )


def notify_record_changed(record: Record, actor: User, *, email: bool = False) -> None:
    """Tell a record's owner that someone else changed it (in the app; by e-mail on request:
    every edit by a supervisor would otherwise be an e-mail)."""
    if record.owner_id is None or record.owner_id == actor.pk:
        return
    who = actor.full_name or actor.username
    label = record.record_type.replace("_", " ").capitalize()
    notify(
        [record.owner],  # type: ignore[list-item]
        RECORD_CHANGED,
        f"{label} {record.short_id} was changed by {who}.",
        record=record,
        actor=actor,
        email=email,
    )


def on_record_changed(sender: object, *, record: Record, actor: User, **_: object) -> None:
    notify_record_changed(record, actor)


def raise_notices(notices: Iterable[Notice], *, email: bool = True) -> list[Alert]:
    """Write the alerts (and e-mails to the outbox) in the current transaction.

    Inactive users and repeated recipients of the same alert are skipped.
    """
    unique: dict[tuple[object, ...], Notice] = {}
    for notice in notices:
        if notice.user.is_active:
            record_id = notice.record.pk if notice.record is not None else None
            key = (notice.user.pk, notice.kind, record_id, notice.once_key)
            unique.setdefault(key, notice)
    if not unique:
        return []
    tenant_ids = {n.user.tenant_id for n in unique.values()}
    if len(tenant_ids) != 1:
        raise ValueError("notify: recipients must belong to one tenant")
    tenant_id = tenant_ids.pop()
    with tenant_transaction(tenant_id):
        alerts = Alert.objects.bulk_create(
            Alert(
                tenant_id=tenant_id,
                user=n.user,
                record=n.record,
                kind=n.kind,
                message=n.message,
                once_key=n.once_key,
            )
            for n in unique.values()
        )
        if email:
            events = [
                enqueue_email(
                    tenant_id,
                    n.user,
                    f"[Casework] {n.kind.replace('_', ' ').capitalize()}",
                    n.message + EMAIL_FOOTER,
                    n.record.pk if n.record is not None else None,
                )
                for n in unique.values()
                if n.user.email
            ]
            relay_on_commit(tenant_id, [e.pk for e in events])
    return alerts


def user_alerts(
    user: User, *, include_dismissed: bool = False, limit: int = 100
) -> list[AlertView]:
    """The user's own alerts, newest first."""
    alerts = Alert.objects.filter(tenant_id=user.tenant_id, user=user).select_related("record")
    if not include_dismissed:
        alerts = alerts.filter(dismissed_at__isnull=True)
    found = list(alerts[: max(0, min(limit, MAX_ALERTS))])
    visible = visible_among(user, [a.record for a in found if a.record is not None])
    return [
        AlertView(alert, _seen(visible, alert.record_id) if alert.record_id else None)
        for alert in found
    ]


def _seen(visible: Mapping[uuid.UUID, VisibleRecord], record_id: uuid.UUID) -> Record | None:
    found = visible.get(record_id)
    return found.record if found is not None else None


def records_alerts(user: User, records: Sequence[Record]) -> dict[uuid.UUID, list[AlertView]]:
    """The user's open alerts about each of some records they can see (the caller checked
    that), in one query."""
    by_record: dict[uuid.UUID, list[AlertView]] = {r.pk: [] for r in records}
    records_by_pk = {r.pk: r for r in records}
    alerts = Alert.objects.filter(
        tenant_id=user.tenant_id,
        user=user,
        record_id__in=list(by_record),
        dismissed_at__isnull=True,
    ).order_by("-created_at", "-id")
    for alert in alerts:
        if alert.record_id is None:
            continue
        views = by_record[alert.record_id]
        if len(views) < MAX_ALERTS:
            views.append(AlertView(alert, records_by_pk[alert.record_id]))
    return by_record


def dismiss_alert(user: User, alert_id: str) -> AlertView:
    """Dismiss one of the user's alerts (again: no change). NOT_FOUND for anyone else's."""
    pk = parse_id(alert_id)
    with transaction.atomic():
        alert = (
            Alert.objects.select_for_update()
            .filter(pk=pk, tenant_id=user.tenant_id, user=user)
            .first()
        )
        if alert is None:
            raise NotFound(f"No alert with id {alert_id}.")
        if alert.dismissed_at is None:
            alert.dismissed_at = timezone.now()
            alert.save(update_fields=["dismissed_at"])
    visible = visible_among(user, [alert.record] if alert.record is not None else [])
    return AlertView(alert, _seen(visible, alert.record_id) if alert.record_id else None)


def own_alerts(user: User, alert_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, AlertView]:
    """The user's own alerts among some ids; anyone else's or missing ones are left out."""
    alerts = list(
        Alert.objects.filter(pk__in=alert_ids, tenant_id=user.tenant_id, user=user).select_related(
            "record"
        )
    )
    visible = visible_among(user, [a.record for a in alerts if a.record is not None])
    return {
        a.pk: AlertView(a, _seen(visible, a.record_id) if a.record_id else None) for a in alerts
    }
