from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend.celery import app as celery_app


@pytest.fixture(autouse=True)
def _eager_celery() -> Iterator[None]:
    """Tasks run in-process, even with REDIS_URL set; the broker test turns this off itself."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved
