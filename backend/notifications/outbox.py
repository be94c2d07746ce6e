"""The outbox: side effects written with the change, relayed to Celery, delivered once.

An event is written in the caller's transaction. After commit it is handed to the broker;
when the broker is down that hand-off fails quietly and the event waits, unrelayed, for
`relay_pending` (run by `manage.py relay_outbox` and by Celery beat). Delivery locks the
event's row and skips it once delivered, so a message relayed twice is delivered once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import redis
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backend.accounts.models import User
from backend.notifications.models import OutboxEvent
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant

logger = logging.getLogger(__name__)

# An event that failed this many deliveries stays in the table (with last_error) for operators.
MAX_ATTEMPTS = 10
# Publishing must not hold up a request for long when the broker is down: one quick retry.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
# A key the relay keeps in the broker's Redis: gone when Redis came back empty (restarted
# without persistence, flushed, failed over to an empty replica), and with it every message
# it held. While the relay catches up it holds the moment it found it gone.
BROKER_MARK_KEY = "casework:outbox:broker-mark"
BROKER_MARK_CAUGHT_UP = "caught-up"


def enqueue_email(
    tenant_id: int, recipient: User, subject: str, body: str, record_id: uuid.UUID | None
) -> OutboxEvent:
    """Write an e-mail to a user into the outbox, in the current transaction."""
    return OutboxEvent.objects.create(
        tenant_id=tenant_id,
        kind=OutboxEvent.Kind.EMAIL,
        payload={
            "recipient_id": recipient.pk,
            "subject": subject,
            "body": body,
            "record_id": str(record_id) if record_id else None,
        },
    )


def enqueue_event(tenant_id: int, kind: str, payload: dict[str, Any]) -> OutboxEvent:
    """Write an event of a kind another app handles (see `handle_with`) into the outbox, in
    the current transaction, and relay it once that commits."""
    event = OutboxEvent.objects.create(tenant_id=tenant_id, kind=kind, payload=payload)
    relay_on_commit(tenant_id, [event.pk])
    return event


def relay_on_commit(tenant_id: int, event_ids: Sequence[uuid.UUID]) -> None:
    """Hand the events to the broker once the current transaction commits (never raises)."""
    ids = list(event_ids)
    if ids:
        transaction.on_commit(lambda: _relay_committed(tenant_id, ids), robust=True)


def _relay_committed(tenant_id: int, event_ids: list[uuid.UUID]) -> None:
    published = []
    for event_id in event_ids:
        if not _publish(tenant_id, event_id):
            break  # the broker is down: relay_pending picks the rest up later
        published.append(event_id)
    if published:
        try:
            with tenant_transaction(tenant_id):
                OutboxEvent.objects.filter(pk__in=published, relayed_at__isnull=True).update(
                    relayed_at=timezone.now()
                )
        except Exception:
            # Left unmarked, the events are relayed again and delivered once all the same.
            logger.warning("could not mark outbox events relayed", exc_info=True)


_delivery: list[Any] = []


def deliver_with(task: Any) -> None:
    """The Celery task that delivers an event (set by the app at start-up: the tasks module
    imports this one, so this one does not import it back)."""
    _delivery[:] = [task]


def _publish(tenant_id: int, event_id: uuid.UUID) -> bool:
    try:
        (deliver_event,) = _delivery
        deliver_event.apply_async(
            args=[tenant_id, str(event_id)], retry=True, retry_policy=PUBLISH_RETRY_POLICY
        )
    except Exception as exc:
        logger.warning("outbox event %s not relayed, broker unavailable: %s", event_id, exc)
        return False
    return True


def relay_pending(limit: int = 500) -> int:
    """Publish undelivered events never relayed, or relayed long ago; returns how many.
    When the broker came back empty, every undelivered event relayed before that is relayed
    again at once: what it held is lost, and OUTBOX_REDELIVER_AFTER_SECONDS would leave it
    there for minutes.

    Stops at the first publish that fails (the broker is down); the rest wait for next time.
    """
    mark = _broker_emptied_mark()
    emptied_at = datetime.fromisoformat(mark) if mark is not None else None
    relayed = 0
    complete = True
    for tenant_id in Tenant.objects.order_by("pk").values_list("pk", flat=True):
        if relayed >= limit:
            complete = False
            break
        count, broker_up = _relay_tenant(tenant_id, limit - relayed, emptied_at)
        relayed += count
        if not broker_up:
            complete = False
            break
    if mark is not None and complete and relayed < limit:
        _caught_up(mark)
    return relayed


def _broker_redis() -> redis.Redis | None:
    app = _delivery[0].app if _delivery else None
    if app is None or app.conf.task_always_eager:
        return None
    url = str(app.conf.broker_url or "")
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


def _broker_emptied_mark() -> str | None:
    """When the relay found the broker empty (ISO 8601), while it has not caught up since."""
    client = _broker_redis()
    if client is None:
        return None
    try:
        # The first to find the mark gone starts the catch-up, from this moment on.
        client.set(BROKER_MARK_KEY, timezone.now().isoformat(), nx=True)
        mark = client.get(BROKER_MARK_KEY)
    except redis.RedisError:
        return None  # down: nothing is published this time anyway
    finally:
        client.close()
    text = mark.decode() if isinstance(mark, bytes) else str(mark or "")
    return None if not text or text == BROKER_MARK_CAUGHT_UP else text


# Caught up with this emptying only: a later one (the key gone again) starts its own.
_CAUGHT_UP_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('set', KEYS[1], ARGV[2]) end
"""


