"""The read service and the write guard at depth: nested subforms, calculated fields, history,
forms, as the demo monitor (fields tagged `pii` hidden) and a writer who may not see pii."""

from __future__ import annotations

import json
from typing import Any

import pytest

from backend.accounts.models import Role, User
from backend.records.models import Record
from backend.tenancy.models import Agency, Tenant
from tests.graphql_client import DEMO_PASSWORD, gql, login, use_tenant

pytestmark = pytest.mark.django_db

DOCUMENT_NUMBER = "DOC-7731-SECRET"
REGISTER = """
mutation($input: CaseInput!) {
  createCase(input: $input) { case { id revision } errors { path code } }
}
"""
UPDATE = """
mutation($id: ID!, $rev: Int!, $input: CaseInput!) {
  updateCase(id: $id, baseRevision: $rev, input: $input) {
    case { revision familyMembers { uid familyMemberName familyMemberDocuments {
      uid familyMemberDocumentType familyMemberDocumentNumber } } }
    errors { path code }
  }
}
"""
READ = """
query($id: ID!) {
  case(id: $id) {
    redactedFields dateOfBirth age sex
    familyMembers {
      familyMemberName familyMemberPhone redactedFields
      familyMemberDocuments { familyMemberDocumentType familyMemberDocumentNumber redactedFields }
    }
  }
}
"""
HISTORY = "query($id: ID!) { recordHistory(id: $id) { action changes { field old new } } }"
FORMS = '{ forms(recordType: "case") { fields { name fields { name fields { name } } } } }'
CHILD = {
    "registrationDate": "2026-01-10",
    "nameFirst": "Amina",
    "sex": "female",
    "dateOfBirth": "2015-04-02",
    "familyMembers": [
        {
            "familyMemberName": "Halima",
            "familyMemberPhone": "+256700000001",
            "familyMemberDocuments": [
                {
                    "familyMemberDocumentType": "passport",
                    "familyMemberDocumentNumber": DOCUMENT_NUMBER,
                }
            ],
        }
    ],
}


def token(username: str) -> str:
    value: str = login(username)["accessToken"]
    return value


def register(username: str = "cp_worker") -> str:
    body = gql(REGISTER, {"input": CHILD}, token(username))
    assert body["data"]["createCase"]["errors"] == [], body
    case_id: str = body["data"]["createCase"]["case"]["id"]
    return case_id


def field_names(fields: list[dict[str, Any]]) -> set[str]:
    names = set()
    for field in fields:
        names.add(field["name"])
        names |= field_names(field.get("fields") or [])
    return names


def test_a_monitor_reads_no_pii_in_a_subform_of_a_subform() -> None:
    case_id = register()

    body = gql(READ, {"id": case_id}, token("cp_monitor"))

    member = body["data"]["case"]["familyMembers"][0]
    document = member["familyMemberDocuments"][0]
    assert document == {
        "familyMemberDocumentType": "passport",
        "familyMemberDocumentNumber": None,
        "redactedFields": ["familyMemberDocumentNumber"],
    }
    assert member["familyMemberPhone"] is None
    assert DOCUMENT_NUMBER not in json.dumps(body)
    assert [
        "case",
        "familyMembers",
        0,
        "familyMemberDocuments",
        0,
        "familyMemberDocumentNumber",
    ] in body["extensions"]["redacted"]


def test_a_calculated_field_is_hidden_when_one_of_its_inputs_is() -> None:
    case_id = register()

    monitor = gql(READ, {"id": case_id}, token("cp_monitor"))["data"]["case"]
    worker = gql(READ, {"id": case_id}, token("cp_worker"))["data"]["case"]

    assert worker["age"] is not None
    assert monitor["age"] is None
    assert monitor["dateOfBirth"] is None
    assert {"age", "dateOfBirth"} <= set(monitor["redactedFields"])


def test_history_shows_a_monitor_no_pii_at_any_depth() -> None:
    case_id = register()

    body = gql(HISTORY, {"id": case_id}, token("cp_monitor"))

    changes = {c["field"]: c for e in body["data"]["recordHistory"] for c in e["changes"]}
    assert "date_of_birth" not in changes
    assert "age" not in changes
    assert "sex" in changes
    text = json.dumps(body)
    assert DOCUMENT_NUMBER not in text
    assert "+256700000001" not in text


