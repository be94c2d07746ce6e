"""The outbox, with Celery eager: relayed after commit, delivered once, picked up when missed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from kombu.exceptions import OperationalError

from backend.notifications import outbox
from backend.notifications.models import OutboxEvent
from backend.notifications.services import notify
from backend.notifications.tasks import deliver_event
from tests.graphql_client import use_tenant
from tests.notifications.helpers import demo_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo() -> None:
    use_tenant("demo")


def relay_pending() -> int:
    """Relay as the relay process would; it visits every tenant, so come back to demo after."""
    relayed = outbox.relay_pending()
    use_tenant("demo")
    return relayed


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(deliver_event, "apply_async", refuse)


def test_after_commit_the_email_is_sent_once_with_the_event_as_message_id(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    worker = demo_user("cp_worker", "worker@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        notify([worker], "referral", "A case was referred to you.")

    event = OutboxEvent.objects.get()
    assert event.relayed_at is not None
    assert event.delivered_at is not None
    assert event.attempts == 1
    [email] = mail.outbox
    assert email.to == ["worker@example.org"]
    assert email.subject == "[Casework] Referral"
    assert email.extra_headers["Message-ID"] == f"<{event.pk}@localhost>"


def test_nothing_is_sent_before_commit() -> None:
    notify([demo_user("cp_worker", "worker@example.org")], "referral", "Referred.")

    assert mail.outbox == []


def test_delivering_an_event_twice_sends_one_email() -> None:
    notify([demo_user("cp_worker", "worker@example.org")], "referral", "Referred.")
    event = OutboxEvent.objects.get()

    first = outbox.deliver(event.tenant_id, event.pk)
    second = outbox.deliver(event.tenant_id, event.pk)

    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1


def test_a_broker_outage_at_commit_keeps_the_change_and_the_event(
    django_capture_on_commit_callbacks: Callable[..., Any], broker_down: None
) -> None:
    worker = demo_user("cp_worker", "worker@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        notify([worker], "transfer", "A case is being transferred to you.")

    event = OutboxEvent.objects.get()
    assert (event.relayed_at, event.delivered_at) == (None, None)
    assert mail.outbox == []


def test_relay_pending_delivers_what_the_broker_missed() -> None:
    notify([demo_user("cp_worker", "worker@example.org")], "transfer", "Transferred.")

    relayed = relay_pending()

    assert relayed == 1
    assert OutboxEvent.objects.get().delivered_at is not None
    assert len(mail.outbox) == 1
    assert relay_pending() == 0
    assert len(mail.outbox) == 1


def test_relay_pending_stops_quietly_while_the_broker_is_down(broker_down: None) -> None:
    notify([demo_user("cp_worker", "worker@example.org")], "transfer", "Transferred.")

    assert relay_pending() == 0
    assert OutboxEvent.objects.get().relayed_at is None


def test_an_event_relayed_long_ago_but_never_delivered_is_relayed_again() -> None:
    worker = demo_user("cp_worker", "worker@example.org")
    notify([worker], "referral", "Lost on the way.")
    notify([worker], "referral", "On its way.")
    now = timezone.now()
    OutboxEvent.objects.filter(payload__body__startswith="Lost").update(
        relayed_at=now - timedelta(minutes=11)
    )
    OutboxEvent.objects.filter(payload__body__startswith="On its way").update(
        relayed_at=now - timedelta(minutes=1)
    )

    relayed = relay_pending()

    assert relayed == 1
    assert [m.body.splitlines()[0] for m in mail.outbox] == ["Lost on the way."]


def test_a_failed_send_is_recorded_and_retried_later(monkeypatch: pytest.MonkeyPatch) -> None:
    notify([demo_user("cp_worker", "worker@example.org")], "referral", "Referred.")
    event = OutboxEvent.objects.get()

    def smtp_down(self: Any, messages: Any) -> int:
        raise ConnectionRefusedError("SMTP server unreachable")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", smtp_down)
    assert relay_pending() == 1
    event.refresh_from_db()
    assert (event.delivered_at, event.attempts) == (None, 1)
    assert event.last_error == "ConnectionRefusedError: SMTP server unreachable"
    assert relay_pending() == 0  # relayed just now: not again before the delay

    monkeypatch.undo()
    OutboxEvent.objects.update(relayed_at=timezone.now() - timedelta(minutes=11))
    assert relay_pending() == 1
    event.refresh_from_db()
    assert (event.delivered_at is not None, event.attempts) == (True, 2)
    assert len(mail.outbox) == 1


def test_a_disabled_recipient_gets_no_email() -> None:
    worker = demo_user("cp_worker", "worker@example.org")
    notify([worker], "referral", "Referred.")
    worker.is_active = False
    worker.save(update_fields=["is_active"])

    relay_pending()

    assert mail.outbox == []
    assert OutboxEvent.objects.get().delivered_at is not None


def test_the_relay_command_runs_once() -> None:
    notify([demo_user("cp_worker", "worker@example.org")], "referral", "Referred.")
    out = StringIO()

    call_command("relay_outbox", stdout=out)
    use_tenant("demo")

    assert out.getvalue() == "relayed 1 outbox event(s)\n"
    assert len(mail.outbox) == 1
