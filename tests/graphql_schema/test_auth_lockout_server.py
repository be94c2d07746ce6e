"""Against a real server process, where each request's transaction really commits or rolls
back: failed sign-ins are kept although the login answers with an error."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from tests.graphql_client import DEMO_PASSWORD, LOGIN_MUTATION
from tests.processes import web_server
from tests.tenants import make_tenant


def _login(base: str, tenant: str, password: str) -> dict[str, Any]:
    variables = {"tenant": tenant, "username": "worker", "password": password}
    request = urllib.request.Request(  # noqa: S310 (localhost)
        f"{base}/graphql",
        data=json.dumps({"query": LOGIN_MUTATION, "variables": variables}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        body: dict[str, Any] = json.load(response)
        return body


def test_failed_logins_are_committed_and_lock_the_account(django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():  # committed: the server is another process
        slug = make_tenant().slug

    with web_server() as base:
        failures = [_login(base, slug, "Wrong-password-1") for _ in range(5)]
        after = _login(base, slug, DEMO_PASSWORD)

    codes = [body["errors"][0]["extensions"]["code"] for body in [*failures, after]]
    assert codes == ["UNAUTHENTICATED"] * 4 + ["ACCOUNT_LOCKED"] * 2