def test_forms_list_no_field_the_monitor_may_not_read() -> None:
    body = gql(FORMS, token=token("cp_monitor"))

    names = set()
    for form in body["data"]["forms"]:
        names |= field_names(form["fields"])
    assert "family_member_documents" in names
    assert not names & {"family_member_document_number", "date_of_birth", "age", "name_first"}


@pytest.fixture
def pii_blind_writer() -> str:
    """A caseworker whose role writes cases but may not see fields tagged pii."""
    use_tenant("demo")
    tenant = Tenant.objects.get(slug="demo")
    role = Role.objects.create(
        tenant=tenant,
        code="pii_blind",
        name="Writes cases, sees no pii",
        scope="all",
        actions={"case": ["read", "create", "write"]},
        form_access={"*": "rw"},
        field_rules={"hidden_tags": ["pii"]},
        modules=["cp"],  # the demo's child protection module
    )
    agency = Agency.objects.get(tenant=tenant, code="cp_agency")
    User.objects.create_user(tenant, "pii_blind", DEMO_PASSWORD, role=role, agency=agency)
    return "pii_blind"


def _stored(case_id: str) -> Record:
    use_tenant("demo")
    return Record.objects.get(pk=case_id)


def _entries(case_id: str, writer: str) -> tuple[int, str, str]:
    body = gql(
        READ.replace("familyMemberName", "uid familyMemberName").replace(
            "familyMemberDocumentType", "uid familyMemberDocumentType"
        ),
        {"id": case_id},
        token(writer),
    )
    member = body["data"]["case"]["familyMembers"][0]
    revision = _stored(case_id).revision
    return revision, member["uid"], member["familyMemberDocuments"][0]["uid"]


def test_a_blind_write_to_a_hidden_child_of_a_nested_subform_is_refused(
    pii_blind_writer: str,
) -> None:
    case_id = register()
    revision, member_uid, document_uid = _entries(case_id, pii_blind_writer)
    patch = {
        "familyMembers": [
            {
                "uid": member_uid,
                "familyMemberDocuments": [
                    {"uid": document_uid, "familyMemberDocumentNumber": "OVERWRITTEN"}
                ],
            }
        ]
    }

    body = gql(UPDATE, {"id": case_id, "rev": revision, "input": patch}, token(pii_blind_writer))

    errors = body["data"]["updateCase"]["errors"]
    assert [e["code"] for e in errors] == ["FORBIDDEN_FIELD"]
    assert "family_member_document_number" in errors[0]["path"] or (
        "familyMemberDocumentNumber" in errors[0]["path"]
    )
    stored = _stored(case_id)
    assert stored.revision == revision
    document = stored.data["family_members"][0]["family_member_documents"][0]
    assert document["family_member_document_number"] == DOCUMENT_NUMBER


def test_deleting_an_entry_that_holds_a_hidden_value_is_refused(pii_blind_writer: str) -> None:
    case_id = register()
    revision, member_uid, _ = _entries(case_id, pii_blind_writer)
    patch = {"familyMembers": [{"uid": member_uid, "familyMemberDocuments": []}]}

    body = gql(UPDATE, {"id": case_id, "rev": revision, "input": patch}, token(pii_blind_writer))

    assert [e["code"] for e in body["data"]["updateCase"]["errors"]] == ["FORBIDDEN_FIELD"]
    assert _stored(case_id).revision == revision


def test_editing_visible_children_keeps_the_hidden_ones(pii_blind_writer: str) -> None:
    case_id = register()
    revision, member_uid, document_uid = _entries(case_id, pii_blind_writer)
    patch = {
        "familyMembers": [
            {
                "uid": member_uid,
                "familyMemberIsCaregiver": True,
                "familyMemberDocuments": [
                    {"uid": document_uid, "familyMemberDocumentType": "national_id"}
                ],
            }
        ]
    }

    body = gql(UPDATE, {"id": case_id, "rev": revision, "input": patch}, token(pii_blind_writer))

    assert body["data"]["updateCase"]["errors"] == []
    member = _stored(case_id).data["family_members"][0]
    assert member["family_member_is_caregiver"] is True
    assert member["family_member_name"] == "Halima"
    assert member["family_member_phone"] == "+256700000001"
    document = member["family_member_documents"][0]
    assert document["family_member_document_type"] == "national_id"
    assert document["family_member_document_number"] == DOCUMENT_NUMBER