def _caught_up(mark: str) -> None:
    client = _broker_redis()
    if client is None:
        return
    try:
        client.eval(_CAUGHT_UP_SCRIPT, 1, BROKER_MARK_KEY, mark, BROKER_MARK_CAUGHT_UP)
    except redis.RedisError:
        pass  # the next pass relays again what this one did: delivered once all the same
    finally:
        client.close()


def _relay_tenant(tenant_id: int, limit: int, emptied_at: datetime | None) -> tuple[int, bool]:
    now = timezone.now()
    lost_after = now - timedelta(seconds=settings.OUTBOX_REDELIVER_AFTER_SECONDS)
    if emptied_at is not None:
        lost_after = max(lost_after, emptied_at)
    with tenant_transaction(tenant_id):
        pending = list(
            OutboxEvent.objects.select_for_update(skip_locked=True)
            .filter(tenant_id=tenant_id, delivered_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
            .filter(Q(relayed_at__isnull=True) | Q(relayed_at__lt=lost_after))
            .order_by("created_at")
            .values_list("pk", flat=True)[:limit]
        )
        published = []
        for event_id in pending:
            if not _publish(tenant_id, event_id):
                break
            published.append(event_id)
        OutboxEvent.objects.filter(pk__in=published).update(relayed_at=timezone.now())
    return len(published), len(published) == len(pending)


def deliver(tenant_id: int, event_id: str | uuid.UUID) -> bool:
    """Run one event's side effect unless already done; True when it was delivered now."""
    with tenant_transaction(tenant_id):
        # The row lock makes a duplicate delivery wait, then see delivered_at and skip.
        event = (
            OutboxEvent.objects.select_for_update().filter(pk=event_id, tenant_id=tenant_id).first()
        )
        if event is None or event.delivered_at is not None:
            return False
        event.attempts += 1
        try:
            _HANDLERS[event.kind](event)
        except Exception as exc:
            logger.warning("outbox event %s failed: %s", event.pk, exc, exc_info=True)
            event.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            event.save(update_fields=["attempts", "last_error"])
            return False
        event.delivered_at = timezone.now()
        event.save(update_fields=["attempts", "last_error", "delivered_at"])
        return True


def message_id(event: OutboxEvent) -> str:
    """The e-mail's Message-ID: one per event, so a receiving server can spot a duplicate."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "casework"
    return f"<{event.pk}@{domain}>"


def _send_email(event: OutboxEvent) -> None:
    payload: dict[str, Any] = event.payload
    recipient = User.objects.filter(pk=payload["recipient_id"], tenant_id=event.tenant_id).first()
    if recipient is None or not recipient.is_active or not recipient.email:
        event.last_error = "not sent: the recipient has no e-mail address or is disabled"
        return
    EmailMessage(
        subject=payload["subject"],
        body=payload["body"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={"Message-ID": message_id(event)},
    ).send()


_HANDLERS: dict[str, Callable[[OutboxEvent], None]] = {OutboxEvent.Kind.EMAIL: _send_email}


def handle_with(kind: str, handler: Callable[[OutboxEvent], None]) -> None:
    """How events of `kind` are delivered (set by the app that owns the kind at start-up:
    it imports this module, never the other way round). The handler runs in the
    delivering transaction; raising leaves the event for a later attempt."""
    _HANDLERS[kind] = handler
