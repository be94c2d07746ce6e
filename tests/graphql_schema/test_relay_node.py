"""`node(id:)` and `nodes(ids:)`: any object refetched by its id, as the caller may see it;
null, never an error, for what the caller may not see."""

from __future__ import annotations

import uuid

import pytest

from tests.graphql_client import error_codes, gql, login

pytestmark = pytest.mark.django_db

REGISTER = """
mutation($input: CaseInput!) { createCase(input: $input) { case { id } errors { path code } } }
"""
FLAG = """mutation($id: ID!) { flagCase(id: $id, reason: "missing school") {
  flag { id } errors { code } } }"""
NOTE = """mutation($id: ID!) { addNote(id: $id, body: "Visited the family.") {
  note { id } errors { code } } }"""
NODE = """
query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Case { nameFirst owner { username } }
    ... on FlagInfo { reason }
    ... on NoteInfo { body }
    ... on UserRef { username }
  }
}
"""
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"
OWNER_ID = "query($id: ID!) { case(id: $id) { owner { id } } }"
CHILD = {"registrationDate": "2026-01-10", "nameFirst": "Amina", "sex": "female"}
CASE_BESIDE_ME = "query($id: ID!) { me { username } case(id: $id) { id } }"


def token(username: str, tenant: str = "demo") -> str:
    value: str = login(username, tenant)["accessToken"]
    return value


def register(worker: str) -> str:
    body = gql(REGISTER, {"input": CHILD}, worker)
    assert body["data"]["createCase"]["errors"] == [], body
    case_id: str = body["data"]["createCase"]["case"]["id"]
    return case_id


def test_node_refetches_a_case_as_its_owner() -> None:
    worker = token("cp_worker")
    case_id = register(worker)

    body = gql(NODE, {"id": case_id}, worker)

    assert body["data"]["node"] == {
        "__typename": "Case",
        "id": case_id,
        "nameFirst": "Amina",
        "owner": {"username": "cp_worker"},
    }


def test_node_redacts_a_case_like_the_case_field_does() -> None:
    worker, monitor = token("cp_worker"), token("cp_monitor")
    case_id = register(worker)

    body = gql(NODE, {"id": case_id}, monitor)

    assert body["data"]["node"]["nameFirst"] is None
    assert ["node", "nameFirst"] in body["extensions"]["redacted"]


def test_node_refetches_a_flag_and_a_note_as_their_owner() -> None:
    worker = token("cp_worker")
    case_id = register(worker)
    flag_id = gql(FLAG, {"id": case_id}, worker)["data"]["flagCase"]["flag"]["id"]
    note_id = gql(NOTE, {"id": case_id}, worker)["data"]["addNote"]["note"]["id"]

    flag = gql(NODE, {"id": flag_id}, worker)["data"]["node"]
    note = gql(NODE, {"id": note_id}, worker)["data"]["node"]

    assert flag == {"__typename": "FlagInfo", "id": flag_id, "reason": "missing school"}
    assert note == {"__typename": "NoteInfo", "id": note_id, "body": "Visited the family."}


def test_node_is_null_for_a_flag_of_a_record_out_of_sight() -> None:
    worker, partner = token("cp_worker"), token("referral_worker")
    case_id = register(worker)
    flag_id = gql(FLAG, {"id": case_id}, worker)["data"]["flagCase"]["flag"]["id"]

    body = gql(NODE, {"id": flag_id}, partner)

    assert "errors" not in body
    assert body["data"] == {"node": None}


def test_node_is_null_for_a_case_out_of_scope() -> None:
    case_id = register(token("cp_worker"))

    body = gql(NODE, {"id": case_id}, token("referral_worker"))

    assert "errors" not in body
    assert body["data"] == {"node": None}


def test_node_is_null_for_another_tenants_case() -> None:
    case_id = register(token("cp_worker", "sandbox"))

    body = gql(NODE, {"id": case_id}, token("cp_worker"))

    assert "errors" not in body
    assert body["data"] == {"node": None}


@pytest.mark.parametrize("malformed", ["not-an-id", "", "1' OR 1=1", "9" * 40])
def test_node_is_null_for_a_malformed_id(malformed: str) -> None:
    body = gql(NODE, {"id": malformed}, token("cp_worker"))

    assert "errors" not in body
    assert body["data"] == {"node": None}


def test_node_finds_a_user_of_the_callers_tenant_only() -> None:
    worker = token("cp_worker")
    case = gql(OWNER_ID, {"id": register(worker)}, worker)["data"]["case"]
    owner_id = case["owner"]["id"]

    seen = gql(NODE, {"id": owner_id}, token("cp_supervisor"))["data"]["node"]
    other_tenant = gql(NODE, {"id": owner_id}, token("cp_worker", "sandbox"))["data"]["node"]

    assert seen == {"__typename": "UserRef", "id": owner_id, "username": "cp_worker"}
    assert other_tenant is None


def test_nodes_answers_in_order_with_null_for_what_is_not_seen() -> None:
    worker = token("cp_worker")
    mine = register(worker)
    theirs = register(token("cp_worker", "sandbox"))

    body = gql(NODES, {"ids": [mine, str(uuid.uuid4()), theirs, "junk"]}, worker)

    assert "errors" not in body
    assert body["data"] == {"nodes": [{"__typename": "Case", "id": mine}, None, None, None]}


def test_nodes_refuses_more_than_100_ids() -> None:
    body = gql(NODES, {"ids": [str(uuid.uuid4()) for _ in range(101)]}, token("cp_worker"))

    assert error_codes(body) == ["BAD_USER_INPUT"]


def test_a_missing_case_beside_me_leaves_mes_data() -> None:
    body = gql(CASE_BESIDE_ME, {"id": str(uuid.uuid4())}, token("cp_worker"))

    assert body["data"] == {"me": {"username": "cp_worker"}, "case": None}
    assert error_codes(body) == ["NOT_FOUND"]
