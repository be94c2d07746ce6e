"""Helpers for the sign-in tests: a GraphQL call from a chosen client address, TOTP codes,
and a local JWKS endpoint standing in for an OpenID Connect provider."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pyotp
from django.test import Client

from tests.graphql_client import DEMO_PASSWORD

LOGIN_MUTATION = """
mutation Login($tenant: String!, $username: String!, $password: String!, $totpCode: String) {
  login(tenant: $tenant, username: $username, password: $password, totpCode: $totpCode) {
    accessToken refreshToken expiresIn totpEnrollmentRequired
  }
}
"""


def gql_as(
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    ip: str = "127.0.0.1",
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A GraphQL POST from the client address `ip`."""
    extra: dict[str, Any] = {"REMOTE_ADDR": ip}
    if token:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    for name, value in (headers or {}).items():
        extra["HTTP_" + name.upper().replace("-", "_")] = value
    response = Client().post(
        "/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
        **extra,
    )
    # 401 and 403 are the sign-in refusals, answered before the document is validated
    assert response.status_code in (200, 401, 403), response.content
    body: dict[str, Any] = response.json()
    return body


def attempt_login(
    tenant: str,
    username: str,
    password: str = DEMO_PASSWORD,
    totp_code: str | None = None,
    ip: str = "127.0.0.1",
) -> dict[str, Any]:
    variables = {
        "tenant": tenant,
        "username": username,
        "password": password,
        "totpCode": totp_code,
    }
    return gql_as(LOGIN_MUTATION, variables, ip=ip)


def totp_code(secret: str, steps_ahead: int = 0) -> str:
    """The code of the current 30-second step, or of a later one (a code is good only once)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


@dataclass
class JwksEndpoint:
    url: str
    document: dict[str, Any]
    requests: list[str] = field(default_factory=list)


@contextmanager
def serve_jwks(document: dict[str, Any]) -> Iterator[JwksEndpoint]:
    """Serve a JWKS document over HTTP on 127.0.0.1 (a random port) while the block runs."""
    endpoint = JwksEndpoint(url="", document=document)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            endpoint.requests.append(self.path)
            body = json.dumps(endpoint.document).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    endpoint.url = f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
