"""Tasks reach a real worker through Redis when REDIS_URL is set, and run eagerly without it."""

from __future__ import annotations

import os
import uuid

import pytest
from django.conf import settings

from backend.celery import app as celery_app
from backend.health.tasks import probe_worker
from tests.processes import celery_worker

pytestmark = pytest.mark.django_db


def _require_redis() -> None:
    if not settings.REDIS_URL:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but REDIS_URL is unset")
        pytest.skip("REDIS_URL is unset: tasks run eagerly in-process")


@pytest.mark.services
def test_a_task_runs_in_a_real_worker_through_redis() -> None:
    _require_redis()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    celery_app.conf.task_default_queue = queue
    try:
        with celery_worker(queue):
            result = probe_worker.delay().get(timeout=90)
    finally:
        celery_app.conf.task_default_queue = settings.CELERY_TASK_DEFAULT_QUEUE

    assert result["pid"] != os.getpid()
    assert result["database"] is True


def test_without_redis_tasks_run_in_process() -> None:
    if settings.REDIS_URL:
        pytest.skip("REDIS_URL is set: covered by the worker test")

    result = probe_worker.delay().get(timeout=10)

    assert result == {**result, "pid": os.getpid(), "database": True}
