"""Each workflow step: its rules, its typed errors, its trace in the history."""

from __future__ import annotations

import pytest

from tests.graphql_client import error_codes, gql
from tests.workflows.test_demo_flow import CHILD, REFER, REGISTER, TRANSFER, form_of_field, token

pytestmark = pytest.mark.django_db

CLOSE = 'mutation($id: ID!) { closeCase(id: $id, reason: "reunified") { status workflowStage } }'
REOPEN = 'mutation($id: ID!) { reopenCase(id: $id, reason: "new concern") { status } }'
APPROVE = """mutation($id: ID!, $type: String!, $ok: Boolean!) {
  respondToApproval(id: $id, approvalType: $type, approve: $ok) { status } }"""
ASK = """mutation($id: ID!, $type: String!) {
  requestApproval(id: $id, approvalType: $type) { status } }"""
VIEW = """query($id: ID!) { case(id: $id) { owner { username } status flags { reason removedAt }
  notes { body author { username } } transitions { kind status } } }"""


def register(worker: str, **extra: object) -> str:
    body = gql(REGISTER, {"input": {**CHILD, **extra}}, worker)
    assert body["data"]["createCase"]["errors"] == [], body
    case_id: str = body["data"]["createCase"]["case"]["id"]
    return case_id


def test_a_referral_without_consent_is_refused() -> None:
    worker = token("cp_worker")
    case_id = register(worker, consentToShareWithReferral=False)

    body = gql(
        REFER,
        {"id": case_id, "to": "referral_worker", "forms": [form_of_field("name_first")]},
        worker,
    )

    assert error_codes(body) == ["CONSENT_REQUIRED"]


def test_a_role_that_may_override_consent_refers_and_it_is_recorded() -> None:
    admin = token("admin")
    case_id = register(admin, consentToShareWithReferral=False)

    body = gql(
        "mutation($id: ID!, $f: [String!]!) { referCase(id: $id, toUser: "
        '"referral_worker", forms: $f) { consentOverridden } }',
        {"id": case_id, "f": [form_of_field("name_first")]},
        admin,
    )

    assert body["data"]["referCase"] == {"consentOverridden": True}


def test_revoking_a_referral_ends_the_recipients_access() -> None:
    worker, partner = token("cp_worker"), token("referral_worker")
    case_id = register(worker)
    referral = gql(
        REFER,
        {"id": case_id, "to": "referral_worker", "forms": [form_of_field("name_first")]},
        worker,
    )["data"]["referCase"]
    assert gql(VIEW, {"id": case_id}, partner)["data"]["case"]["owner"] == {"username": "cp_worker"}

    gql("mutation($id: ID!) { revokeReferral(id: $id) { status } }", {"id": referral["id"]}, worker)

    assert error_codes(gql(VIEW, {"id": case_id}, partner)) == ["NOT_FOUND"]


def test_a_rejected_transfer_keeps_the_owner() -> None:
    worker, supervisor = token("cp_worker"), token("cp_supervisor")
    case_id = register(worker)
    offer = gql(TRANSFER, {"id": case_id, "to": "cp_supervisor"}, worker)["data"]["transferCase"]

    gql(
        "mutation($id: ID!) { respondToTransfer(id: $id, accept: false) { status } }",
        {"id": offer["id"]},
        supervisor,
    )

    assert gql(VIEW, {"id": case_id}, worker)["data"]["case"]["owner"] == {"username": "cp_worker"}


def test_answering_someone_elses_transfer_is_not_found() -> None:
    worker = token("cp_worker")
    case_id = register(worker)
    offer = gql(TRANSFER, {"id": case_id, "to": "cp_supervisor"}, worker)["data"]["transferCase"]

    body = gql(
        "mutation($id: ID!) { respondToTransfer(id: $id, accept: true) { status } }",
        {"id": offer["id"]},
        token("referral_worker"),
    )

    assert error_codes(body) == ["NOT_FOUND"]


def test_a_transfer_request_accepted_by_the_owner_moves_the_case() -> None:
    worker, supervisor = token("cp_worker"), token("cp_supervisor")
    case_id = register(worker)
    ask = gql(
        'mutation($id: ID!) { requestTransfer(id: $id, note: "I know the family") { id status } }',
        {"id": case_id},
        supervisor,
    )["data"]["requestTransfer"]

    gql(
        "mutation($id: ID!) { respondToTransferRequest(id: $id, accept: true) { status } }",
        {"id": ask["id"]},
        worker,
    )

    assert gql(VIEW, {"id": case_id}, supervisor)["data"]["case"]["owner"] == {
        "username": "cp_supervisor"
    }


