"""Apollo Client with frontend_contract/apollo/authLink.ts against a real server: a query sent
with an expired access token succeeds after one refresh, as a client idle past the token's
lifetime would see it."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.graphql_client import DEMO_PASSWORD, LOGIN_MUTATION
from tests.processes import ROOT, post_graphql, web_server

CLIENT = ROOT / "frontend_contract"
SCRIPT = CLIENT / "build" / "apollo" / "queryWithExpiredToken.js"
CASE_COUNT = "query CaseCount { cases { totalCount } }"
ACCESS_TOKEN_TTL_SECONDS = 2


@pytest.fixture
def client_toolchain() -> Path:
    """frontend_contract/ with its node_modules (check.sh installs them) and the Apollo
    sources compiled by the project's tsc."""
    if not (CLIENT / "node_modules").is_dir():
        if os.environ.get("REQUIRE_NODE") == "1":
            pytest.fail("REQUIRE_NODE=1 but frontend_contract/node_modules is missing")
        pytest.skip("frontend_contract/node_modules is absent: run frontend_contract/check.sh")
    subprocess.run(
        ["npx", "--no-install", "tsc", "-p", "tsconfig.node.json"],
        cwd=CLIENT,
        check=True,
        timeout=300,
    )
    return SCRIPT


def refused_status(base: str, access_token: str) -> int:
    """The HTTP status of a record query sent with this token."""
    request = urllib.request.Request(  # noqa: S310 (localhost)
        f"{base}/graphql",
        data=json.dumps({"query": CASE_COUNT}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {access_token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            status: int = response.status
            return status
    except urllib.error.HTTPError as refused:
        return refused.code


def wait_until_expired(base: str, access_token: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while refused_status(base, access_token) != 401:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the access token still worked after {timeout}s")
        time.sleep(0.5)


def run_client(script: Path, base: str, tokens: dict[str, Any]) -> dict[str, Any]:
    completed = subprocess.run(
        ["node", str(script)],
        cwd=CLIENT,
        env={
            **os.environ,
            "CASEWORK_URL": f"{base}/graphql",
            "ACCESS_TOKEN": tokens["accessToken"],
            "REFRESH_TOKEN": tokens["refreshToken"],
        },
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    answer: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return answer


def test_a_query_with_an_expired_token_succeeds_after_one_refresh(
    client_toolchain: Path,
) -> None:
    credentials = {"tenant": "demo", "username": "cp_worker", "password": DEMO_PASSWORD}
    with web_server(ACCESS_TOKEN_TTL_SECONDS=str(ACCESS_TOKEN_TTL_SECONDS)) as base:
        tokens = post_graphql(base, LOGIN_MUTATION, credentials)["data"]["login"]
        assert tokens["expiresIn"] == ACCESS_TOKEN_TTL_SECONDS
        wait_until_expired(base, tokens["accessToken"])

        answer = run_client(client_toolchain, base, tokens)

    assert answer["error"] is None, answer
    assert isinstance(answer["data"]["cases"]["totalCount"], int)
    assert answer["refreshes"] == 1
    assert answer["signedOut"] is False
    assert answer["tokens"]["refreshToken"] != tokens["refreshToken"]
