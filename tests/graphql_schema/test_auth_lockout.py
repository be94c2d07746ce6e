"""Lockout after repeated failed sign-ins, and sign-in throttling, as a client sees them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from backend.accounts.models import LoginFailure
from tests.auth_helpers import attempt_login
from tests.graphql_client import error_codes, use_tenant
from tests.tenants import make_tenant

pytestmark = pytest.mark.django_db

BAD_CREDENTIALS = "Unknown tenant, username or password."
# One window for the whole test: no counter resets at a minute boundary mid-test.
LONG_WINDOW = override_settings(LOGIN_RATE_LIMIT_WINDOW_SECONDS=86400)


def _fail(tenant: str, username: str, times: int) -> list[dict]:
    return [attempt_login(tenant, username, "Wrong-password-99") for _ in range(times)]


def test_four_failures_are_plain_bad_credentials_and_the_fifth_locks_the_account() -> None:
    scratch = make_tenant()

    first_four = _fail(scratch.slug, "worker", 4)
    fifth = _fail(scratch.slug, "worker", 1)[0]

    assert [error_codes(body) for body in first_four] == [["UNAUTHENTICATED"]] * 4
    assert {body["errors"][0]["message"] for body in first_four} == {BAD_CREDENTIALS}
    assert error_codes(fifth) == ["ACCOUNT_LOCKED"]
    assert "locked until" in fifth["errors"][0]["message"]
    assert fifth["errors"][0]["extensions"]["lockedUntil"]


def test_a_locked_account_refuses_even_the_right_password_and_says_when_it_unlocks() -> None:
    scratch = make_tenant()
    _fail(scratch.slug, "worker", 5)

    body = attempt_login(scratch.slug, "worker")

    assert body["data"] is None
    assert error_codes(body) == ["ACCOUNT_LOCKED"]
    locked_until = body["errors"][0]["extensions"]["lockedUntil"]
    expected = timezone.now() + timedelta(minutes=15)
    assert abs(timezone.datetime.fromisoformat(locked_until) - expected) < timedelta(minutes=1)
    assert locked_until[:10] in body["errors"][0]["message"]


def test_failed_attempts_are_kept_although_the_login_request_fails() -> None:
    scratch = make_tenant()

    _fail(scratch.slug, "worker", 2)

    use_tenant(scratch.slug)
    assert LoginFailure.objects.get(username="worker").failures == 2


def test_the_lock_ends_after_the_lockout_period() -> None:
    scratch = make_tenant()
    _fail(scratch.slug, "worker", 5)
    use_tenant(scratch.slug)
    LoginFailure.objects.filter(username="worker").update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )

    body = attempt_login(scratch.slug, "worker")

    assert "errors" not in body
    assert body["data"]["login"]["accessToken"]


def test_a_successful_login_resets_the_failure_count() -> None:
    scratch = make_tenant()
    _fail(scratch.slug, "worker", 4)
    assert "errors" not in attempt_login(scratch.slug, "worker")

    after = _fail(scratch.slug, "worker", 4)

    assert [error_codes(body) for body in after] == [["UNAUTHENTICATED"]] * 4


@override_settings(LOGIN_LOCKOUT_THRESHOLD=2, LOGIN_LOCKOUT_SECONDS=60)
def test_threshold_and_lockout_period_come_from_settings() -> None:
    scratch = make_tenant()

    second = _fail(scratch.slug, "worker", 2)[1]

    assert error_codes(second) == ["ACCOUNT_LOCKED"]
    locked_until = timezone.datetime.fromisoformat(second["errors"][0]["extensions"]["lockedUntil"])
    assert locked_until - timezone.now() < timedelta(seconds=61)


def test_an_unknown_username_locks_exactly_like_a_real_one() -> None:
    scratch = make_tenant()

    unknown = _fail(scratch.slug, "nobody-here", 5)
    known = _fail(scratch.slug, "worker", 5)

    assert [error_codes(b) for b in unknown] == [error_codes(b) for b in known]
    assert [b["errors"][0]["message"] for b in unknown[:4]] == [BAD_CREDENTIALS] * 4


def test_a_lock_is_per_tenant_and_username() -> None:
    scratch = make_tenant()
    _fail(scratch.slug, "worker", 5)

    assert "errors" not in attempt_login(scratch.slug, "admin")
    assert "errors" not in attempt_login("demo", "cp_worker")


@LONG_WINDOW
@override_settings(LOGIN_RATE_LIMIT_PER_USERNAME=3)
def test_too_many_attempts_for_one_username_are_throttled() -> None:
    scratch = make_tenant()
    for _ in range(3):
        assert "errors" not in attempt_login(scratch.slug, "admin")

    body = attempt_login(scratch.slug, "admin")

    assert error_codes(body) == ["TOO_MANY_REQUESTS"]
    assert body["errors"][0]["extensions"]["retryAfter"] > 0
    assert "Try again in" in body["errors"][0]["message"]


@LONG_WINDOW
@override_settings(LOGIN_RATE_LIMIT_PER_IP=3)
def test_too_many_attempts_from_one_address_are_throttled_and_others_are_not() -> None:
    scratch = make_tenant()
    for username in ("admin", "worker", "someone"):
        attempt_login(scratch.slug, username, ip="203.0.113.7")

    throttled = attempt_login(scratch.slug, "admin", ip="203.0.113.7")
    elsewhere = attempt_login(scratch.slug, "admin", ip="203.0.113.8")

    assert error_codes(throttled) == ["TOO_MANY_REQUESTS"]
    assert "errors" not in elsewhere


@LONG_WINDOW
@override_settings(LOGIN_RATE_LIMIT_PER_IP=1, TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_forwarded_address_is_throttled() -> None:
    from tests.auth_helpers import LOGIN_MUTATION, gql_as

    scratch = make_tenant()
    variables = {"tenant": scratch.slug, "username": "admin", "password": "x"}

    def from_client(address: str) -> dict:
        return gql_as(LOGIN_MUTATION, variables, headers={"X-Forwarded-For": address})

    from_client("198.51.100.1")

    assert error_codes(from_client("198.51.100.1")) == ["TOO_MANY_REQUESTS"]
    assert error_codes(from_client("198.51.100.2")) == ["UNAUTHENTICATED"]


@LONG_WINDOW
@override_settings(LOGIN_RATE_LIMIT_PER_USERNAME=2)
def test_throttled_attempts_do_not_count_towards_the_lockout() -> None:
    scratch = make_tenant()
    _fail(scratch.slug, "worker", 4)

    use_tenant(scratch.slug)
    assert LoginFailure.objects.get(username="worker").failures == 2
