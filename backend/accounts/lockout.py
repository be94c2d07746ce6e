"""Lockout after consecutive failed sign-ins, per (tenant, username).

Counted for unknown usernames too, so that a lock does not reveal whether a user exists.
The callers record a failure and only raise after their transaction block has ended, so the
count is kept although the sign-in fails.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.accounts.models import LoginFailure

_MAX_USERNAME = LoginFailure._meta.get_field("username").max_length or 150


def current_lock(tenant_id: int, username: str) -> datetime | None:
    """When the username's lock ends, if it is locked now. Locks the counter row."""
    row = (
        LoginFailure.objects.select_for_update()
        .filter(tenant_id=tenant_id, username=username[:_MAX_USERNAME])
        .only("locked_until")
        .first()
    )
    if row is not None and row.locked_until and row.locked_until > timezone.now():
        return row.locked_until
    return None


def record_failure(tenant_id: int, username: str) -> datetime | None:
    """Count a failed sign-in; return the end of the lock when this failure locks it."""
    now = timezone.now()
    with transaction.atomic():
        row, _ = LoginFailure.objects.select_for_update().get_or_create(
            tenant_id=tenant_id, username=username[:_MAX_USERNAME]
        )
        if row.locked_until and row.locked_until <= now:  # a lock that ended starts afresh
            row.failures, row.locked_until = 0, None
        row.failures += 1
        row.last_failed_at = now
        if row.failures >= settings.LOGIN_LOCKOUT_THRESHOLD:
            row.locked_until = now + timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
        row.save()
        return row.locked_until


def clear_failures(tenant_id: int, username: str) -> None:
    LoginFailure.objects.filter(tenant_id=tenant_id, username=username[:_MAX_USERNAME]).delete()
