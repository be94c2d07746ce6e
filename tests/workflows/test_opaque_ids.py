"""Ids clients see are opaque UUIDs: unique across object kinds and tenants, parsed safely."""

from __future__ import annotations

import uuid

import pytest

from tests.graphql_client import error_codes, gql, payload_codes
from tests.workflows.test_demo_flow import REFER, form_of_field, token
from tests.workflows.test_steps import register

pytestmark = pytest.mark.django_db

FLAG = """mutation($id: ID!) {
  flagCase(id: $id, reason: "missing school") { flag { id } errors { code } } }"""
NOTE = """mutation($id: ID!) {
  addNote(id: $id, body: "Visited the family.") { note { id } errors { code } } }"""
UNFLAG = "mutation($id: ID!) { unflag(id: $id) { flag { id } errors { code } } }"
RESPOND_REFERRAL = """mutation($id: ID!) {
  respondToReferral(id: $id, accept: true) { transition { id } errors { code } } }"""
ASK = """mutation($id: ID!) { requestApproval(id: $id, approvalType: "assessment") {
  approval { id requestedBy { id username } } } }"""
ME = "{ me { id username } }"
CASE_OWNER = "query($id: ID!) { case(id: $id) { owner { id username } } }"


def test_workflow_objects_of_one_record_have_distinct_uuid_ids() -> None:
    worker = token("cp_worker")
    case_id = register(worker)

    flag = gql(FLAG, {"id": case_id}, worker)["data"]["flagCase"]["flag"]["id"]
    note = gql(NOTE, {"id": case_id}, worker)["data"]["addNote"]["note"]["id"]
    referral = gql(
        REFER,
        {"id": case_id, "to": "referral_worker", "forms": [form_of_field("name_first")]},
        worker,
    )["data"]["referCase"]["transition"]["id"]
    approval = gql(ASK, {"id": case_id}, worker)["data"]["requestApproval"]["approval"]["id"]

    ids = [flag, note, referral, approval]
    assert len(set(ids)) == 4
    assert all(str(uuid.UUID(i)) == i for i in ids)


def test_users_have_the_same_opaque_id_wherever_they_appear() -> None:
    worker = token("cp_worker")
    case_id = register(worker)

    me = gql(ME, {}, worker)["data"]["me"]
    owner = gql(CASE_OWNER, {"id": case_id}, worker)["data"]["case"]["owner"]
    asked = gql(ASK, {"id": case_id}, worker)["data"]["requestApproval"]["approval"]["requestedBy"]

    assert str(uuid.UUID(me["id"])) == me["id"]
    assert owner == asked == me


@pytest.mark.parametrize("bad_id", ["1", "51", "²", "٣", "not-an-id", "0" * 5000])
def test_an_id_that_is_not_a_uuid_answers_invalid_id(bad_id: str) -> None:
    worker = token("cp_worker")

    for operation, name in ((UNFLAG, "unflag"), (RESPOND_REFERRAL, "respondToReferral")):
        assert payload_codes(gql(operation, {"id": bad_id}, worker), name) == ["INVALID_ID"]
    assert payload_codes(gql(FLAG, {"id": bad_id}, worker), "flagCase") == ["INVALID_ID"]
    assert error_codes(gql(CASE_OWNER, {"id": bad_id}, worker)) == ["INVALID_ID"]


def test_an_integer_id_of_an_existing_flag_is_not_accepted() -> None:
    from backend.workflows.models import Flag
    from tests.graphql_client import use_tenant

    worker = token("cp_worker")
    case_id = register(worker)
    flag_id = gql(FLAG, {"id": case_id}, worker)["data"]["flagCase"]["flag"]["id"]
    use_tenant("demo")
    pk = Flag.objects.get(public_id=flag_id).pk

    assert payload_codes(gql(UNFLAG, {"id": str(pk)}, worker), "unflag") == ["INVALID_ID"]


def test_an_unknown_uuid_answers_not_found_like_any_missing_object() -> None:
    worker = token("cp_worker")

    missing = {"id": str(uuid.uuid4())}

    assert payload_codes(gql(UNFLAG, missing, worker), "unflag") == ["NOT_FOUND"]
    assert payload_codes(gql(RESPOND_REFERRAL, missing, worker), "respondToReferral") == [
        "NOT_FOUND"
    ]
