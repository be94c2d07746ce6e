"""Inputs that fuzzing and hand-made hostile requests answered with a server error, kept as
plain HTTP requests to a real server: each must get a coded error, never a 5xx or
INTERNAL_SERVER_ERROR."""

from __future__ import annotations

import base64
import http.client
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.graphql_client import DEMO_PASSWORD, LOGIN_MUTATION
from tests.processes import post_graphql, web_server

REGISTER_CASE = """
mutation($input: CaseInput!) { createCase(input: $input) { case { id } errors { code } } }
"""
LOGIN_WITH_USERNAME = """
mutation($username: String!) {
  login(tenant: "demo", username: $username, password: "x") { accessToken }
}
"""
REFRESH = "mutation($token: String!) { refreshToken(refreshToken: $token) { accessToken } }"
ADD_NOTE = """
mutation($id: ID!, $body: String!, $subject: String! = "") {
  addNote(id: $id, body: $body, subject: $subject) { id }
}
"""
FLAG_CASE = "mutation($id: ID!, $reason: String!) { flagCase(id: $id, reason: $reason) { id } }"
BY_ID = {
    "case": "query($id: ID!) { case(id: $id) { id } }",
    "tracingRequest": "query($id: ID!) { tracingRequest(id: $id) { id } }",
    "unflag": "mutation($id: ID!) { unflag(id: $id) { id } }",
    "respondToReferral": "mutation($id: ID!) { respondToReferral(id: $id, accept: true) { id } }",
    "respondToTransfer": "mutation($id: ID!) { respondToTransfer(id: $id, accept: true) { id } }",
    "respondToTransferRequest": (
        "mutation($id: ID!) { respondToTransferRequest(id: $id, accept: true) { id } }"
    ),
    "closeCase": 'mutation($id: ID!) { closeCase(id: $id, reason: "r") { id } }',
    "bulkAssignCases": 'mutation($id: ID!) { bulkAssignCases(ids: [$id], toUser: "") { id } }',
}
ALERTS = "query($first: Int!) { alerts(first: $first) { id } }"
LOGIN_WITH_OIDC = """
mutation($tenant: String!) {
  loginWithOidc(tenant: $tenant, provider: "p", idToken: "t") { accessToken }
}
"""
FORM_VERSIONS = "query($key: String!) { formVersions(key: $key) { publishedAt } }"
RETIRE_FORM = "mutation($key: String!) { retireForm(key: $key) }"
PUBLISH_FORM_VERSION = """
mutation($recordType: String!) {
  publishFormVersion(recordType: $recordType, key: "k") { publishedAt }
}
"""
CREATE_FAMILY = """
mutation($name: String!, $caseIds: [ID!]!) { createFamily(name: $name, caseIds: $caseIds) { id } }
"""
CASES_AFTER = "query($after: String) { cases(first: 1, after: $after) { totalCount } }"
FORM_DIFF = "query($key: String!) { formDiff(key: $key, fromVersion: 1, toVersion: 2) { summary } }"
SIGN_IN_AND_REGISTER = f"""
mutation {{
  login(tenant: "sandbox", username: "cp_worker", password: "{DEMO_PASSWORD}") {{ accessToken }}
  createCase(input: {{registrationDate: "2026-01-10"}}) {{ case {{ id }} }}
}}
"""
ONE_MEGABYTE = "x" * 1_000_000


class Answer:
    def __init__(self, status: int, content: bytes) -> None:
        self.status = status
        self.content = content

    def codes(self) -> list[str | None]:
        body = json.loads(self.content)
        return [(error.get("extensions") or {}).get("code") for error in body.get("errors", [])]

    def assert_coded_error(self) -> None:
        """What a client must get for bad input: JSON errors, each with a code, none internal."""
        assert self.status < 500, self.content[:300]
        codes = self.codes()
        assert codes, self.content[:300]
        assert None not in codes, self.content[:300]
        assert "INTERNAL_SERVER_ERROR" not in codes, self.content[:300]


