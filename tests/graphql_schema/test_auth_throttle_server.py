"""Sign-in limits against two real server processes without Redis: each limit holds exactly,
whichever process each attempt lands on."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any

import pytest

from tests.graphql_client import DEMO_PASSWORD, LOGIN_MUTATION
from tests.processes import post_graphql, web_server
from tests.tenants import make_tenant

PER_ADDRESS = 6
PER_USERNAME = 3
SMALL_LIMITS = {
    "LOGIN_RATE_LIMIT_PER_IP": str(PER_ADDRESS),
    "LOGIN_RATE_LIMIT_PER_USERNAME": str(PER_USERNAME),
    # One window for the whole module: no counter resets at a boundary mid-test.
    "LOGIN_RATE_LIMIT_WINDOW_SECONDS": "86400",
}


@pytest.fixture(scope="module")
def servers_and_tenant(django_db_blocker: Any) -> Iterator[tuple[list[str], str]]:
    with django_db_blocker.unblock():  # committed: the servers are other processes
        slug = make_tenant().slug
    with ExitStack() as stack:
        servers = [stack.enter_context(web_server(**SMALL_LIMITS)) for _ in range(2)]
        yield servers, slug


def _login(base: str, tenant: str, username: str, password: str) -> str:
    variables = {"tenant": tenant, "username": username, "password": password}
    body = post_graphql(base, LOGIN_MUTATION, variables)
    if "errors" not in body:
        return "SIGNED_IN"
    code: str = body["errors"][0]["extensions"]["code"]
    return code


def test_one_address_is_throttled_exactly_at_its_limit_across_two_processes(
    servers_and_tenant: tuple[list[str], str],
) -> None:
    servers, slug = servers_and_tenant

    # one attempt per username, so that only the address limit applies
    outcomes = [
        _login(servers[attempt % 2], slug, f"nobody-{attempt}", "Wrong-password-1")
        for attempt in range(PER_ADDRESS + 1)
    ]

    assert outcomes == ["UNAUTHENTICATED"] * PER_ADDRESS + ["TOO_MANY_REQUESTS"]


def test_one_username_is_throttled_exactly_at_its_limit_across_two_processes(
    servers_and_tenant: tuple[list[str], str],
) -> None:
    servers, slug = servers_and_tenant

    outcomes = [
        _login(servers[attempt % 2], slug, "worker", DEMO_PASSWORD)
        for attempt in range(PER_USERNAME + 1)
    ]

    assert outcomes == ["SIGNED_IN"] * PER_USERNAME + ["TOO_MANY_REQUESTS"]


def test_simultaneous_attempts_on_two_processes_are_throttled_exactly_once(
    servers_and_tenant: tuple[list[str], str],
) -> None:
    servers, slug = servers_and_tenant

    def attempt(number: int) -> str:
        return _login(servers[number % 2], slug, f"nobody-{number}", "Wrong-password-1")

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(attempt, range(PER_ADDRESS + 1)))

    assert sorted(outcomes) == ["TOO_MANY_REQUESTS"] + ["UNAUTHENTICATED"] * PER_ADDRESS
