"""Against a real server process, where each request's transaction really commits or rolls
back: failed sign-ins are kept although the login answers with an error."""

from __future__ import annotations

from typing import Any

from tests.graphql_client import DEMO_PASSWORD, LOGIN_MUTATION
from tests.processes import post_graphql, web_server
from tests.tenants import make_tenant


def _login(base: str, tenant: str, password: str) -> dict[str, Any]:
    variables = {"tenant": tenant, "username": "worker", "password": password}
    return post_graphql(base, LOGIN_MUTATION, variables)


def test_failed_logins_are_committed_and_lock_the_account(django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():  # committed: the server is another process
        slug = make_tenant().slug

    with web_server() as base:
        failures = [_login(base, slug, "Wrong-password-1") for _ in range(5)]
        after = _login(base, slug, DEMO_PASSWORD)

    codes = [body["errors"][0]["extensions"]["code"] for body in [*failures, after]]
    assert codes == ["UNAUTHENTICATED"] * 4 + ["ACCOUNT_LOCKED"] * 2
