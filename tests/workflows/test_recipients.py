"""Refer, assign and transfer refuse a recipient who could not then read the record."""

from __future__ import annotations

from typing import Any

import pytest

from backend.accounts.models import Role
from tests.graphql_client import gql, payload_codes, use_tenant
from tests.workflows.test_demo_flow import form_of_field, register, token

pytestmark = pytest.mark.django_db

CREATE_INCIDENT = """mutation($input: IncidentInput!) {
  createIncident(input: $input) { incident { id } errors { path code } } }"""
INCIDENT_VIEW = "query($id: ID!) { incident(id: $id) { transitions { kind status } } }"
REFER_INCIDENT = """mutation($id: ID!, $to: String!, $forms: [String!]!) {
  referIncident(id: $id, toUser: $to, forms: $forms) {
    transition { id } incident { id } errors { path code message } } }"""
INCIDENT_FORMS = '{ forms(recordType: "incident") { key } }'
REFER = """mutation($id: ID!, $to: String!, $forms: [String!]!) {
  referCase(id: $id, toUser: $to, forms: $forms) {
    transition { id status } case { id } errors { path code message } } }"""
ASSIGN = """mutation($id: ID!, $to: String!) { assignCase(id: $id, toUser: $to) {
  transition { id } case { id } errors { path code message } } }"""
TRANSFER = """mutation($id: ID!, $to: String!) { transferCase(id: $id, toUser: $to) {
  transition { id } case { id } errors { path code message } } }"""
BULK_ASSIGN = """mutation($ids: [ID!]!, $to: String!) {
  bulkAssignCases(ids: $ids, toUser: $to) {
    results { recordId ok error { code } case { id } } errors { code } } }"""
CASE_VIEW = "query($id: ID!) { case(id: $id) { owner { username } transitions { kind status } } }"


def case_view(case_id: str, as_token: str) -> dict[str, Any]:
    case: dict[str, Any] = gql(CASE_VIEW, {"id": case_id}, as_token)["data"]["case"]
    return case


def test_referring_an_incident_to_a_user_without_incident_access_is_refused() -> None:
    gbv = token("gbv_worker")
    created = gql(
        CREATE_INCIDENT,
        {"input": {"interviewDate": "2026-01-10", "consentToShareWithReferral": True}},
        gbv,
    )["data"]["createIncident"]
    assert created["errors"] == [], created
    incident_id = created["incident"]["id"]
    forms = [f["key"] for f in gql(INCIDENT_FORMS, token=gbv)["data"]["forms"]][:1]

    body = gql(REFER_INCIDENT, {"id": incident_id, "to": "cp_worker", "forms": forms}, gbv)

    assert payload_codes(body, "referIncident") == ["RECIPIENT_CANNOT_ACCESS"]
    assert body["data"]["referIncident"]["transition"] is None
    assert gql(INCIDENT_VIEW, {"id": incident_id}, gbv)["data"]["incident"]["transitions"] == []


def test_referring_a_form_the_recipient_may_not_read_is_refused_and_names_it() -> None:
    worker = token("cp_worker")
    case_id = register(worker)
    shared, unreadable = form_of_field("name_first"), form_of_field("health_notes")
    use_tenant("demo")
    Role.objects.filter(code="referral_worker").update(form_access={shared: "rw"})

    body = gql(
        REFER, {"id": case_id, "to": "referral_worker", "forms": [shared, unreadable]}, worker
    )

    assert payload_codes(body, "referCase") == ["RECIPIENT_CANNOT_ACCESS"]
    [error] = body["data"]["referCase"]["errors"]
    assert error["path"] == ["forms"]
    assert unreadable in error["message"]
    assert shared not in error["message"]
    assert body["data"]["referCase"]["transition"] is None
    assert case_view(case_id, worker)["transitions"] == []


def test_assigning_a_case_to_a_user_without_case_access_is_refused() -> None:
    worker = token("cp_worker")
    case_id = register(worker)

    body = gql(ASSIGN, {"id": case_id, "to": "gbv_worker"}, worker)

    assert payload_codes(body, "assignCase") == ["RECIPIENT_CANNOT_ACCESS"]
    assert body["data"]["assignCase"]["transition"] is None
    assert case_view(case_id, worker) == {"owner": {"username": "cp_worker"}, "transitions": []}


def test_transferring_a_case_to_a_user_without_case_access_is_refused() -> None:
    worker = token("cp_worker")
    case_id = register(worker)

    body = gql(TRANSFER, {"id": case_id, "to": "gbv_worker"}, worker)

    assert payload_codes(body, "transferCase") == ["RECIPIENT_CANNOT_ACCESS"]
    assert body["data"]["transferCase"]["transition"] is None
    assert case_view(case_id, worker)["transitions"] == []


def test_a_bulk_assignment_reports_the_recipient_for_each_record() -> None:
    worker = token("cp_worker")
    case_ids = [register(worker), register(worker)]

    body = gql(BULK_ASSIGN, {"ids": case_ids, "to": "gbv_worker"}, worker)

    assert payload_codes(body, "bulkAssignCases") == []
    results = body["data"]["bulkAssignCases"]["results"]
    assert [r["recordId"] for r in results] == case_ids
    assert [(r["ok"], r["error"]["code"], r["case"]) for r in results] == [
        (False, "RECIPIENT_CANNOT_ACCESS", None)
    ] * 2
    assert [case_view(i, worker)["owner"] for i in case_ids] == [{"username": "cp_worker"}] * 2


def test_a_recipient_who_reads_the_shared_forms_still_gets_the_referral() -> None:
    worker = token("cp_worker")
    case_id = register(worker)

    body = gql(
        REFER,
        {"id": case_id, "to": "referral_worker", "forms": [form_of_field("name_first")]},
        worker,
    )

    assert payload_codes(body, "referCase") == []
    assert body["data"]["referCase"]["transition"]["status"] == "PENDING"
