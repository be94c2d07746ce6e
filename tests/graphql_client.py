"""A small GraphQL client over Django's test client: what a real HTTP client would send."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

DEMO_PASSWORD = "Demo-test-password-42"

LOGIN_MUTATION = """
mutation Login($tenant: String!, $username: String!, $password: String!) {
  login(tenant: $tenant, username: $username, password: $password) {
    accessToken refreshToken expiresIn tokenType
  }
}
"""


def gql(
    query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> dict[str, Any]:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    response = Client().post(
        "/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
        **headers,  # type: ignore[arg-type]
    )
    # 401 and 403 are the sign-in refusals, answered before the document is validated
    assert response.status_code in (200, 401, 403), response.content
    body: dict[str, Any] = response.json()
    return body


def login(username: str, tenant: str = "demo", password: str = DEMO_PASSWORD) -> dict[str, Any]:
    body = gql(LOGIN_MUTATION, {"tenant": tenant, "username": username, "password": password})
    assert "errors" not in body, body
    tokens: dict[str, Any] = body["data"]["login"]
    return tokens


def use_tenant(slug: str) -> None:
    """Scope the test's own queries to a tenant, as row-level security requires."""
    from backend.tenancy.context import activate_tenant
    from backend.tenancy.models import Tenant

    activate_tenant(Tenant.objects.get(slug=slug).pk)


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def payload_codes(body: dict[str, Any], mutation: str) -> list[str]:
    """The codes of a mutation payload's `errors`, when the request itself succeeded."""
    assert "errors" not in body, body
    return [error["code"] for error in body["data"][mutation]["errors"]]
