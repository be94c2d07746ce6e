"""Each test starts with no sign-in attempts counted and an empty cache (cached JWKS). The
counters are committed on their own connection, so the test's rollback would not undo them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from backend.accounts.attempt_counters import forget_all_attempts


@pytest.fixture(autouse=True)
def fresh_auth_cache(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        forget_all_attempts()
    location = f"test-{uuid.uuid4().hex}"
    backend = "django.core.cache.backends.locmem.LocMemCache"
    with override_settings(CACHES={"default": {"BACKEND": backend, "LOCATION": location}}):
        yield
