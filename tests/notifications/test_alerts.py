"""In-app alerts: written with the caller's change, each user sees and dismisses their own."""

from __future__ import annotations

import pytest
from django.db import transaction

from backend.errors import NotFound
from backend.notifications.models import Alert, OutboxEvent
from backend.notifications.services import (
    dismiss_alert,
    notify,
    notify_record_changed,
    user_alerts,
)
from tests.graphql_client import error_codes, gql, login, payload_codes, use_tenant
from tests.notifications.helpers import demo_user, make_case

pytestmark = pytest.mark.django_db

ALERTS = """
query($all: Boolean!) {
  alerts(includeDismissed: $all) {
    id kind message createdAt dismissedAt record { recordId recordType shortId }
  }
}
"""
DISMISS = """mutation($id: ID!) {
  dismissAlert(id: $id) { alert { id dismissedAt } errors { code } } }"""


class Rollback(Exception):
    pass


@pytest.fixture(autouse=True)
def _demo() -> None:
    use_tenant("demo")


def test_notify_writes_alerts_and_emails_in_the_callers_transaction() -> None:
    worker = demo_user("cp_worker", "worker@example.org")
    supervisor = demo_user("cp_supervisor")  # no e-mail address: an alert only
    case = make_case(worker)

    with transaction.atomic():
        notify([worker, supervisor], "referral", f"{case.short_id} was referred.", record=case)
        in_transaction = (Alert.objects.count(), OutboxEvent.objects.count())

    assert in_transaction == (2, 1)
    alerts = {a.user_id: a for a in Alert.objects.all()}
    assert set(alerts) == {worker.pk, supervisor.pk}
    assert alerts[worker.pk].record_id == case.pk
    event = OutboxEvent.objects.get()
    assert event.payload == {
        "recipient_id": worker.pk,
        "subject": "[Casework] Referral",
        "body": f"{case.short_id} was referred.\n\nSign in to Casework to see it.",
        "record_id": str(case.pk),
    }
    assert event.relayed_at is None
    assert event.delivered_at is None


def test_a_rolled_back_change_leaves_no_alert_and_no_email() -> None:
    worker = demo_user("cp_worker", "worker@example.org")

    def change_that_fails() -> None:
        with transaction.atomic():
            notify([worker], "transfer", "A case is being transferred to you.")
            raise Rollback

    with pytest.raises(Rollback):
        change_that_fails()

    assert Alert.objects.count() == 0
    assert OutboxEvent.objects.count() == 0


def test_the_actor_is_not_alerted() -> None:
    worker = demo_user("cp_worker", "worker@example.org")
    supervisor = demo_user("cp_supervisor", "supervisor@example.org")

    notify([worker, supervisor], "approval_request", "Approve a case plan.", actor=supervisor)

    assert list(Alert.objects.values_list("user_id", flat=True)) == [worker.pk]
    assert [e.payload["recipient_id"] for e in OutboxEvent.objects.all()] == [worker.pk]


def test_notify_without_email_writes_no_outbox_event() -> None:
    worker = demo_user("cp_worker", "worker@example.org")

    notify([worker], "approval_result", "Your case plan was approved.", email=False)

    assert Alert.objects.count() == 1
    assert OutboxEvent.objects.count() == 0


def test_a_change_by_someone_else_alerts_the_owner() -> None:
    worker = demo_user("cp_worker", "worker@example.org")
    supervisor = demo_user("cp_supervisor")
    case = make_case(worker)

    notify_record_changed(case, actor=supervisor)

    alert = Alert.objects.get()
    assert (alert.user_id, alert.kind, alert.record_id) == (worker.pk, "record_changed", case.pk)
    assert alert.message == f"Case {case.short_id} was changed by Cp Supervisor."
    assert OutboxEvent.objects.count() == 0  # in the app only, unless e-mail is asked for


def test_a_change_by_the_owner_alerts_nobody() -> None:
    worker = demo_user("cp_worker")
    case = make_case(worker)

    notify_record_changed(case, actor=worker)

    assert Alert.objects.count() == 0


def test_dismissing_an_alert_hides_it_from_the_default_list() -> None:
    worker = demo_user("cp_worker")
    notify([worker], "referral", "First.")
    notify([worker], "referral", "Second.")
    first = Alert.objects.get(message="First.")

    dismissed = dismiss_alert(worker, str(first.pk))

    assert dismissed.alert.dismissed_at is not None
    assert [v.alert.message for v in user_alerts(worker)] == ["Second."]
    assert {v.alert.message for v in user_alerts(worker, include_dismissed=True)} == {
        "First.",
        "Second.",
    }


def test_dismissing_another_users_alert_is_not_found() -> None:
    worker = demo_user("cp_worker")
    supervisor = demo_user("cp_supervisor")
    notify([worker], "referral", "For the worker.")
    alert = Alert.objects.get()

    with pytest.raises(NotFound):
        dismiss_alert(supervisor, str(alert.pk))

    alert.refresh_from_db()
    assert alert.dismissed_at is None


def test_the_alerts_query_returns_only_the_callers_alerts() -> None:
    worker = demo_user("cp_worker")
    case = make_case(worker)
    notify([worker], "referral", f"{case.short_id} was referred to you.", record=case)
    notify([demo_user("cp_supervisor")], "approval_request", "Not for the worker.")

    body = gql(ALERTS, {"all": False}, login("cp_worker")["accessToken"])

    assert "errors" not in body, body
    [alert] = body["data"]["alerts"]
    assert alert["kind"] == "referral"
    assert alert["message"] == f"{case.short_id} was referred to you."
    assert alert["dismissedAt"] is None
    assert alert["record"] == {
        "recordId": str(case.pk),
        "recordType": "case",
        "shortId": case.short_id,
    }


def test_an_alert_shows_no_record_the_user_cannot_see() -> None:
    # given a case of cp_worker's agency, and a user of another agency with an alert about it
    case = make_case(demo_user("cp_worker"))
    notify([demo_user("referral_worker")], "referral", "A referral was withdrawn.", record=case)

    body = gql(ALERTS, {"all": False}, login("referral_worker")["accessToken"])

    assert [a["record"] for a in body["data"]["alerts"]] == [None]


def test_dismiss_alert_over_graphql() -> None:
    worker = demo_user("cp_worker")
    notify([worker], "transfer", "A case is being transferred to you.")
    alert_id = str(Alert.objects.get().pk)
    token = login("cp_worker")["accessToken"]

    dismissed = gql(DISMISS, {"id": alert_id}, token)
    listed = gql(ALERTS, {"all": False}, token)
    listed_all = gql(ALERTS, {"all": True}, token)

    assert dismissed["data"]["dismissAlert"]["alert"]["dismissedAt"] is not None
    assert listed["data"]["alerts"] == []
    assert [a["id"] for a in listed_all["data"]["alerts"]] == [alert_id]


def test_dismissing_another_users_alert_over_graphql_is_not_found() -> None:
    notify([demo_user("cp_worker")], "transfer", "For the worker.")
    alert_id = str(Alert.objects.get().pk)

    body = gql(DISMISS, {"id": alert_id}, login("cp_supervisor")["accessToken"])

    assert payload_codes(body, "dismissAlert") == ["NOT_FOUND"]
    assert body["data"]["dismissAlert"]["alert"] is None


def test_alerts_need_a_signed_in_user() -> None:
    body = gql(ALERTS, {"all": False})

    assert error_codes(body) == ["UNAUTHENTICATED"]
