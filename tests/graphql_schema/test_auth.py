"""Sign-in, tokens and the current user, through GraphQL as a client sees them."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings
from joserfc import jwt
from joserfc.jwk import OctKey

from backend.accounts.models import RefreshToken, User
from tests.graphql_client import LOGIN_MUTATION, error_codes, gql, login, use_tenant

pytestmark = pytest.mark.django_db

ME_QUERY = "query { me { username tenant { slug } role { name } agency { code } } }"
REFRESH_MUTATION = """
mutation Refresh($token: String!) {
  refreshToken(refreshToken: $token) { accessToken refreshToken expiresIn }
}
"""
LOGOUT_MUTATION = "mutation { logout }"


def test_login_then_me_returns_the_user_their_tenant_and_role() -> None:
    tokens = login("cp_worker")

    body = gql(ME_QUERY, token=tokens["accessToken"])

    assert body["data"]["me"] == {
        "username": "cp_worker",
        "tenant": {"slug": "demo"},
        "role": {"name": "Child protection caseworker"},
        "agency": {"code": "cp_agency"},
    }
    assert tokens["tokenType"] == "Bearer"
    assert 0 < tokens["expiresIn"] <= 900


def test_same_username_in_another_tenant_is_another_user() -> None:
    tokens = login("cp_worker", tenant="sandbox")

    body = gql(ME_QUERY, token=tokens["accessToken"])

    assert body["data"]["me"]["tenant"] == {"slug": "sandbox"}


@pytest.mark.parametrize(
    ("tenant", "username", "password"),
    [
        ("demo", "cp_worker", "wrong-password"),
        ("demo", "nobody", "Demo-test-password-42"),
        ("nowhere", "cp_worker", "Demo-test-password-42"),
    ],
)
def test_bad_credentials_are_refused_with_one_message(
    tenant: str, username: str, password: str
) -> None:
    body = gql(LOGIN_MUTATION, {"tenant": tenant, "username": username, "password": password})

    assert body["data"] is None
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert body["errors"][0]["message"] == "Unknown tenant, username or password."


def test_me_without_a_token_is_unauthenticated() -> None:
    body = gql(ME_QUERY)

    assert error_codes(body) == ["UNAUTHENTICATED"]


def test_a_tampered_token_is_refused() -> None:
    token = login("cp_worker")["accessToken"]
    header, payload, signature = token.split(".")
    forged = ".".join([header, payload, signature[::-1]])

    assert error_codes(gql(ME_QUERY, token=forged)) == ["UNAUTHENTICATED"]


def test_a_token_with_another_algorithm_is_refused() -> None:
    from django.conf import settings

    claims = {
        "iss": "casework",
        "sub": "1",
        "tid": 1,
        "sid": "x",
        "ver": 0,
        "iat": int(time.time()),
        "exp": int(time.time()) + 60,
    }
    key = OctKey.import_key(settings.JWT_SIGNING_KEY.encode())
    hs512 = jwt.encode({"alg": "HS512"}, claims, key, algorithms=["HS512"])

    assert error_codes(gql(ME_QUERY, token=hs512)) == ["UNAUTHENTICATED"]


def test_an_expired_access_token_is_refused() -> None:
    with override_settings(ACCESS_TOKEN_TTL_SECONDS=-1):
        token = login("cp_worker")["accessToken"]

    assert error_codes(gql(ME_QUERY, token=token)) == ["UNAUTHENTICATED"]


def test_refresh_rotates_and_the_new_access_token_works() -> None:
    first = login("cp_worker")

    body = gql(REFRESH_MUTATION, {"token": first["refreshToken"]})

    second = body["data"]["refreshToken"]
    assert second["refreshToken"] != first["refreshToken"]
    assert gql(ME_QUERY, token=second["accessToken"])["data"]["me"]["username"] == "cp_worker"


def test_reusing_a_spent_refresh_token_ends_the_whole_session() -> None:
    first = login("cp_worker")
    second = gql(REFRESH_MUTATION, {"token": first["refreshToken"]})["data"]["refreshToken"]

    replay = gql(REFRESH_MUTATION, {"token": first["refreshToken"]})

    assert error_codes(replay) == ["UNAUTHENTICATED"]
    assert error_codes(gql(REFRESH_MUTATION, {"token": second["refreshToken"]})) == [
        "UNAUTHENTICATED"
    ]
    assert error_codes(gql(ME_QUERY, token=second["accessToken"])) == ["UNAUTHENTICATED"]


def test_refresh_tokens_are_stored_only_as_hashes() -> None:
    tokens = login("cp_worker")
    use_tenant("demo")

    stored = list(RefreshToken.objects.values_list("token_hash", flat=True))

    assert tokens["refreshToken"] not in stored
    assert len(stored) >= 1


def test_logout_ends_access_and_refresh() -> None:
    tokens = login("cp_worker")

    assert gql(LOGOUT_MUTATION, token=tokens["accessToken"])["data"] == {"logout": True}

    assert error_codes(gql(ME_QUERY, token=tokens["accessToken"])) == ["UNAUTHENTICATED"]
    assert error_codes(gql(REFRESH_MUTATION, {"token": tokens["refreshToken"]})) == [
        "UNAUTHENTICATED"
    ]


def test_disabling_a_user_ends_their_tokens_and_logins() -> None:
    tokens = login("cp_worker")
    use_tenant("demo")
    User.objects.filter(username="cp_worker", tenant__slug="demo").update(is_active=False)

    assert error_codes(gql(ME_QUERY, token=tokens["accessToken"])) == ["UNAUTHENTICATED"]
    body = gql(
        LOGIN_MUTATION,
        {"tenant": "demo", "username": "cp_worker", "password": "Demo-test-password-42"},
    )
    assert error_codes(body) == ["UNAUTHENTICATED"]


def test_a_malformed_query_has_a_code_and_no_internals() -> None:
    body = gql("query { me { ")

    assert error_codes(body) == ["GRAPHQL_PARSE_FAILED"]


def test_an_unknown_field_is_a_validation_error() -> None:
    body = gql("query { secrets }", token=login("cp_worker")["accessToken"])

    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
