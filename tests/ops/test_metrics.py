"""GET /metrics: what Prometheus scrapes, behind METRICS_TOKEN."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from backend.health.tasks import probe_worker
from backend.notifications.models import OutboxEvent
from backend.notifications.services import notify
from graphql_schema import registry
from tests.graphql_client import gql, login, use_tenant
from tests.notifications.helpers import demo_user

pytestmark = pytest.mark.django_db
TOKEN = "scrape-token-for-tests-0123456789"
ME_QUERY = "query WhoAmI { me { username } }"


@pytest.fixture(autouse=True)
def _metrics_token(settings: Any) -> None:
    settings.METRICS_TOKEN = TOKEN


def scrape() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_do_not_exist_without_a_configured_token(settings: Any) -> None:
    settings.METRICS_TOKEN = ""

    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {TOKEN}"])
def test_metrics_refuse_a_scraper_without_the_token(header: str | None) -> None:
    extra = {"HTTP_AUTHORIZATION": header} if header else {}

    response = Client().get("/metrics", **extra)  # type: ignore[arg-type]

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert b"casework_" not in response.content


def test_a_named_operation_is_timed_and_its_queries_counted_under_its_name() -> None:
    token = login("cp_worker")["accessToken"]
    before = scrape()

    gql(ME_QUERY, token=token)
    gql(ME_QUERY, token=token)

    after = scrape()
    count = "casework_graphql_request_duration_seconds_count"
    assert value(after, count, operation="WhoAmI") - value(before, count, operation="WhoAmI") == 2
    queries = "casework_db_queries_per_request_sum"
    assert value(after, queries, operation="WhoAmI") > value(before, queries, operation="WhoAmI")
    requests = "casework_http_requests_total"
    labels = {"method": "POST", "endpoint": "graphql", "status": "200"}
    assert value(after, requests, **labels) - value(before, requests, **labels) == 2


def test_error_codes_are_counted() -> None:
    token = login("cp_worker")["accessToken"]
    before = scrape()

    gql("query Broken { noSuchField }", token=token)
    Client().post("/graphql", data="not json", content_type="text/plain")

    after = scrape()
    errors = "casework_graphql_errors_total"
    for code in ("GRAPHQL_VALIDATION_FAILED", "UNSUPPORTED_MEDIA_TYPE"):
        assert value(after, errors, code=code) - value(before, errors, code=code) == 1


def test_client_chosen_operation_names_cannot_grow_the_series() -> None:
    before = scrape()

    Client().post(
        "/graphql",
        data=json.dumps({"query": "{ __typename }", "operationName": "x y; DROP"}),
        content_type="application/json",
    )

    after = scrape()
    names = {labels for (name, labels) in after if name.startswith("casework_graphql_req")}
    assert all(("operation", "x y; DROP") not in labels for labels in names)
    count = "casework_graphql_request_duration_seconds_count"
    assert value(after, count, operation="other") - value(before, count, operation="other") == 1


def test_the_outbox_backlog_shows_how_many_wait_and_since_when(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    use_tenant("demo")
    worker = demo_user("cp_worker", "worker@example.org")
    with django_capture_on_commit_callbacks(execute=False):  # the broker never hears of it
        notify([worker], "referral", "A case was referred to you.")
    assert OutboxEvent.objects.filter(delivered_at__isnull=True).count() == 1

    samples = scrape()

    assert value(samples, "casework_outbox_undelivered_events") == 1
    assert value(samples, "casework_outbox_oldest_undelivered_age_seconds") >= 0


def test_schema_compilation_is_timed() -> None:
    token = login("cp_worker")["accessToken"]
    registry._schemas.clear()
    before = scrape()

    gql(ME_QUERY, token=token)

    after = scrape()
    count = "casework_schema_compile_seconds_count"
    assert value(after, count) - value(before, count) == 1


@pytest.mark.usefixtures("eager_celery")  # the task runs here, with or without a broker
def test_task_outcomes_are_counted() -> None:
    before = scrape()

    probe_worker.delay()

    after = scrape()
    tasks = "casework_celery_tasks_total"
    labels = {"task": "health.probe_worker", "outcome": "success"}
    assert value(after, tasks, **labels) - value(before, tasks, **labels) == 1


def test_probes_and_metrics_answer_whatever_the_host_header() -> None:
    client = Client(HTTP_HOST="10.244.3.17:8000")  # a kubelet calls the pod by its address

    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    assert client.post("/graphql", data="{}", content_type="application/json").status_code == 400
