"""Free text of workflow steps and of forms is bounded: TEXT_TOO_LONG, and nothing is saved."""

from __future__ import annotations

from typing import Any

import pytest

from backend.workflows.models import Family
from tests.graphql_client import gql, payload_codes, use_tenant
from tests.workflows.test_demo_flow import CHILD, REFER, REGISTER, form_of_field, register, token

pytestmark = pytest.mark.django_db

MEGABYTE = "x" * 1_000_000
VIEW = """query($id: ID!) { case(id: $id) { status flags { reason removedAt }
  notes { subject } transitions { kind status } approvals { status } } }"""
ADD_NOTE = """mutation($id: ID!, $subject: String!, $body: String!) {
  addNote(id: $id, subject: $subject, body: $body) {
    note { id } record { ... on Case { id } } errors { path code message } } }"""
FLAG = """mutation($id: ID!, $reason: String!) { flagCase(id: $id, reason: $reason) {
  flag { id } case { id } errors { path code message } } }"""
UNFLAG = """mutation($id: ID!, $note: String!) { unflag(id: $id, note: $note) {
  flag { id } record { ... on Case { id } } errors { path code message } } }"""
FAMILY = """mutation($name: String!, $ids: [ID!]!) { createFamily(name: $name, caseIds: $ids) {
  family { id } errors { path code message } } }"""
CLOSE = """mutation($id: ID!, $reason: String!) { closeCase(id: $id, reason: $reason) {
  case { status } errors { path code message } } }"""
REOPEN = """mutation($id: ID!, $reason: String!) { reopenCase(id: $id, reason: $reason) {
  case { status } errors { path code message } } }"""
TRANSFER_WITH_NOTE = """mutation($id: ID!, $note: String!) {
  transferCase(id: $id, toUser: "cp_supervisor", note: $note) {
    transition { id } case { id } errors { path code message } } }"""
ASK = """mutation($id: ID!) { requestApproval(id: $id, approvalType: "assessment") {
  approval { status } errors { code } } }"""
APPROVE = """mutation($id: ID!, $comment: String!) {
  respondToApproval(id: $id, approvalType: "assessment", approve: true, comment: $comment) {
    approval { status } record { ... on Case { id } } errors { path code message } } }"""
REFER_WITH_NOTE = """mutation($id: ID!, $forms: [String!]!, $note: String!) {
  referCase(id: $id, toUser: "referral_worker", forms: $forms, note: $note) {
    transition { id } case { id } errors { path code message } } }"""
RESPOND_REFERRAL = """mutation($id: ID!, $note: String!) {
  respondToReferral(id: $id, accept: true, note: $note) {
    transition { status } record { ... on Case { id } } errors { path code message } } }"""


def view(case_id: str, as_token: str) -> dict[str, Any]:
    case: dict[str, Any] = gql(VIEW, {"id": case_id}, as_token)["data"]["case"]
    return case


def refused(body: dict[str, Any], mutation: str, field: str, limit: int) -> bool:
    """One TEXT_TOO_LONG naming the argument and its limit, and nothing in the payload."""
    assert payload_codes(body, mutation) == ["TEXT_TOO_LONG"], body
    payload = body["data"][mutation]
    [error] = payload.pop("errors")
    payload.pop("clientMutationId", None)
    nothing_returned = all(value in (None, []) for value in payload.values())
    return bool(
        error["path"] == [field] and f"at most {limit} " in error["message"] and nothing_returned
    )


def test_a_megabyte_note_subject_is_too_long_and_no_note_is_saved() -> None:
    worker = token("cp_worker")
    case_id = register(worker)

    body = gql(ADD_NOTE, {"id": case_id, "subject": MEGABYTE, "body": "visit"}, worker)

    assert refused(body, "addNote", "subject", 200)
    assert view(case_id, worker)["notes"] == []


def test_a_megabyte_note_body_is_too_long() -> None:
    worker = token("cp_worker")
    case_id = register(worker)

    body = gql(ADD_NOTE, {"id": case_id, "subject": "visit", "body": MEGABYTE}, worker)

    assert refused(body, "addNote", "body", 10_000)
    assert view(case_id, worker)["notes"] == []


