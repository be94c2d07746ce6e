"""Cross-origin calls from a browser: only origins in CORS_ALLOWED_ORIGINS, none by default."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client, override_settings

from tests.graphql_client import login

pytestmark = pytest.mark.django_db

APP_ORIGIN = "https://app.example.org"
OTHER_ORIGIN = "https://evil.example.net"


def preflight(origin: str) -> object:
    return Client().options(
        "/graphql",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )


def test_no_origin_is_allowed_by_default() -> None:
    assert settings.CORS_ALLOWED_ORIGINS == []

    response = preflight(APP_ORIGIN)

    assert "Access-Control-Allow-Origin" not in response  # type: ignore[operator]


@override_settings(CORS_ALLOWED_ORIGINS=[APP_ORIGIN])
def test_a_preflight_from_an_allowed_origin_may_send_a_token() -> None:
    response = preflight(APP_ORIGIN)

    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response["Access-Control-Allow-Origin"] == APP_ORIGIN  # type: ignore[index]
    allowed = response["Access-Control-Allow-Headers"].lower()  # type: ignore[index]
    assert {"authorization", "content-type"} <= {h.strip() for h in allowed.split(",")}
    assert "POST" in response["Access-Control-Allow-Methods"]  # type: ignore[index]


@override_settings(CORS_ALLOWED_ORIGINS=[APP_ORIGIN])
def test_a_preflight_from_another_origin_is_not_allowed() -> None:
    response = preflight(OTHER_ORIGIN)

    assert "Access-Control-Allow-Origin" not in response  # type: ignore[operator]
    assert "Access-Control-Allow-Headers" not in response  # type: ignore[operator]


@override_settings(CORS_ALLOWED_ORIGINS=[APP_ORIGIN])
def test_an_allowed_origin_can_read_the_schema_version_header() -> None:
    token = login("cp_worker")["accessToken"]

    response = Client().post(
        "/graphql",
        data=json.dumps({"query": "{ me { username } }"}),
        content_type="application/json",
        HTTP_ORIGIN=APP_ORIGIN,
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    assert response["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert response["Access-Control-Expose-Headers"] == "X-Schema-Version"
    assert response["X-Schema-Version"]


@override_settings(CORS_ALLOWED_ORIGINS=[APP_ORIGIN])
def test_other_endpoints_are_not_opened_to_other_origins() -> None:
    response = Client().get("/healthz", HTTP_ORIGIN=APP_ORIGIN)

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
