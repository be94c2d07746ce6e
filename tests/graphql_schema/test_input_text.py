"""Text that PostgreSQL or JSON cannot carry is refused before anything runs: INVALID_TEXT."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from backend.records.models import Record
from tests.graphql_client import error_codes, gql, login, use_tenant
from tests.workflows.test_demo_flow import CHILD, REGISTER

pytestmark = pytest.mark.django_db

NUL = "\x00"
LONE_SURROGATE = "\ud800"

REGISTER_INLINE = """
mutation { createCase(input: {registrationDate: "2026-01-10", nameFirst: %s, sex: "female"}) {
  case { id } errors { code } } }
"""
REFRESH = "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }"
LOGIN_INLINE = 'mutation { login(tenant: "demo", username: %s, password: "x") { accessToken } }'
CASE_BY_ID = "query($id: ID!) { case(id: $id) { id } }"


def worker() -> str:
    token: str = login("cp_worker")["accessToken"]
    return token


def case_count() -> int:
    use_tenant("demo")
    return Record.objects.filter(record_type="case").count()


def post_raw(body: bytes, token: str | None = None) -> tuple[int, dict[str, Any]]:
    """POST bytes as they are: a body a JSON library of ours would not write."""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    response = Client().post(
        "/graphql",
        data=body,
        content_type="application/json",
        **headers,  # type: ignore[arg-type]
    )
    return response.status_code, response.json()


def the_error(body: dict[str, Any]) -> dict[str, Any]:
    assert error_codes(body) == ["INVALID_TEXT"], body
    error: dict[str, Any] = body["errors"][0]
    return error


@pytest.mark.parametrize("bad", [NUL, LONE_SURROGATE], ids=["nul", "lone_surrogate"])
def test_a_bad_character_in_a_variable_is_invalid_text_and_saves_nothing(bad: str) -> None:
    before = case_count()

    body = gql(REGISTER, {"input": {**CHILD, "nameFirst": f"Ami{bad}na"}}, worker())

    assert the_error(body)["extensions"]["field"] == "input.nameFirst"
    assert body["data"] is None
    assert case_count() == before


@pytest.mark.parametrize("literal", ['"Ami\\u0000na"', '"Ami\\ud800na"', '"Ami\\u{D800}na"'])
def test_a_bad_character_in_an_inline_literal_is_invalid_text_and_saves_nothing(
    literal: str,
) -> None:
    before = case_count()

    body = gql(REGISTER_INLINE % literal, token=worker())

    assert the_error(body)["extensions"]["field"] in ("input.nameFirst", "query")
    assert case_count() == before


def test_a_nul_in_an_inline_literal_names_the_argument_path() -> None:
    body = gql(REGISTER_INLINE % '"Ami\\u0000na"', token=worker())

    assert the_error(body)["extensions"]["field"] == "input.nameFirst"


@pytest.mark.parametrize("bad", [NUL, LONE_SURROGATE], ids=["nul", "lone_surrogate"])
def test_a_bad_character_nested_in_a_record_input_names_its_path(bad: str) -> None:
    before = case_count()
    services = [{"serviceType": "health"}, {"serviceProvider": f"Clinic{bad}"}]

    body = gql(REGISTER, {"input": {**CHILD, "services": services}}, worker())

    assert the_error(body)["extensions"]["field"] == "input.services.1.serviceProvider"
    assert case_count() == before


def test_a_lone_surrogate_in_a_date_scalar_is_invalid_text() -> None:
    body = gql(
        REGISTER, {"input": {**CHILD, "dateOfBirth": "2015-04-0" + LONE_SURROGATE}}, worker()
    )

    assert the_error(body)["extensions"]["field"] == "input.dateOfBirth"


def test_a_nul_in_an_id_is_invalid_text() -> None:
    body = gql(CASE_BY_ID, {"id": "1" + NUL}, worker())

    assert the_error(body)["extensions"]["field"] == "id"


def test_a_lone_surrogate_in_an_input_key_is_invalid_text() -> None:
    body = gql(REGISTER, {"input": {**CHILD, LONE_SURROGATE: "x"}}, worker())

    assert the_error(body)["extensions"]["field"] == "input"


def test_a_lone_surrogate_in_a_comment_of_the_document_is_invalid_text() -> None:
    body = gql("# " + LONE_SURROGATE + "\n{ me { username } }", token=worker())

    assert the_error(body)["extensions"]["field"] == "query"


def test_a_lone_surrogate_in_the_operation_name_is_invalid_text() -> None:
    payload = {"query": "query A { me { username } }", "operationName": LONE_SURROGATE}

    status, body = post_raw(json.dumps(payload).encode(), worker())

    assert status == 200
    assert the_error(body)["extensions"]["field"] == "operationName"


def test_a_lone_surrogate_in_a_default_value_is_invalid_text() -> None:
    query = 'query($id: ID! = "\\ud800") { case(id: $id) { id } }'

    body = gql(query, token=worker())

    assert error_codes(body) == ["INVALID_TEXT"]


def test_the_anonymous_schema_refuses_a_nul_in_a_username() -> None:
    body = gql(LOGIN_INLINE % '"cp_\\u0000worker"')

    assert the_error(body)["extensions"]["field"] == "username"


def test_the_anonymous_schema_refuses_a_lone_surrogate_in_a_variable() -> None:
    body = gql(REFRESH, {"t": "1." + LONE_SURROGATE})

    assert the_error(body)["extensions"]["field"] == "t"


def test_clean_text_with_a_surrogate_pair_is_accepted() -> None:
    body = gql(REGISTER, {"input": {**CHILD, "nameFirst": "Amina \U0001f600"}}, worker())

    assert body["data"]["createCase"]["errors"] == []


def test_a_variable_nested_as_deep_as_json_allows_gets_a_coded_error() -> None:
    deep: object = "x"
    for _ in range(900):
        deep = [deep]

    body = gql("query($first: Int) { alerts(first: $first) { id } }", {"first": deep}, worker())

    assert error_codes(body) == ["BAD_USER_INPUT"]