def test_closing_needs_an_approved_closure_then_reopening_works() -> None:
    worker, supervisor = token("cp_worker"), token("cp_supervisor")
    case_id = register(worker)

    assert error_codes(gql(CLOSE, {"id": case_id}, worker)) == ["APPROVAL_REQUIRED"]
    gql(ASK, {"id": case_id, "type": "closure"}, worker)
    gql(APPROVE, {"id": case_id, "type": "closure", "ok": True}, supervisor)

    closed = gql(CLOSE, {"id": case_id}, worker)["data"]["closeCase"]
    assert closed == {"status": "CLOSED", "workflowStage": "closed"}
    assert error_codes(gql(CLOSE, {"id": case_id}, worker)) == ["INVALID_TRANSITION"]
    assert gql(REOPEN, {"id": case_id}, worker)["data"]["reopenCase"] == {"status": "REOPENED"}


def test_nobody_approves_their_own_request_without_the_right() -> None:
    supervisor = token("cp_supervisor")
    case_id = register(supervisor)
    gql(ASK, {"id": case_id, "type": "assessment"}, supervisor)

    body = gql(APPROVE, {"id": case_id, "type": "assessment", "ok": True}, supervisor)

    assert error_codes(body) == ["FORBIDDEN"]


def test_a_caseworker_cannot_approve() -> None:
    worker = token("cp_worker")
    case_id = register(worker)
    gql(ASK, {"id": case_id, "type": "assessment"}, worker)

    body = gql(APPROVE, {"id": case_id, "type": "assessment", "ok": True}, worker)

    assert error_codes(body) == ["FORBIDDEN"]


def test_flags_and_notes_are_listed_and_unflag_keeps_the_trace() -> None:
    worker = token("cp_worker")
    case_id = register(worker)
    flagged = gql(
        'mutation($id: ID!) { flagCase(id: $id, reason: "missing school") { id } }',
        {"id": case_id},
        worker,
    )["data"]["flagCase"]
    gql(
        'mutation($id: ID!) { addNote(id: $id, body: "Visited the family.") { id } }',
        {"id": case_id},
        worker,
    )

    gql(
        'mutation($id: ID!) { unflag(id: $id, note: "enrolled") { removedAt } }',
        {"id": flagged["id"]},
        worker,
    )

    case = gql(VIEW, {"id": case_id}, worker)["data"]["case"]
    assert case["flags"][0]["reason"] == "missing school"
    assert case["flags"][0]["removedAt"] is not None
    assert case["notes"] == [{"body": "Visited the family.", "author": {"username": "cp_worker"}}]


def test_bulk_assign_reports_each_record() -> None:
    admin = token("admin")
    mine = register(admin)
    sandbox_like = "00000000-0000-0000-0000-000000000000"

    body = gql(
        'mutation($ids: [ID!]!) { bulkAssignCases(ids: $ids, toUser: "cp_worker") '
        "{ recordId ok code } }",
        {"ids": [mine, sandbox_like]},
        admin,
    )

    assert body["data"]["bulkAssignCases"] == [
        {"recordId": mine, "ok": True, "code": None},
        {"recordId": sandbox_like, "ok": False, "code": "NOT_FOUND"},
    ]


def test_more_than_100_records_in_bulk_is_refused() -> None:
    ids = [f"00000000-0000-0000-0000-{n:012d}" for n in range(101)]

    body = gql(
        'mutation($ids: [ID!]!) { bulkFlagCases(ids: $ids, reason: "x") { ok } }',
        {"ids": ids},
        token("admin"),
    )

    assert error_codes(body) == ["BAD_USER_INPUT"]


def test_every_step_is_in_the_history() -> None:
    worker, supervisor = token("cp_worker"), token("cp_supervisor")
    case_id = register(worker)
    gql(ASK, {"id": case_id, "type": "assessment"}, worker)
    gql(APPROVE, {"id": case_id, "type": "assessment", "ok": True}, supervisor)

    history = gql(
        "query($id: ID!) { recordHistory(id: $id) { action changes { field new } } }",
        {"id": case_id},
        worker,
    )["data"]["recordHistory"]

    assert [h["action"] for h in history] == ["create", "request_approval", "approval_approved"]
    assert {"field": "workflow_stage", "new": "case_plan"} in history[2]["changes"]


def test_an_incident_is_opened_from_a_case_with_mapped_fields() -> None:
    admin = token("admin")
    case_id = register(admin)

    body = gql(
        "mutation($id: ID!) { incidentFromCase(id: $id) { incidentId errors { path } } }",
        {"id": case_id},
        admin,
    )["data"]["incidentFromCase"]

    incident = gql(
        "query($id: ID!) { incident(id: $id) { survivorSex } }", {"id": body["incidentId"]}, admin
    )
    assert incident["data"]["incident"] == {"survivorSex": "female"}