def test_a_megabyte_flag_reason_is_too_long_and_no_flag_is_saved() -> None:
    worker = token("cp_worker")
    case_id = register(worker)

    body = gql(FLAG, {"id": case_id, "reason": MEGABYTE}, worker)

    assert refused(body, "flagCase", "reason", 10_000)
    assert view(case_id, worker)["flags"] == []


def test_a_megabyte_removal_note_keeps_the_flag() -> None:
    worker = token("cp_worker")
    case_id = register(worker)
    flagged = gql(FLAG, {"id": case_id, "reason": "check school"}, worker)["data"]["flagCase"]
    flag_id = flagged["flag"]["id"]

    body = gql(UNFLAG, {"id": flag_id, "note": MEGABYTE}, worker)

    assert refused(body, "unflag", "note", 10_000)
    assert view(case_id, worker)["flags"] == [{"reason": "check school", "removedAt": None}]


def test_a_megabyte_family_name_is_too_long_and_no_family_is_saved() -> None:
    worker = token("cp_worker")
    case_id = register(worker)
    use_tenant("demo")
    before = Family.objects.count()

    body = gql(FAMILY, {"name": MEGABYTE, "ids": [case_id]}, worker)

    assert refused(body, "createFamily", "name", 200)
    assert Family.objects.count() == before


def test_a_megabyte_referral_note_is_too_long_and_nothing_is_referred() -> None:
    worker = token("cp_worker")
    case_id = register(worker)

    body = gql(
        REFER_WITH_NOTE,
        {"id": case_id, "forms": [form_of_field("name_first")], "note": MEGABYTE},
        worker,
    )

    assert refused(body, "referCase", "note", 10_000)
    assert view(case_id, worker)["transitions"] == []


def test_a_megabyte_response_note_leaves_the_referral_pending() -> None:
    worker, partner = token("cp_worker"), token("referral_worker")
    case_id = register(worker)
    referral = gql(
        REFER,
        {"id": case_id, "to": "referral_worker", "forms": [form_of_field("name_first")]},
        worker,
    )["data"]["referCase"]["transition"]

    body = gql(RESPOND_REFERRAL, {"id": referral["id"], "note": MEGABYTE}, partner)

    assert refused(body, "respondToReferral", "note", 10_000)
    assert view(case_id, worker)["transitions"] == [{"kind": "REFERRAL", "status": "PENDING"}]


def test_a_megabyte_approval_comment_leaves_the_approval_requested() -> None:
    worker, supervisor = token("cp_worker"), token("cp_supervisor")
    case_id = register(worker)
    gql(ASK, {"id": case_id}, worker)

    body = gql(APPROVE, {"id": case_id, "comment": MEGABYTE}, supervisor)

    assert refused(body, "respondToApproval", "comment", 10_000)
    assert view(case_id, worker)["approvals"] == [{"status": "REQUESTED"}]


def test_a_megabyte_closure_reason_keeps_the_case_open() -> None:
    admin = token("admin")
    case_id = register(admin)

    body = gql(CLOSE, {"id": case_id, "reason": MEGABYTE}, admin)

    assert refused(body, "closeCase", "reason", 10_000)
    assert view(case_id, admin)["status"] == "OPEN"


def test_a_form_text_field_over_its_length_is_a_field_error_and_no_case_is_saved() -> None:
    body = gql(REGISTER, {"input": {**CHILD, "nameFirst": MEGABYTE}}, token("cp_worker"))

    payload = body["data"]["createCase"]
    assert payload["case"] is None
    assert [e["code"] for e in payload["errors"]] == ["TEXT_TOO_LONG"]
    assert payload["errors"][0]["path"] == ["input", "nameFirst"]


def test_a_megabyte_transfer_note_is_too_long_and_nothing_is_offered() -> None:
    worker = token("cp_worker")
    case_id = register(worker)

    body = gql(TRANSFER_WITH_NOTE, {"id": case_id, "note": MEGABYTE}, worker)

    assert refused(body, "transferCase", "note", 10_000)
    assert view(case_id, worker)["transitions"] == []


def test_a_megabyte_reopen_reason_is_too_long() -> None:
    admin = token("admin")
    case_id = register(admin)

    body = gql(REOPEN, {"id": case_id, "reason": MEGABYTE}, admin)

    assert refused(body, "reopenCase", "reason", 10_000)
    assert view(case_id, admin)["status"] == "OPEN"
