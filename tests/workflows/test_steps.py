"""Each workflow step: its rules, its typed errors, its trace in the history."""

from __future__ import annotations

import pytest

from tests.graphql_client import error_codes, gql, payload_codes
from tests.workflows.test_demo_flow import CHILD, REFER, REGISTER, TRANSFER, form_of_field, token

pytestmark = pytest.mark.django_db

CLOSE = """mutation($id: ID!) { closeCase(id: $id, reason: "reunified") {
  case { status workflowStage } errors { code } } }"""
REOPEN = """mutation($id: ID!) { reopenCase(id: $id, reason: "new concern") {
  case { status } errors { code } } }"""
APPROVE = """mutation($id: ID!, $type: String!, $ok: Boolean!) {
  respondToApproval(id: $id, approvalType: $type, approve: $ok) {
    approval { status } errors { code } } }"""
ASK = """mutation($id: ID!, $type: String!) {
  requestApproval(id: $id, approvalType: $type) { approval { status } errors { code } } }"""
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

    assert payload_codes(body, "referCase") == ["CONSENT_REQUIRED"]
    assert body["data"]["referCase"]["transition"] is None


def test_a_role_that_may_override_consent_refers_and_it_is_recorded() -> None:
    admin = token("admin")
    case_id = register(admin, consentToShareWithReferral=False)

    body = gql(
        "mutation($id: ID!, $f: [String!]!) { referCase(id: $id, toUser: "
        '"referral_worker", forms: $f) { transition { consentOverridden } } }',
        {"id": case_id, "f": [form_of_field("name_first")]},
        admin,
    )

    assert body["data"]["referCase"] == {"transition": {"consentOverridden": True}}


def test_revoking_a_referral_ends_the_recipients_access() -> None:
    worker, partner = token("cp_worker"), token("referral_worker")
    case_id = register(worker)
    referral = gql(
        REFER,
        {"id": case_id, "to": "referral_worker", "forms": [form_of_field("name_first")]},
        worker,
    )["data"]["referCase"]["transition"]
    assert gql(VIEW, {"id": case_id}, partner)["data"]["case"]["owner"] == {"username": "cp_worker"}

    gql(
        "mutation($id: ID!) { revokeReferral(id: $id) { transition { status } } }",
        {"id": referral["id"]},
        worker,
    )

    assert error_codes(gql(VIEW, {"id": case_id}, partner)) == ["NOT_FOUND"]


def test_a_rejected_transfer_keeps_the_owner() -> None:
    worker, supervisor = token("cp_worker"), token("cp_supervisor")
    case_id = register(worker)
    offer = gql(TRANSFER, {"id": case_id, "to": "cp_supervisor"}, worker)["data"]["transferCase"]
    offer = offer["transition"]

    gql(
        "mutation($id: ID!) { respondToTransfer(id: $id, accept: false) "
        "{ transition { status } } }",
        {"id": offer["id"]},
        supervisor,
    )

    assert gql(VIEW, {"id": case_id}, worker)["data"]["case"]["owner"] == {"username": "cp_worker"}


def test_answering_someone_elses_transfer_is_not_found() -> None:
    worker = token("cp_worker")
    case_id = register(worker)
    offer = gql(TRANSFER, {"id": case_id, "to": "cp_supervisor"}, worker)["data"]["transferCase"]

    body = gql(
        "mutation($id: ID!) { respondToTransfer(id: $id, accept: true) { "
        "transition { status } record { ... on Case { id } } errors { code } } }",
        {"id": offer["transition"]["id"]},
        token("referral_worker"),
    )

    assert payload_codes(body, "respondToTransfer") == ["NOT_FOUND"]
    assert body["data"]["respondToTransfer"]["record"] is None


def test_a_transfer_request_accepted_by_the_owner_moves_the_case() -> None:
    worker, supervisor = token("cp_worker"), token("cp_supervisor")
    case_id = register(worker)
    ask = gql(
        'mutation($id: ID!) { requestTransfer(id: $id, note: "I know the family") '
        "{ transition { id status } } }",
        {"id": case_id},
        supervisor,
    )["data"]["requestTransfer"]["transition"]

    gql(
        "mutation($id: ID!) { respondToTransferRequest(id: $id, accept: true) "
        "{ transition { status } } }",
        {"id": ask["id"]},
        worker,
    )

    assert gql(VIEW, {"id": case_id}, supervisor)["data"]["case"]["owner"] == {
        "username": "cp_supervisor"
    }