def test_the_owner_is_alerted_when_someone_else_changes_their_case() -> None:
    worker, supervisor = token("cp_worker"), token("cp_supervisor")
    case_id = register(worker)

    gql(
        'mutation($id: ID!) { updateCase(id: $id, baseRevision: 1, input: {nameLast: "Omar"}) '
        "{ errors { code } } }",
        {"id": case_id},
        supervisor,
    )

    alerts = gql("{ alerts { kind record { recordId } } }", token=worker)["data"]["alerts"]
    assert {"kind": "record_changed", "record": {"recordId": case_id}} in alerts


def test_a_service_past_its_due_date_and_not_implemented_is_overdue() -> None:
    worker = token("cp_worker")
    case_id = register(
        worker,
        services=[
            {"serviceType": "health", "serviceDueDate": "2020-01-01", "serviceImplemented": False},
            {
                "serviceType": "education",
                "serviceDueDate": "2020-01-01",
                "serviceImplemented": True,
            },
            {"serviceType": "health", "serviceDueDate": "2999-01-01"},
        ],
    )

    case = gql(
        "query($id: ID!) { case(id: $id) { services { overdue } } }", {"id": case_id}, worker
    )["data"]["case"]

    assert [s["overdue"] for s in case["services"]] == [True, False, False]


def test_a_supervisor_answers_a_transfer_for_a_user_of_their_group() -> None:
    admin, supervisor = token("admin"), token("cp_supervisor")
    case_id = register(admin)
    offer = gql(TRANSFER, {"id": case_id, "to": "cp_worker"}, admin)["data"]["transferCase"]

    body = gql(
        "mutation($id: ID!) { respondToTransfer(id: $id, accept: true) { status } }",
        {"id": offer["id"]},
        supervisor,
    )

    assert body["data"]["respondToTransfer"] == {"status": "ACCEPTED"}
    assert gql(VIEW, {"id": case_id}, token("cp_worker"))["data"]["case"]["owner"] == {
        "username": "cp_worker"
    }


def test_cases_are_grouped_as_a_family() -> None:
    worker = token("cp_worker")
    first, second = register(worker), register(worker)

    body = gql(
        'mutation($ids: [ID!]!) { createFamily(name: "Hassan", caseIds: $ids) { name caseIds } }',
        {"ids": [first, second]},
        worker,
    )

    assert body["data"]["createFamily"]["name"] == "Hassan"
    assert sorted(body["data"]["createFamily"]["caseIds"]) == sorted([first, second])


def test_a_case_shows_the_readers_own_alerts_about_it() -> None:
    worker, supervisor = token("cp_worker"), token("cp_supervisor")
    case_id = register(worker)
    gql(
        'mutation($id: ID!) { updateCase(id: $id, baseRevision: 1, input: {nameLast: "Omar"}) '
        "{ errors { code } } }",
        {"id": case_id},
        supervisor,
    )

    mine = gql("query($id: ID!) { case(id: $id) { alerts { kind } } }", {"id": case_id}, worker)
    theirs = gql(
        "query($id: ID!) { case(id: $id) { alerts { kind } } }", {"id": case_id}, supervisor
    )

    assert mine["data"]["case"]["alerts"] == [{"kind": "record_changed"}]
    assert theirs["data"]["case"]["alerts"] == []


def test_an_approval_request_alerts_the_approvers_who_can_see_the_case() -> None:
    worker = token("cp_worker")
    case_id = register(worker)

    gql(ASK, {"id": case_id, "type": "assessment"}, worker)

    def kinds(username: str) -> list[str]:
        alerts = gql("{ alerts { kind } }", token=token(username))["data"]["alerts"]
        return [a["kind"] for a in alerts]

    assert "approval_request" in kinds("cp_supervisor")
    assert "approval_request" not in kinds("cp_monitor")
    assert "approval_request" not in kinds("referral_worker")


def test_revoking_someone_elses_referral_does_not_reveal_the_case() -> None:
    worker = token("cp_worker")
    case_id = register(worker)
    referral = gql(
        REFER,
        {"id": case_id, "to": "referral_worker", "forms": [form_of_field("name_first")]},
        worker,
    )["data"]["referCase"]

    body = gql(
        "mutation($id: ID!) { revokeReferral(id: $id) { status } }",
        {"id": referral["id"]},
        token("gbv_worker"),
    )

    assert error_codes(body) == ["NOT_FOUND"]
    assert case_id not in body["errors"][0]["message"]
