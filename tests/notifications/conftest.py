from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _eager_celery(eager_celery: None) -> None:
    """Notification tasks run in-process, even with REDIS_URL set."""
