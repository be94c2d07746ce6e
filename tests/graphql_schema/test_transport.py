"""/graphql over HTTP: POST only, one JSON operation, every refusal a coded JSON error."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client, override_settings

from backend.records.models import Record
from tests.graphql_client import error_codes, gql, login, use_tenant
from tests.processes import web_server

pytestmark = pytest.mark.django_db

TYPENAME_QUERY = "{ __typename }"
ME_QUERY = "query { me { username } }"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SIGN_IN_AND_CREATE = """
mutation {
  login(tenant: "sandbox", username: "cp_worker", password: "Demo-test-password-42") {
    accessToken
  }
  createCase(input: {nameFirst: "Amina", sex: "female", registrationDate: "2026-01-02"}) {
    case { id }
    errors { code }
  }
}
"""


def post(body: bytes, content_type: str = "application/json", **headers: Any) -> HttpResponse:
    response: HttpResponse = Client(raise_request_exception=False).post(
        "/graphql", data=body, content_type=content_type, **headers
    )
    return response


def coded_error(response: HttpResponse) -> str:
    """The one error code of a transport refusal, after checking its shape."""
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"errors"}
    [error] = body["errors"]
    assert error["message"]
    code: str = error["extensions"]["code"]
    return code


def test_a_browser_get_is_served_graphiql() -> None:
    response = Client().get("/graphql", HTTP_ACCEPT=BROWSER_ACCEPT)

    assert response.status_code == 200
    assert b"graphiql" in response.content.lower()


def test_a_get_carrying_a_query_is_refused_even_from_a_browser() -> None:
    response = Client().get("/graphql", {"query": TYPENAME_QUERY}, HTTP_ACCEPT=BROWSER_ACCEPT)

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert coded_error(response) == "METHOD_NOT_ALLOWED"


def test_a_get_from_a_program_is_refused() -> None:
    response = Client().get("/graphql", HTTP_ACCEPT="*/*")

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert coded_error(response) == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize("method", ["put", "patch", "delete", "options", "head"])
def test_other_methods_are_refused(method: str) -> None:
    response = getattr(Client(), method)("/graphql")

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    if method != "head":
        assert coded_error(response) == "METHOD_NOT_ALLOWED"


def test_a_get_with_a_token_to_a_real_server_is_refused_not_failed() -> None:
    token = login("cp_worker")["accessToken"]
    with web_server() as base:
        request = urllib.request.Request(  # noqa: S310 (localhost)
            f"{base}/graphql?{urllib.parse.urlencode({'query': ME_QUERY})}",
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=60)  # noqa: S310

    assert refused.value.code == 405
    assert refused.value.headers["Allow"] == "POST"
    assert json.load(refused.value)["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


def test_an_invalid_utf8_body_is_a_bad_request() -> None:
    response = post(b'{"query": "{ __typename }\xff"}')

    assert response.status_code == 400
    assert coded_error(response) == "BAD_REQUEST"


@pytest.mark.parametrize(
    "body",
    [b'{"query"', b"  ", b"[" * 100_000, b'{"query": 1' + b"0" * 10_000 + b"}"],
    ids=["truncated", "empty", "nested-too-deep", "huge-number"],
)
def test_an_invalid_json_body_is_a_bad_request(body: bytes) -> None:
    response = post(body)

    assert response.status_code == 400
    assert coded_error(response) == "BAD_REQUEST"


@pytest.mark.parametrize(
    "payload",
    ['"{ __typename }"', "null", "{}", '{"query": ""}', '{"query": 42}'],
    ids=["string", "null", "no-query", "empty-query", "query-not-a-string"],
)
def test_a_body_without_one_query_is_a_bad_request(payload: str) -> None:
    response = post(payload.encode())

    assert response.status_code == 400
    assert coded_error(response) == "BAD_REQUEST"


@pytest.mark.parametrize(
    "payload",
    [
        {"query": TYPENAME_QUERY, "variables": [1]},
        {"query": TYPENAME_QUERY, "operationName": 3},
        {"query": TYPENAME_QUERY, "extensions": "x"},
    ],
    ids=["variables", "operation-name", "extensions"],
)
def test_members_of_the_wrong_type_are_a_bad_request(payload: dict[str, Any]) -> None:
    response = post(json.dumps(payload).encode())

    assert response.status_code == 400
    assert coded_error(response) == "BAD_REQUEST"


def test_a_batch_is_refused() -> None:
    response = post(json.dumps([{"query": TYPENAME_QUERY}, {"query": TYPENAME_QUERY}]).encode())

    assert response.status_code == 400
    assert coded_error(response) == "BAD_REQUEST"
    assert "Batching" in response.json()["errors"][0]["message"]


def test_an_unknown_operation_name_is_a_bad_request() -> None:
    response = post(json.dumps({"query": TYPENAME_QUERY, "operationName": "Nope"}).encode())

    assert response.status_code == 400
    assert coded_error(response) == "BAD_REQUEST"


def test_a_ten_megabyte_body_is_refused_as_too_large() -> None:
    padding = "a" * (10 * 1024 * 1024)

    response = post(json.dumps({"query": TYPENAME_QUERY, "variables": {"p": padding}}).encode())

    assert response.status_code == 413
    assert coded_error(response) == "PAYLOAD_TOO_LARGE"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_the_body_limit_is_configurable() -> None:
    small = json.dumps({"query": TYPENAME_QUERY}).encode()
    large = json.dumps({"query": TYPENAME_QUERY, "variables": {"p": "a" * 1000}}).encode()

    assert post(small).status_code == 200
    assert post(large).status_code == 413


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"],
)
def test_a_body_that_is_not_json_is_an_unsupported_media_type(content_type: str) -> None:
    response = post(json.dumps({"query": TYPENAME_QUERY}).encode(), content_type=content_type)

    assert response.status_code == 415
    assert coded_error(response) == "UNSUPPORTED_MEDIA_TYPE"


def test_json_with_a_utf8_charset_is_accepted() -> None:
    response = post(
        json.dumps({"query": TYPENAME_QUERY}).encode(),
        content_type="application/json; charset=UTF-8",
    )

    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}


def test_signing_in_next_to_tenant_work_is_refused_cleanly() -> None:
    token = login("cp_worker")["accessToken"]
    use_tenant("demo")
    cases_before = Record.objects.count()

    body = gql(SIGN_IN_AND_CREATE, token=token)

    assert error_codes(body) == ["SIGN_IN_MUST_BE_ALONE"]
    assert "data" not in body
    assert Record.objects.count() == cases_before


def test_a_refused_sign_in_still_reports_the_schema_version() -> None:
    token = login("cp_worker")["accessToken"]

    response = Client().post(
        "/graphql",
        data=json.dumps({"query": SIGN_IN_AND_CREATE}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    assert error_codes(response.json()) == ["SIGN_IN_MUST_BE_ALONE"]
    assert len(response["X-Schema-Version"]) == 16


def test_refreshing_next_to_other_mutations_is_refused_cleanly() -> None:
    tokens = login("cp_worker")
    mixed = "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } logout }"

    body = gql(mixed, {"t": tokens["refreshToken"]}, token=tokens["accessToken"])

    assert error_codes(body) == ["SIGN_IN_MUST_BE_ALONE"]
    assert gql(ME_QUERY, token=tokens["accessToken"])["data"]["me"]["username"] == "cp_worker"
