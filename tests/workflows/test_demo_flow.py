"""The demo flow of the workflows issue, end to end through GraphQL:
register, approve, refer with two forms, transfer."""

from __future__ import annotations

from typing import Any

import pytest

from tests.graphql_client import error_codes, gql, login

pytestmark = pytest.mark.django_db

REGISTER = """
mutation($input: CaseInput!) {
  createCase(input: $input) { case { id workflowStage } errors { path code } }
}
"""
REQUEST_APPROVAL = """
mutation($id: ID!, $type: String!) {
  requestApproval(id: $id, approvalType: $type) { approval { approvalType status } errors { code } }
}
"""
RESPOND_APPROVAL = """
mutation($id: ID!, $type: String!, $approve: Boolean!) {
  respondToApproval(id: $id, approvalType: $type, approve: $approve, comment: "ok") {
    approval { status responded: respondedBy { username } }
    record { ... on Case { workflowStage } }
  }
}
"""
REFER = """
mutation($id: ID!, $to: String!, $forms: [String!]!) {
  referCase(id: $id, toUser: $to, forms: $forms, note: "health follow-up") {
    transition { id status forms }
    errors { code }
  }
}
"""
TRANSFER = """
mutation($id: ID!, $to: String!) {
  transferCase(id: $id, toUser: $to) { transition { id status } case { owner { username } } }
}
"""
RESPOND_TRANSFER = """
mutation($id: ID!, $accept: Boolean!) {
  respondToTransfer(id: $id, accept: $accept) {
    transition { status }
    record { ... on Case { owner { username } } }
  }
}
"""
CASE_VIEW = """
query($id: ID!) {
  case(id: $id) {
    owner { username } workflowStage nameFirst sex protectionConcerns hasChronicCondition
    approvals { approvalType status }
    transitions { kind status toUser { username } }
  }
}
"""
CHILD = {
    "registrationDate": "2026-01-10",
    "nameFirst": "Amina",
    "sex": "female",
    "dateOfBirth": "2015-04-02",
    "protectionConcerns": ["separated"],
    "consentToShareWithReferral": True,
    "hasChronicCondition": False,
}


def token(username: str) -> str:
    value: str = login(username)["accessToken"]
    return value


def register(worker: str, **extra: Any) -> str:
    body = gql(REGISTER, {"input": {**CHILD, **extra}}, worker)
    assert body["data"]["createCase"]["errors"] == [], body
    case_id: str = body["data"]["createCase"]["case"]["id"]
    return case_id


def form_of_field(field: str) -> str:
    forms = gql('{ forms(recordType: "case") { key fields { name } } }', token=token("admin"))[
        "data"
    ]["forms"]
    return next(f["key"] for f in forms if any(x["name"] == field for x in f["fields"]))


def test_register_approve_refer_and_transfer() -> None:
    worker, supervisor, partner = (
        token("cp_worker"),
        token("cp_supervisor"),
        token("referral_worker"),
    )

    # 1. the caseworker registers a child and asks for assessment approval
    case_id = register(worker)
    asked = gql(REQUEST_APPROVAL, {"id": case_id, "type": "assessment"}, worker)
    assert asked["data"]["requestApproval"] == {
        "approval": {"approvalType": "assessment", "status": "REQUESTED"},
        "errors": [],
    }

    # 2. the supervisor approves
    approved = gql(
        RESPOND_APPROVAL, {"id": case_id, "type": "assessment", "approve": True}, supervisor
    )
    assert approved["data"]["respondToApproval"] == {
        "approval": {"status": "APPROVED", "responded": {"username": "cp_supervisor"}},
        "record": {"workflowStage": "case_plan"},
    }
    stage = gql(CASE_VIEW, {"id": case_id}, worker)["data"]["case"]
    assert stage["workflowStage"] == "case_plan"
    assert stage["approvals"] == [{"approvalType": "assessment", "status": "APPROVED"}]

    # 3. the worker refers the case with two forms; the recipient sees only those
    identity, health = form_of_field("name_first"), form_of_field("has_chronic_condition")
    assert error_codes(gql(CASE_VIEW, {"id": case_id}, partner)) == ["NOT_FOUND"]
    referral = gql(
        REFER, {"id": case_id, "to": "referral_worker", "forms": [identity, health]}, worker
    )["data"]["referCase"]["transition"]
    assert referral["status"] == "PENDING"
    seen = gql(CASE_VIEW, {"id": case_id}, partner)
    case = seen["data"]["case"]
    assert case["nameFirst"] == "Amina"
    assert case["sex"] == "female"
    assert case["hasChronicCondition"] is False
    assert case["protectionConcerns"] is None  # another form
    assert ["case", "protectionConcerns"] in seen["extensions"]["redacted"]
    assert case["approvals"] == []
    assert [t["kind"] for t in case["transitions"]] == ["REFERRAL"]
    accepted = gql(
        "mutation($id: ID!) { respondToReferral(id: $id, accept: true) { transition { status } } }",
        {"id": referral["id"]},
        partner,
    )
    assert accepted["data"]["respondToReferral"] == {"transition": {"status": "ACCEPTED"}}

    # 4. the worker transfers the case; once accepted, the owner has changed
    offered = gql(TRANSFER, {"id": case_id, "to": "cp_supervisor"}, worker)["data"]
    assert offered["transferCase"]["case"] == {"owner": {"username": "cp_worker"}}
    offer = offered["transferCase"]["transition"]
    done = gql(RESPOND_TRANSFER, {"id": offer["id"], "accept": True}, supervisor)
    assert done["data"]["respondToTransfer"] == {
        "transition": {"status": "ACCEPTED"},
        "record": {"owner": {"username": "cp_supervisor"}},
    }
    after = gql(CASE_VIEW, {"id": case_id}, supervisor)["data"]["case"]
    assert after["owner"] == {"username": "cp_supervisor"}
    assert error_codes(gql(CASE_VIEW, {"id": case_id}, worker)) == ["NOT_FOUND"]
