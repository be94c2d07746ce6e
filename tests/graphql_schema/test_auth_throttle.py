"""Sign-in throttle counters in PostgreSQL: committed whatever the request's transaction does,
holding no address or username, and old windows swept away."""

from __future__ import annotations

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import override_settings
from django.utils import timezone

from backend.accounts.models import SignInAttemptWindow
from backend.accounts.throttle import check_login_attempt
from tests.auth_helpers import attempt_login
from tests.graphql_client import error_codes
from tests.tenants import make_tenant

pytestmark = pytest.mark.django_db

LONG_WINDOW = override_settings(LOGIN_RATE_LIMIT_WINDOW_SECONDS=86400)


class RequestFailed(Exception):
    pass


def _attempt_in_a_request_that_fails(tenant: str, username: str, ip: str) -> None:
    with transaction.atomic():
        check_login_attempt(client_ip=ip, tenant_slug=tenant, username=username)
        raise RequestFailed


@LONG_WINDOW
@override_settings(LOGIN_RATE_LIMIT_PER_IP=1)
def test_an_attempt_stays_counted_when_the_request_transaction_rolls_back() -> None:
    scratch = make_tenant()
    with pytest.raises(RequestFailed):
        _attempt_in_a_request_that_fails(scratch.slug, "admin", "203.0.113.20")

    body = attempt_login(scratch.slug, "admin", ip="203.0.113.20")

    assert error_codes(body) == ["TOO_MANY_REQUESTS"]


@LONG_WINDOW
def test_the_counters_hold_no_client_address_or_username() -> None:
    scratch = make_tenant()

    attempt_login(scratch.slug, "worker", ip="203.0.113.21")

    buckets = list(SignInAttemptWindow.objects.values_list("bucket", flat=True))
    assert len(buckets) == 2
    assert not [b for b in buckets if "203.0.113.21" in b or "worker" in b or scratch.slug in b]


def _commit_an_ended_window(bucket: str) -> None:
    # The counters live on their own autocommit connection: the ended window must be
    # committed, not written inside the test's transaction, for the sweep to see it.
    connection = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {SignInAttemptWindow._meta.db_table}"
                " (bucket, window_start, expires_at, attempts)"
                " VALUES (%s, now() - interval '2 hours', now() - interval '1 hour', 3)",
                [bucket],
            )
    finally:
        connection.close()


@LONG_WINDOW
def test_a_new_window_sweeps_away_windows_that_have_ended() -> None:
    _commit_an_ended_window("ended-window")

    check_login_attempt(client_ip="203.0.113.23")

    remaining = list(SignInAttemptWindow.objects.all())
    assert len(remaining) == 1
    assert remaining[0].bucket != "ended-window"
    assert remaining[0].expires_at > timezone.now()
