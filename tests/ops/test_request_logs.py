"""JSON log lines: who did what, how long it took, and never a value or a secret."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from backend.observability.request_log import JsonFormatter
from tests.graphql_client import DEMO_PASSWORD, LOGIN_MUTATION, login

pytestmark = pytest.mark.django_db
SEARCH = """
query FindPeople($name: String!) {
  me { username }
  userDirectory(search: $name) { edges { node { username } } }
}
"""
SECRET_SEARCH = "Zubeida-Okonkwo-Secret-Name"


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def post(query: str, variables: dict[str, Any], token: str | None = None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client().post(
        "/graphql",
        data=json.dumps({"query": query, "variables": variables}),
        content_type="application/json",
        HTTP_X_REQUEST_ID="edge-proxy-0001",
        **headers,  # type: ignore[arg-type]
    )


def request_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    return [line for line in lines if line["logger"] == "casework.requests"]


def test_a_signed_in_request_is_logged_with_its_ids_and_duration(
    json_lines: io.StringIO,
) -> None:
    tokens = login("cp_worker")

    response = post(SEARCH, {"name": SECRET_SEARCH}, token=tokens["accessToken"])

    assert response["X-Request-ID"] == "edge-proxy-0001"
    [line] = [line for line in request_lines(json_lines) if line.get("tenant")]
    assert line["request_id"] == "edge-proxy-0001"
    assert line["tenant"] == "demo"
    assert isinstance(line["user_id"], int)
    assert line["operation"] == "FindPeople"
    assert line["status"] == 200
    assert line["duration_ms"] > 0
    assert line["db_queries"] > 0


def test_no_log_line_carries_a_password_a_token_or_a_value(json_lines: io.StringIO) -> None:
    response = post(
        LOGIN_MUTATION, {"tenant": "demo", "username": "cp_worker", "password": DEMO_PASSWORD}
    )
    tokens = response.json()["data"]["login"]
    post(SEARCH, {"name": SECRET_SEARCH}, token=tokens["accessToken"])
    post(SEARCH, {"name": SECRET_SEARCH}, token="not-a-valid-token-" + SECRET_SEARCH)

    written = json_lines.getvalue()
    assert len(request_lines(json_lines)) == 3
    for secret in (DEMO_PASSWORD, tokens["accessToken"], tokens["refreshToken"], SECRET_SEARCH):
        assert secret not in written


def test_a_malformed_request_id_is_replaced(json_lines: io.StringIO) -> None:
    response = Client().get("/graphql", HTTP_X_REQUEST_ID="bad id\nforged: line")

    assert response["X-Request-ID"] != "bad id\nforged: line"
    assert len(response["X-Request-ID"]) == 32
