"""Overdue services: derived from the services subform, alerted once per service entry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from backend.notifications.models import Alert
from backend.notifications.overdue import raise_overdue_service_alerts
from backend.notifications.tasks import raise_overdue_service_alerts_for_all_tenants
from backend.tenancy.models import Tenant
from tests.graphql_client import use_tenant
from tests.notifications.helpers import demo_user, make_case

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)


def service(uid: str, due: str, implemented: bool | None = None) -> dict[str, object]:
    entry: dict[str, object] = {"uid": uid, "service_type": "health", "service_due_date": due}
    if implemented is not None:
        entry["service_implemented"] = implemented
    return entry


@pytest.fixture
def demo() -> Tenant:
    use_tenant("demo")
    return Tenant.objects.get(slug="demo")


def test_an_overdue_service_alerts_the_case_owner_once(demo: Tenant) -> None:
    worker = demo_user("cp_worker")
    case = make_case(worker, {"services": [service("s1", "2026-03-09")]})

    first = raise_overdue_service_alerts(demo, today=TODAY)
    second = raise_overdue_service_alerts(demo, today=TODAY + dt.timedelta(days=1))

    assert (first, second) == (1, 0)
    alert = Alert.objects.get()
    assert (alert.user_id, alert.kind, alert.record_id) == (worker.pk, "service_overdue", case.pk)
    assert alert.message == (
        f"A service on case {case.short_id} was due on 2026-03-09 and is not implemented."
    )


def test_each_overdue_entry_of_a_case_gets_its_own_alert(demo: Tenant) -> None:
    worker = demo_user("cp_worker")
    make_case(worker, {"services": [service("s1", "2026-03-01")]})
    case = make_case(worker, {"services": [service("s1", "2026-03-01")]})

    raise_overdue_service_alerts(demo, today=TODAY)
    case.data = {"services": [*case.data["services"], service("s2", "2026-03-05")]}
    case.save()
    later = raise_overdue_service_alerts(demo, today=TODAY)

    assert later == 1
    assert Alert.objects.count() == 3


def test_services_implemented_due_later_or_undated_raise_no_alert(demo: Tenant) -> None:
    make_case(
        demo_user("cp_worker"),
        {
            "services": [
                service("done", "2026-03-01", implemented=True),
                service("today", "2026-03-10"),
                service("later", "2026-04-01", implemented=False),
                {"uid": "undated", "service_type": "health"},
            ]
        },
    )

    assert raise_overdue_service_alerts(demo, today=TODAY) == 0
    assert Alert.objects.count() == 0


def test_closed_and_deleted_cases_raise_no_alert(demo: Tenant) -> None:
    worker = demo_user("cp_worker")
    overdue = {"services": [service("s1", "2026-03-01")]}
    make_case(worker, overdue, status="closed")
    make_case(worker, overdue, deleted_at=timezone.now())

    assert raise_overdue_service_alerts(demo, today=TODAY) == 0


def test_the_periodic_task_covers_every_tenant(demo: Tenant) -> None:
    worker = demo_user("cp_worker")
    make_case(worker, {"services": [service("s1", "2000-01-01")]})

    raised = raise_overdue_service_alerts_for_all_tenants()

    use_tenant("demo")
    assert raised == 1
    assert Alert.objects.filter(user=worker, kind="service_overdue").count() == 1
