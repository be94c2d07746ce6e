"""Sign-in throttling: fixed-window attempt counters per client address and per (tenant,
username), kept in PostgreSQL so that the limits hold across every worker and server."""

from __future__ import annotations

import hashlib

from django.conf import settings

from backend.accounts.attempt_counters import count_attempts
from backend.accounts.errors import TooManyRequests


def _bucket(kind: str, *parts: str) -> str:
    # Hashed: the table holds neither client addresses nor usernames.
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()
    return f"{kind}:{digest}"


def check_login_attempt(
    *, client_ip: str | None, tenant_slug: str | None = None, username: str | None = None
) -> None:
    """Count one sign-in attempt; raise TooManyRequests when a limit is passed. The count is
    committed at once, whatever becomes of the caller's transaction."""
    limits: dict[str, int] = {}
    if client_ip:
        limits[_bucket("ip", client_ip)] = settings.LOGIN_RATE_LIMIT_PER_IP
    if tenant_slug is not None and username is not None:
        limits[_bucket("user", tenant_slug, username)] = settings.LOGIN_RATE_LIMIT_PER_USERNAME
    if not limits:
        return
    counts = count_attempts(limits, settings.LOGIN_RATE_LIMIT_WINDOW_SECONDS)
    if any(counts.attempts[bucket] > limit for bucket, limit in limits.items()):
        raise TooManyRequests(retry_after=counts.seconds_left)
