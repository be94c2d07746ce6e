"""Tasks run in-process, even with REDIS_URL set: for tests of what a task does, not of the
broker (the broker tests turn this off themselves). The fixture is registered for every
test by tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from backend.celery import app as celery_app


@contextmanager
def tasks_in_process() -> Iterator[None]:
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = saved


@pytest.fixture
def eager_celery() -> Iterator[None]:
    with tasks_in_process():
        yield
