"""Sign-in throttling: fixed-window attempt counters in the cache, per client address and per
(tenant, username). Redis (REDIS_URL) shares them between processes."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

from backend.accounts.errors import TooManyRequests


def _count(key: str, window: int) -> int:
    bucket = f"login-throttle:{key}:{int(time.time()) // window}"
    cache.add(bucket, 0, timeout=window + 1)
    try:
        return cache.incr(bucket)
    except ValueError:  # the bucket expired between add and incr
        cache.set(bucket, 1, timeout=window + 1)
        return 1


def _username_key(tenant_slug: str, username: str) -> str:
    digest = hashlib.sha256(f"{tenant_slug}\0{username}".encode()).hexdigest()
    return f"user:{digest}"


def check_login_attempt(
    *, client_ip: str | None, tenant_slug: str | None = None, username: str | None = None
) -> None:
    """Count one sign-in attempt; raise TooManyRequests when a limit is passed."""
    window = settings.LOGIN_RATE_LIMIT_WINDOW_SECONDS
    over = False
    if client_ip:
        over |= _count(f"ip:{client_ip}", window) > settings.LOGIN_RATE_LIMIT_PER_IP
    if tenant_slug is not None and username is not None:
        over |= (
            _count(_username_key(tenant_slug, username), window)
            > settings.LOGIN_RATE_LIMIT_PER_USERNAME
        )
    if over:
        raise TooManyRequests(retry_after=window - int(time.time()) % window)
