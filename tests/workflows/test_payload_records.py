"""A workflow payload carries the record it changed, read like any read: redacted for the
caller, and null once the caller may no longer see it."""

from __future__ import annotations

import pytest

from tests.graphql_client import gql
from tests.workflows.test_demo_flow import REFER, form_of_field, token
from tests.workflows.test_steps import register

pytestmark = pytest.mark.django_db

ACCEPT_REFERRAL = """mutation($id: ID!) { respondToReferral(id: $id, accept: true) {
  transition { status } record { ... on Case { id nameFirst protectionConcerns } } } }"""
COMPLETE_REFERRAL = """mutation($id: ID!) { completeReferral(id: $id) {
  transition { id status } record { ... on Case { id } } errors { code } } }"""


def test_the_record_in_a_payload_is_redacted_like_any_read() -> None:
    worker, partner = token("cp_worker"), token("referral_worker")
    case_id = register(worker)
    referral = gql(
        REFER,
        {"id": case_id, "to": "referral_worker", "forms": [form_of_field("name_first")]},
        worker,
    )["data"]["referCase"]["transition"]

    body = gql(ACCEPT_REFERRAL, {"id": referral["id"]}, partner)

    assert body["data"]["respondToReferral"]["record"] == {
        "id": case_id,
        "nameFirst": "Amina",
        "protectionConcerns": None,
    }
    assert ["respondToReferral", "record", "protectionConcerns"] in body["extensions"]["redacted"]


def test_the_record_is_null_once_the_caller_may_no_longer_see_it() -> None:
    worker, partner = token("cp_worker"), token("referral_worker")
    case_id = register(worker)
    referral = gql(
        REFER,
        {"id": case_id, "to": "referral_worker", "forms": [form_of_field("name_first")]},
        worker,
    )["data"]["referCase"]["transition"]
    gql(ACCEPT_REFERRAL, {"id": referral["id"]}, partner)

    body = gql(COMPLETE_REFERRAL, {"id": referral["id"]}, partner)

    assert body["data"]["completeReferral"] == {
        "transition": {"id": referral["id"], "status": "DONE"},
        "record": None,
        "errors": [],
    }
