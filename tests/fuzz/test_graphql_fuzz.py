"""Fuzzing the live API as an anonymous caller, a caseworker and an administrator.

Deselected by default (`-m "not fuzz"` in pyproject); CI runs it with `-m fuzz`. The time each
caller gets is FUZZ_SECONDS_PER_CALLER (90 by default), shared evenly by the root fields of the
schema that caller sees, with at most FUZZ_EXAMPLES_PER_OPERATION documents each (derandomized:
the same documents every run, as far as the time allows)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

import pytest

from tests.fuzz.graphql_fuzzer import FuzzReport, fuzz_caller
from tests.graphql_client import DEMO_PASSWORD, LOGIN_MUTATION
from tests.processes import post_graphql, web_server

pytestmark = pytest.mark.fuzz

SECONDS_PER_CALLER = float(os.environ.get("FUZZ_SECONDS_PER_CALLER", "90"))
EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES_PER_OPERATION", "40"))

ME_QUERY = "query { me { username } }"

# Sign-in limits would soon refuse the fuzzer's own logins after it has fuzzed `login`.
GENEROUS_SIGN_IN_LIMITS = {
    "LOGIN_RATE_LIMIT_PER_IP": "100000",
    "LOGIN_RATE_LIMIT_PER_USERNAME": "100000",
    "LOGIN_LOCKOUT_THRESHOLD": "100000",
}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in GENEROUS_SIGN_IN_LIMITS.items():
            patch.setenv(name, value)
        with web_server(workers=2) as base:
            yield base


def signed_in(base: str, username: str) -> Callable[[], str | None]:
    """A caller's bearer token, signed in again whenever the last one stopped working."""
    current: dict[str, str] = {}

    def token() -> str | None:
        if current and "errors" not in post_graphql(base, ME_QUERY, token=current["access"]):
            return current["access"]
        variables = {"tenant": "demo", "username": username, "password": DEMO_PASSWORD}
        body = post_graphql(base, LOGIN_MUTATION, variables)
        assert "errors" not in body, body
        current["access"] = body["data"]["login"]["accessToken"]
        return current["access"]

    return token


@pytest.mark.parametrize("caller", ["anonymous", "cp_worker", "admin"])
def test_fuzzed_documents_never_meet_a_server_error(server: str, caller: str) -> None:
    report = FuzzReport()
    token = (lambda: None) if caller == "anonymous" else signed_in(server, caller)

    started = time.monotonic()
    fuzz_caller(server, caller, token, SECONDS_PER_CALLER, EXAMPLES_PER_OPERATION, report)
    elapsed = time.monotonic() - started

    print(f"\n{caller}: {report.requests} requests, {report.operations} fields, {elapsed:.0f}s")
    failures = "\n".join(failure.describe() for failure in report.failures.values())
    assert not report.failures, f"{len(report.failures)} distinct failures:\n{failures}"