def test_closing_needs_an_approved_closure_then_reopening_works() -> None:
    worker, supervisor = token("cp_worker"), token("cp_supervisor")
    case_id = register(worker)

    assert payload_codes(gql(CLOSE, {"id": case_id}, worker), "closeCase") == ["APPROVAL_REQUIRED"]
    gql(ASK, {"id": case_id, "type": "closure"}, worker)
    gql(APPROVE, {"id": case_id, "type": "closure", "ok": True}, supervisor)

    closed = gql(CLOSE, {"id": case_id}, worker)["data"]["closeCase"]
    assert closed == {"case": {"status": "CLOSED", "workflowStage": "closed"}, "errors": []}
    assert payload_codes(gql(CLOSE, {"id": case_id}, worker), "closeCase") == ["INVALID_TRANSITION"]
    reopened = gql(REOPEN, {"id": case_id}, worker)["data"]["reopenCase"]
    assert reopened == {"case": {"status": "REOPENED"}, "errors": []}


def test_nobody_approves_their_own_request_without_the_right() -> None:
    supervisor = token("cp_supervisor")
    case_id = register(supervisor)
    gql(ASK, {"id": case_id, "type": "assessment"}, supervisor)

    body = gql(APPROVE, {"id": case_id, "type": "assessment", "ok": True}, supervisor)

    assert payload_codes(body, "respondToApproval") == ["FORBIDDEN"]


def test_a_caseworker_cannot_approve() -> None:
    worker = token("cp_worker")
    case_id = register(worker)
    gql(ASK, {"id": case_id, "type": "assessment"}, worker)

    body = gql(APPROVE, {"id": case_id, "type": "assessment", "ok": True}, worker)

    assert payload_codes(body, "respondToApproval") == ["FORBIDDEN"]


def test_flags_and_notes_are_listed_and_unflag_keeps_the_trace() -> None:
    worker = token("cp_worker")
    case_id = register(worker)
    flagged = gql(
        'mutation($id: ID!) { flagCase(id: $id, reason: "missing school") { flag { id } } }',
        {"id": case_id},
        worker,
    )["data"]["flagCase"]["flag"]
    gql(
        'mutation($id: ID!) { addNote(id: $id, body: "Visited the family.") { note { id } } }',
        {"id": case_id},
        worker,
    )

    gql(
        'mutation($id: ID!) { unflag(id: $id, note: "enrolled") { flag { removedAt } } }',
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
        "{ results { recordId ok error { code } case { owner { username } } } } }",
        {"ids": [mine, sandbox_like]},
        admin,
    )

    assert body["data"]["bulkAssignCases"]["results"] == [
        {"recordId": mine, "ok": True, "error": None, "case": {"owner": {"username": "cp_worker"}}},
        {"recordId": sandbox_like, "ok": False, "error": {"code": "NOT_FOUND"}, "case": None},
    ]


def test_more_than_100_records_in_bulk_is_refused() -> None:
    ids = [f"00000000-0000-0000-0000-{n:012d}" for n in range(101)]

    body = gql(
        'mutation($ids: [ID!]!) { bulkFlagCases(ids: $ids, reason: "x") '
        "{ results { ok } errors { path code } } }",
        {"ids": ids},
        token("admin"),
    )

    assert body["data"]["bulkFlagCases"] == {
        "results": None,
        "errors": [{"path": ["ids"], "code": "BAD_USER_INPUT"}],
    }


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
        "mutation($id: ID!) { incidentFromCase(id: $id) { "
        "incident { ... on Incident { survivorSex } } case { ... on Case { id } } "
        "errors { path } } }",
        {"id": case_id},
        admin,
    )["data"]["incidentFromCase"]

    assert body == {"incident": {"survivorSex": "female"}, "case": {"id": case_id}, "errors": []}


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
        "mutation($id: ID!) { respondToTransfer(id: $id, accept: true) { transition { status } } }",
        {"id": offer["transition"]["id"]},
        supervisor,
    )

    assert body["data"]["respondToTransfer"] == {"transition": {"status": "ACCEPTED"}}
    assert gql(VIEW, {"id": case_id}, token("cp_worker"))["data"]["case"]["owner"] == {
        "username": "cp_worker"
    }


def test_cases_are_grouped_as_a_family() -> None:
    worker = token("cp_worker")
    first, second = register(worker), register(worker)

    body = gql(
        'mutation($ids: [ID!]!) { createFamily(name: "Hassan", caseIds: $ids) '
        "{ family { name caseIds } records { ... on Case { id } } } }",
        {"ids": [first, second]},
        worker,
    )

    created = body["data"]["createFamily"]
    assert created["family"]["name"] == "Hassan"
    assert sorted(created["family"]["caseIds"]) == sorted([first, second])
    assert sorted(r["id"] for r in created["records"]) == sorted([first, second])


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
    )["data"]["referCase"]["transition"]

    body = gql(
        "mutation($id: ID!) { revokeReferral(id: $id) { "
        "transition { status } errors { code message } } }",
        {"id": referral["id"]},
        token("gbv_worker"),
    )

    assert payload_codes(body, "revokeReferral") == ["NOT_FOUND"]
    assert case_id not in body["data"]["revokeReferral"]["errors"][0]["message"]