class Server:
    def __init__(self, base: str) -> None:
        self.base = base
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80

    def request(
        self, method: str, path: str, body: bytes | None = None, token: str | None = None
    ) -> Answer:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return Answer(response.status, response.read())
        finally:
            connection.close()

    def post(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> Answer:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        return self.request("POST", "/graphql", body, token)

    def sign_in(self, username: str) -> str:
        variables = {"tenant": "demo", "username": username, "password": DEMO_PASSWORD}
        body = post_graphql(self.base, LOGIN_MUTATION, variables)
        assert "errors" not in body, body
        token: str = body["data"]["login"]["accessToken"]
        return token


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with web_server() as base:
        yield Server(base)


@pytest.fixture(scope="module")
def worker(server: Server) -> str:
    return server.sign_in("cp_worker")


@pytest.fixture(scope="module")
def case_id(server: Server, worker: str) -> str:
    child = {"registrationDate": "2026-01-10", "nameFirst": "Amina", "sex": "female"}
    body = post_graphql(server.base, REGISTER_CASE, {"input": child}, worker)
    case_id: str = body["data"]["createCase"]["case"]["id"]
    return case_id


def cursor(value: Any) -> str:
    return base64.b64encode(json.dumps(value).encode()).decode()


# Anonymous callers


def test_a_nul_byte_in_a_sign_in_username_gets_a_coded_error(server: Server) -> None:
    server.post(LOGIN_WITH_USERNAME, {"username": "cp_worker\x00"}).assert_coded_error()


def test_a_lone_surrogate_in_a_sign_in_username_gets_a_coded_error(server: Server) -> None:
    server.post(LOGIN_WITH_USERNAME, {"username": "\ud800"}).assert_coded_error()


def test_a_refresh_token_with_a_huge_session_number_gets_a_coded_error(server: Server) -> None:
    server.post(REFRESH, {"token": "9" * 30 + ".x"}).assert_coded_error()


def test_a_refresh_token_with_a_non_ascii_digit_gets_a_coded_error(server: Server) -> None:
    server.post(REFRESH, {"token": "².x"}).assert_coded_error()


@pytest.mark.parametrize("tenant", ["\x00", "\ud800"], ids=["nul", "surrogate"])
def test_a_bad_tenant_in_an_oidc_sign_in_gets_a_coded_error(server: Server, tenant: str) -> None:
    server.post(LOGIN_WITH_OIDC, {"tenant": tenant}).assert_coded_error()


def test_a_body_that_is_not_utf8_gets_a_json_coded_400(server: Server) -> None:
    answer = server.request("POST", "/graphql", b'{"query": "{ me { username } }\xff"}')

    assert answer.status == 400, answer.content[:300]
    answer.assert_coded_error()


def test_a_query_over_get_with_a_token_gets_a_coded_error(server: Server, worker: str) -> None:
    answer = server.request("GET", "/graphql?query=%7Bme%7Busername%7D%7D", token=worker)

    answer.assert_coded_error()


# A caseworker


def test_a_nul_byte_in_a_note_gets_a_coded_error(server: Server, worker: str, case_id: str) -> None:
    server.post(ADD_NOTE, {"id": case_id, "body": "a\x00"}, worker).assert_coded_error()


def test_a_nul_byte_in_a_flag_reason_gets_a_coded_error(
    server: Server, worker: str, case_id: str
) -> None:
    server.post(FLAG_CASE, {"id": case_id, "reason": "\x00"}, worker).assert_coded_error()


def test_a_megabyte_note_subject_gets_a_coded_error(
    server: Server, worker: str, case_id: str
) -> None:
    variables = {"id": case_id, "body": "b", "subject": ONE_MEGABYTE}

    server.post(ADD_NOTE, variables, worker).assert_coded_error()


def test_a_megabyte_family_name_gets_a_coded_error(
    server: Server, worker: str, case_id: str
) -> None:
    variables = {"name": ONE_MEGABYTE, "caseIds": [case_id]}

    server.post(CREATE_FAMILY, variables, worker).assert_coded_error()


@pytest.mark.parametrize("field", sorted(BY_ID))
def test_a_non_ascii_digit_as_an_id_gets_a_coded_error(
    server: Server, worker: str, field: str
) -> None:
    server.post(BY_ID[field], {"id": "²"}, worker).assert_coded_error()


@pytest.mark.parametrize("field", sorted(BY_ID))
def test_a_lone_surrogate_as_an_id_gets_a_coded_error(
    server: Server, worker: str, field: str
) -> None:
    server.post(BY_ID[field], {"id": "\ud800"}, worker).assert_coded_error()


def test_a_string_for_an_int_variable_gets_a_coded_error(server: Server, worker: str) -> None:
    server.post(ALERTS, {"first": "x"}, worker).assert_coded_error()


@pytest.mark.parametrize(
    "query",
    [
        "{ agencies(first: 372564630118891651072) { edges { cursor } } }",
        "{ cases(first: 99999999999999999999999) { edges { node { id } } } }",
    ],
    ids=["agencies", "cases"],
)
def test_a_page_size_beyond_every_range_gets_a_coded_error(
    server: Server, worker: str, query: str
) -> None:
    """Its cost once overflowed the JSON encoder (a 500)."""
    server.post(query, None, worker).assert_coded_error()


@pytest.mark.parametrize(
    "position",
    [["x", "y"], [1, 2], [None, None], ["2026-11-29T12:42:11+00:00", "not-a-uuid"]],
    ids=["words", "numbers", "nulls", "bad-uuid"],
)
def test_a_crafted_cursor_gets_a_coded_error(server: Server, worker: str, position: Any) -> None:
    server.post(CASES_AFTER, {"after": cursor(position)}, worker).assert_coded_error()


def test_a_mutation_that_signs_in_and_registers_a_case_is_refused_with_a_code(
    server: Server, worker: str
) -> None:
    server.post(SIGN_IN_AND_REGISTER, token=worker).assert_coded_error()


# An administrator


@pytest.fixture(scope="module")
def admin(server: Server) -> str:
    return server.sign_in("admin")


def test_a_nul_byte_in_a_form_key_gets_a_coded_error(server: Server, admin: str) -> None:
    server.post(FORM_DIFF, {"key": "\x00"}, admin).assert_coded_error()


def test_a_nul_byte_in_a_form_versions_key_gets_a_coded_error(server: Server, admin: str) -> None:
    server.post(FORM_VERSIONS, {"key": "a\x00b"}, admin).assert_coded_error()


def test_a_lone_surrogate_in_a_retired_form_key_gets_a_coded_error(
    server: Server, admin: str
) -> None:
    server.post(RETIRE_FORM, {"key": "\ud800"}, admin).assert_coded_error()


def test_a_lone_surrogate_as_a_record_type_to_publish_gets_a_coded_error(
    server: Server, admin: str
) -> None:
    server.post(PUBLISH_FORM_VERSION, {"recordType": "\ud800"}, admin).assert_coded_error()
