"""A deployment's field keys through the API: forms published by the admin mutations with
read-only, defaulted, hidden, shared and precise fields, then cases written through GraphQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from backend.accounts.models import User
from backend.records.models import Record
from backend.records.services import create_record
from tests.graphql_client import gql, login, payload_codes, use_tenant
from tests.graphql_schema.test_records_api import publish
from tests.tenants import ScratchTenant, make_tenant

pytestmark = pytest.mark.django_db

REGION = {
    "name": "region",
    "type": "select",
    "label": {"en": "Region"},
    "options": [
        {"id": "north-east", "label": {"en": "North East"}},
        {"id": "zone.v1.2", "label": {"en": "Zone 1.2"}},
    ],
    "default": "north-east",
}
REGISTRATION: dict[str, Any] = {
    "key": "registration",
    "record_type": "case",
    "label": {"en": "Registration"},
    "fields": [
        {"name": "name_first", "type": "text", "label": {"en": "First name"}},
        {
            "name": "registered_on",
            "type": "date",
            "label": {"en": "Registered on"},
            "default": "today",
            "read_only": True,
        },
        {
            "name": "registered_by",
            "type": "user",
            "label": {"en": "Registered by"},
            "default": "current_user",
            "read_only": True,
            "hidden": True,
        },
        {"name": "weight", "type": "decimal", "label": {"en": "Weight"}, "precision": 1},
        REGION,
        {
            "name": "services",
            "type": "subform",
            "label": {"en": "Services"},
            "fields": [
                {"name": "status", "type": "text", "label": {"en": "Status"}},
                {
                    "name": "opened_on",
                    "type": "date",
                    "label": {"en": "Opened"},
                    "default": "today",
                    "read_only": True,
                },
            ],
        },
    ],
}
FOLLOW_UP: dict[str, Any] = {
    "key": "follow_up",
    "record_type": "case",
    "label": {"en": "Follow-up"},
    "fields": [
        {**REGION, "label": {"en": "Region of follow-up"}, "hidden": True},
        {"name": "next_visit", "type": "date", "label": {"en": "Next visit"}},
    ],
}
CASE_FIELDS = """id revision nameFirst registeredOn registeredBy weight region
  services { uid status openedOn }"""
CREATE = f"""
mutation($input: CaseInput!) {{
  createCase(input: $input) {{ case {{ {CASE_FIELDS} }} errors {{ path code message }} }}
}}
"""
UPDATE = f"""
mutation($id: ID!, $base: Int!, $input: CaseInput!) {{
  updateCase(id: $id, baseRevision: $base, input: $input) {{
    case {{ {CASE_FIELDS} }} errors {{ path code message }}
  }}
}}
"""
FORMS = """
{ forms(recordType: "case") {
    key
    fields { name type readOnly hidden default precision writable
             fields { name readOnly default writable } }
} }
"""


@pytest.fixture
def tenant() -> ScratchTenant:
    tenant = make_tenant()
    token = login("admin", tenant=tenant.slug)["accessToken"]
    for form in (REGISTRATION, FOLLOW_UP):
        published = publish(token, form)
        assert payload_codes(published, "publishFormVersion") == [], published
    return tenant


@pytest.fixture
def worker(tenant: ScratchTenant) -> str:
    token: str = login("worker", tenant=tenant.slug)["accessToken"]
    return token


def _today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def _cases(tenant: ScratchTenant) -> int:
    use_tenant(tenant.slug)
    return Record.objects.filter(tenant=tenant.tenant).count()


def test_a_new_case_gets_its_defaults_and_new_entries_theirs(worker: str) -> None:
    body = gql(CREATE, {"input": {"nameFirst": "Amina", "services": [{"status": "open"}]}}, worker)

    case = body["data"]["createCase"]["case"]
    assert body["data"]["createCase"]["errors"] == []
    assert (case["registeredOn"], case["registeredBy"], case["region"]) == (
        _today(),
        "worker",
        "north-east",
    )
    assert [(s["status"], s["openedOn"]) for s in case["services"]] == [("open", _today())]


def test_a_client_write_to_a_read_only_field_is_refused_and_nothing_saved(
    tenant: ScratchTenant, worker: str
) -> None:
    before = _cases(tenant)

    body = gql(CREATE, {"input": {"nameFirst": "A", "registeredOn": "2020-01-01"}}, worker)

    assert body["data"]["createCase"]["case"] is None
    assert [(e["path"], e["code"]) for e in body["data"]["createCase"]["errors"]] == [
        (["input", "registeredOn"], "FORBIDDEN_FIELD")
    ]
    assert _cases(tenant) == before


def test_a_read_only_entry_field_is_refused_at_its_path(worker: str) -> None:
    created = gql(CREATE, {"input": {"services": [{"status": "open"}]}}, worker)
    case = created["data"]["createCase"]["case"]
    uid = case["services"][0]["uid"]

    body = gql(
        UPDATE,
        {
            "id": case["id"],
            "base": case["revision"],
            "input": {"services": [{"uid": uid, "openedOn": "2020-01-01"}]},
        },
        worker,
    )
    added = gql(
        UPDATE,
        {
            "id": case["id"],
            "base": case["revision"],
            "input": {"services": [{"uid": uid}, {"status": "closed"}]},
        },
        worker,
    )["data"]["updateCase"]

    assert [(e["path"], e["code"]) for e in body["data"]["updateCase"]["errors"]] == [
        (["input", "services", "0", "openedOn"], "FORBIDDEN_FIELD")
    ]
    assert added["errors"] == []
    assert [(s["status"], s["openedOn"]) for s in added["case"]["services"]] == [
        ("open", _today()),
        ("closed", _today()),
    ]


def test_an_entry_holding_a_read_only_value_may_be_removed(worker: str) -> None:
    created = gql(CREATE, {"input": {"services": [{"status": "a"}, {"status": "b"}]}}, worker)
    case = created["data"]["createCase"]["case"]
    kept = case["services"][1]

    body = gql(
        UPDATE,
        {"id": case["id"], "base": case["revision"], "input": {"services": [{"uid": kept["uid"]}]}},
        worker,
    )["data"]["updateCase"]

    assert body["errors"] == []
    assert body["case"]["services"] == [kept]


def test_imports_may_set_read_only_fields(tenant: ScratchTenant) -> None:
    use_tenant(tenant.slug)
    worker = User.objects.get(tenant=tenant.tenant, username="worker")

    result = create_record(
        worker, "case", {"registered_on": "2020-01-01", "name_first": "B"}, source="import"
    )
    refused = create_record(worker, "case", {"registered_on": "2020-01-01"}, source="sync")

    assert result.errors == []
    assert result.record is not None
    assert result.record.data["registered_on"] == "2020-01-01"
    assert [(e.path, e.code) for e in refused.errors] == [("registered_on", "FORBIDDEN_FIELD")]


def test_a_decimal_with_more_digits_than_its_precision_is_refused(worker: str) -> None:
    body = gql(CREATE, {"input": {"weight": 12.25}}, worker)
    ok = gql(CREATE, {"input": {"weight": 12.5, "region": "zone.v1.2"}}, worker)

    assert [(e["path"], e["code"]) for e in body["data"]["createCase"]["errors"]] == [
        (["input", "weight"], "TOO_MANY_DECIMALS")
    ]
    assert ok["data"]["createCase"]["case"]["weight"] == 12.5
    assert ok["data"]["createCase"]["case"]["region"] == "zone.v1.2"


def test_forms_list_hidden_read_only_defaulted_and_shared_fields(worker: str) -> None:
    forms = {f["key"]: f for f in gql(FORMS, token=worker)["data"]["forms"]}

    registration = {f["name"]: f for f in forms["registration"]["fields"]}
    follow_up = {f["name"]: f for f in forms["follow_up"]["fields"]}
    assert registration["registered_by"] == {
        "name": "registered_by",
        "type": "user",
        "readOnly": True,
        "hidden": True,
        "default": "current_user",
        "precision": None,
        "writable": False,
        "fields": [],
    }
    assert registration["weight"]["precision"] == 1
    assert registration["services"]["fields"][1] == {
        "name": "opened_on",
        "readOnly": True,
        "default": "today",
        "writable": False,
    }
    assert (registration["region"]["hidden"], follow_up["region"]["hidden"]) == (False, True)
    assert registration["region"]["writable"]
    assert follow_up["region"]["writable"]


def test_a_shared_field_holds_one_value_for_both_forms(worker: str) -> None:
    created = gql(CREATE, {"input": {"region": "zone.v1.2"}}, worker)["data"]["createCase"]

    assert created["case"]["region"] == "zone.v1.2"


def test_a_shared_field_defined_differently_is_refused_naming_both_forms(
    tenant: ScratchTenant,
) -> None:
    token = login("admin", tenant=tenant.slug)["accessToken"]
    other = {**FOLLOW_UP, "fields": [{**REGION, "type": "radio"}]}

    body = gql(
        "mutation($d: JSON!) { saveFormDraft(definition: $d) { errors { path code message } } }",
        {"d": other},
        token,
    )

    (error,) = body["data"]["saveFormDraft"]["errors"]
    assert (error["path"], error["code"]) == (
        ["definition", "fields", "0", "type"],
        "SHARED_FIELD_MISMATCH",
    )
    assert "also on form 'registration'" in error["message"]
