"""Sign-in strings over their cap answer TEXT_TOO_LONG, never a server error."""

from __future__ import annotations

import pytest

from tests.graphql_client import DEMO_PASSWORD, error_codes, gql

pytestmark = pytest.mark.django_db

REFRESH = "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }"
LOGIN = """mutation($u: String!, $p: String!, $c: String) {
  login(tenant: "demo", username: $u, password: $p, totpCode: $c) { accessToken } }"""
OIDC = """mutation($t: String!) {
  loginWithOidc(tenant: "demo", provider: "x", idToken: $t) { accessToken } }"""
MEGABYTE = 1_000_000


def test_a_huge_refresh_token_is_text_too_long() -> None:
    body = gql(REFRESH, {"t": "1" * MEGABYTE})

    assert error_codes(body) == ["TEXT_TOO_LONG"]
    assert body["errors"][0]["extensions"]["field"] == "refreshToken"


def test_a_refresh_token_of_non_ascii_digits_is_unauthenticated() -> None:
    body = gql(REFRESH, {"t": "²." + "a" * 40})

    assert error_codes(body) == ["UNAUTHENTICATED"]


def test_a_huge_username_is_text_too_long() -> None:
    body = gql(LOGIN, {"u": "u" * MEGABYTE, "p": DEMO_PASSWORD})

    assert error_codes(body) == ["TEXT_TOO_LONG"]
    assert body["errors"][0]["extensions"]["field"] == "username"


def test_a_huge_password_is_text_too_long() -> None:
    body = gql(LOGIN, {"u": "cp_worker", "p": "p" * MEGABYTE})

    assert error_codes(body) == ["TEXT_TOO_LONG"]


def test_a_huge_totp_code_is_text_too_long() -> None:
    body = gql(LOGIN, {"u": "cp_worker", "p": DEMO_PASSWORD, "c": "1" * MEGABYTE})

    assert error_codes(body) == ["TEXT_TOO_LONG"]


def test_a_huge_oidc_token_is_text_too_long() -> None:
    body = gql(OIDC, {"t": "e" * MEGABYTE})

    assert error_codes(body) == ["TEXT_TOO_LONG"]
    assert body["errors"][0]["extensions"]["field"] == "idToken"
