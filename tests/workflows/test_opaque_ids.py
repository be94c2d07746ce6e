"""Ids clients see are opaque UUIDs: unique across object kinds and tenants, parsed safely."""

from __future__ import annotations

import uuid

import pytest

from tests.graphql_client import error_codes, gql
from tests.workflows.test_demo_flow import REFER, form_of_field, token
from tests.workflows.test_steps import register

pytestmark = pytest.mark.django_db

FLAG = 'mutation($id: ID!) { flagCase(id: $id, reason: "missing school") { id } }'
NOTE = 'mutation($id: ID!) { addNote(id: $id, body: "Visited the family.") { id } }'
UNFLAG = "mutation($id: ID!) { unflag(id: $id) { id } }"
RESPOND_REFERRAL = "mutation($id: ID!) { respondToReferral(id: $id, accept: true) { id } }"
ASK = """mutation($id: ID!) {
  requestApproval(id: $id, approvalType: "assessment") { id requestedBy { id username } } }"""
ME = "{ me { id username } }"
CASE_OWNER = "query($id: ID!) { case(id: $id) { owner { id username } } }"


def test_workflow_objects_of_one_record_have_distinct_uuid_ids() -> None:
    worker = token("cp_worker")
    case_id = register(worker)

    flag = gql(FLAG, {"id": case_id}, worker)["data"]["flagCase"]["id"]
    note = gql(NOTE, {"id": case_id}, worker)["data"]["addNote"]["id"]
    referral = gql(
        REFER,
        {"id": case_id, "to": "referral_worker", "forms": [form_of_field("name_first")]},
        worker,
    )["data"]["referCase"]["id"]
    approval = gql(ASK, {"id": case_id}, worker)["data"]["requestApproval"]["id"]

    ids = [flag, note, referral, approval]
    assert len(set(ids)) == 4
    assert all(str(uuid.UUID(i)) == i for i in ids)


def test_users_have_the_same_opaque_id_wherever_they_appear() -> None:
    worker = token("cp_worker")
    case_id = register(worker)

    me = gql(ME, {}, worker)["data"]["me"]
    owner = gql(CASE_OWNER, {"id": case_id}, worker)["data"]["case"]["owner"]
    asked = gql(ASK, {"id": case_id}, worker)["data"]["requestApproval"]["requestedBy"]

    assert str(uuid.UUID(me["id"])) == me["id"]
    assert owner == asked == me


@pytest.mark.parametrize("bad_id", ["1", "51", "²", "٣", "not-an-id", "0" * 5000])
def test_an_id_that_is_not_a_uuid_answers_invalid_id(bad_id: str) -> None:
    worker = token("cp_worker")

    for operation in (UNFLAG, RESPOND_REFERRAL, FLAG):
        assert error_codes(gql(operation, {"id": bad_id}, worker)) == ["INVALID_ID"]
    assert error_codes(gql(CASE_OWNER, {"id": bad_id}, worker)) == ["INVALID_ID"]


def test_an_integer_id_of_an_existing_flag_is_not_accepted() -> None:
    from backend.workflows.models import Flag
    from tests.graphql_client import use_tenant

    worker = token("cp_worker")
    case_id = register(worker)
    flag_id = gql(FLAG, {"id": case_id}, worker)["data"]["flagCase"]["id"]
    use_tenant("demo")
    pk = Flag.objects.get(public_id=flag_id).pk

    assert error_codes(gql(UNFLAG, {"id": str(pk)}, worker)) == ["INVALID_ID"]


def test_an_unknown_uuid_answers_not_found_like_any_missing_object() -> None:
    worker = token("cp_worker")

    assert error_codes(gql(UNFLAG, {"id": str(uuid.uuid4())}, worker)) == ["NOT_FOUND"]
    assert error_codes(gql(RESPOND_REFERRAL, {"id": str(uuid.uuid4())}, worker)) == ["NOT_FOUND"]
