"""The caller is checked before the document: stale tokens and anonymous record fields answer
UNAUTHENTICATED (401) instead of a validation error, so a client's refresh logic fires."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client, override_settings

from backend.accounts.models import Role
from tests.auth_helpers import attempt_login
from tests.graphql_client import DEMO_PASSWORD, LOGIN_MUTATION, error_codes, gql, login, use_tenant
from tests.graphql_schema.test_records_api import IDENTITY_FORM, publish
from tests.tenants import make_tenant

pytestmark = pytest.mark.django_db

ME_AND_CASES = "query { me { username } cases(first: 5) { totalCount } }"
CASES = "query { cases(first: 5) { totalCount } }"
UPDATE_CASE = """
mutation($id: ID!) {
  updateCase(id: $id, baseRevision: 1, input: {nameFirst: "Amira"}) { errors { code } }
}
"""
REFRESH = "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }"
SCHEMA_VERSION = "query { me { schemaVersion } }"
BEGIN_ENROLLMENT = "mutation { beginTotpEnrollment { secret } }"


def post(query: str, token: str | None = None, **variables: Any) -> HttpResponse:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    response: HttpResponse = Client().post(
        "/graphql",
        data=json.dumps({"query": query, "variables": variables}),
        content_type="application/json",
        **headers,  # type: ignore[arg-type]
    )
    return response


def expired_token() -> str:
    with override_settings(ACCESS_TOKEN_TTL_SECONDS=-1):
        token: str = login("cp_worker")["accessToken"]
    return token


def assert_unauthenticated(response: HttpResponse, challenge: str) -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == challenge
    body = response.json()
    assert set(body) == {"errors"}
    assert error_codes(body) == ["UNAUTHENTICATED"]


def test_an_expired_token_on_a_record_query_is_unauthenticated() -> None:
    response = post(ME_AND_CASES, expired_token())

    assert_unauthenticated(response, 'Bearer error="invalid_token"')


def test_an_expired_token_on_a_record_mutation_is_unauthenticated() -> None:
    response = post(UPDATE_CASE, expired_token(), id="00000000-0000-0000-0000-000000000000")

    assert_unauthenticated(response, 'Bearer error="invalid_token"')


def test_a_forged_token_is_refused_before_the_document_is_parsed() -> None:
    response = post("query { me { ", "not-a-token")

    assert_unauthenticated(response, 'Bearer error="invalid_token"')


def test_a_token_of_an_ended_session_is_unauthenticated() -> None:
    token = login("cp_worker")["accessToken"]
    assert gql("mutation { logout }", token=token)["data"] == {"logout": True}

    response = post(CASES, token)

    assert_unauthenticated(response, 'Bearer error="invalid_token"')
    assert "Session has ended" in response.json()["errors"][0]["message"]


def test_a_stale_token_does_not_stop_signing_in_again() -> None:
    variables = {"tenant": "demo", "username": "cp_worker", "password": DEMO_PASSWORD}

    response = post(LOGIN_MUTATION, expired_token(), **variables)

    assert response.status_code == 200
    assert response.json()["data"]["login"]["accessToken"]


def test_a_stale_access_token_does_not_stop_a_refresh() -> None:
    with override_settings(ACCESS_TOKEN_TTL_SECONDS=-1):
        tokens = login("cp_worker")

    response = post(REFRESH, tokens["accessToken"], t=tokens["refreshToken"])

    assert response.status_code == 200
    fresh = response.json()["data"]["refreshToken"]["accessToken"]
    assert gql(CASES, token=fresh)["data"]["cases"]["totalCount"] >= 0


def test_a_record_field_without_a_token_is_unauthenticated() -> None:
    response = post(CASES)

    assert_unauthenticated(response, "Bearer")


def test_a_record_mutation_without_a_token_is_unauthenticated() -> None:
    response = post(UPDATE_CASE, id="00000000-0000-0000-0000-000000000000")

    assert_unauthenticated(response, "Bearer")


def test_a_record_field_spread_from_a_fragment_without_a_token_is_unauthenticated() -> None:
    query = "query { ...Both } fragment Both on Query { me { username } cases { totalCount } }"

    response = post(query)

    assert_unauthenticated(response, "Bearer")


def test_signing_in_without_a_token_still_works() -> None:
    variables = {"tenant": "demo", "username": "cp_worker", "password": DEMO_PASSWORD}

    response = post(LOGIN_MUTATION, **variables)

    assert response.status_code == 200
    assert response.json()["data"]["login"]["accessToken"]


def test_an_enrolment_only_token_is_refused_record_fields_but_may_enrol() -> None:
    scratch = make_tenant()
    use_tenant(scratch.slug)
    Role.objects.filter(tenant=scratch.tenant, code="worker").update(requires_two_factor=True)
    restricted = attempt_login(scratch.slug, "worker")["data"]["login"]["accessToken"]

    refused = post(CASES, restricted)
    enrolling = post(BEGIN_ENROLLMENT, restricted)

    assert refused.status_code == 403, refused.content
    assert refused["WWW-Authenticate"] == 'Bearer error="insufficient_scope"'
    assert error_codes(refused.json()) == ["TOTP_ENROLLMENT_REQUIRED"]
    assert enrolling.status_code == 200
    assert enrolling.json()["data"]["beginTotpEnrollment"]["secret"]


def test_the_schema_version_is_on_me_and_on_every_signed_in_answer() -> None:
    token = login("cp_worker")["accessToken"]

    first = post(SCHEMA_VERSION, token)
    second = post(CASES, token)

    version = first.json()["data"]["me"]["schemaVersion"]
    assert len(version) == 16
    assert first["X-Schema-Version"] == version
    assert second["X-Schema-Version"] == version


def test_anonymous_answers_carry_no_schema_version() -> None:
    response = post("{ __typename }")

    assert response.status_code == 200
    assert "X-Schema-Version" not in response


def test_tenants_with_other_forms_have_other_schema_versions() -> None:
    demo = post(SCHEMA_VERSION, login("cp_worker")["accessToken"])
    scratch = make_tenant()
    other = post(SCHEMA_VERSION, login("admin", tenant=scratch.slug)["accessToken"])

    assert demo["X-Schema-Version"] != other["X-Schema-Version"]


def test_publishing_a_form_changes_the_schema_version() -> None:
    scratch = make_tenant()
    token = login("admin", tenant=scratch.slug)["accessToken"]
    before = post(SCHEMA_VERSION, token).json()["data"]["me"]["schemaVersion"]

    published = publish(token, IDENTITY_FORM)

    assert "errors" not in published, published
    after = post(SCHEMA_VERSION, token)
    assert after.json()["data"]["me"]["schemaVersion"] != before
    assert after["X-Schema-Version"] == after.json()["data"]["me"]["schemaVersion"]
