"""Each test gets an empty cache: sign-in throttle counters and cached JWKS do not leak from
one test into the next (the database rolls back; the cache would not)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.test import override_settings


@pytest.fixture(autouse=True)
def fresh_auth_cache() -> Iterator[None]:
    location = f"test-{uuid.uuid4().hex}"
    backend = "django.core.cache.backends.locmem.LocMemCache"
    with override_settings(CACHES={"default": {"BACKEND": backend, "LOCATION": location}}):
        yield
