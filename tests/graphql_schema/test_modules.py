"""Modules: programmes side by side (child protection and GBV), each with its own forms for the
same record type. A user sees only records of their modules, and on a record only the fields
of its module's forms; a new record belongs to the module named, or to the user's only one."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.accounts.models import Role, User
from backend.records.models import Record
from tests.graphql_client import DEMO_PASSWORD, error_codes, gql, login, payload_codes
from tests.graphql_schema.test_records_api import publish
from tests.tenants import ScratchTenant, make_tenant

pytestmark = pytest.mark.django_db

CP_FORM: dict[str, Any] = {
    "key": "cp_identity",
    "record_type": "case",
    "label": {"en": "Identity"},
    "fields": [{"name": "name_first", "type": "text", "label": {"en": "First name"}}],
}
GBV_FORM: dict[str, Any] = {
    "key": "gbv_intake",
    "record_type": "case",
    "label": {"en": "GBV intake"},
    "fields": [{"name": "survivor_code", "type": "text", "label": {"en": "Survivor code"}}],
}
CP = {"key": "cp", "label": {"en": "Child protection"}, "record_types": {"case": ["cp_identity"]}}
GBV = {"key": "gbv", "label": {"en": "GBV", "fr": "VBG"}, "record_types": {"case": ["gbv_intake"]}}

SAVE_MODULE = """
mutation($definition: JSON!) {
  saveModule(definition: $definition) { module { key label recordTypes } errors { path code } }
}
"""
REMOVE_MODULE = """
mutation($key: String!) { removeModule(key: $key) { removed errors { path code } } }
"""
MODULES = "{ modules { key recordTypes } }"
SAVE_ROLE = """
mutation($input: RoleInput!) {
  saveRole(input: $input) { role { code modules } errors { path code } }
}
"""
SAVE_USER = """
mutation($input: UserInput!) {
  saveUser(input: $input) { user { username modules } errors { path code } }
}
"""
CREATE = """
mutation($input: CaseInput!, $module: String) {
  createCase(input: $input, module: $module) {
    case { id module nameFirst survivorCode redactedFields } errors { path code }
  }
}
"""
UPDATE = """
mutation($id: ID!, $input: CaseInput!) {
  updateCase(id: $id, baseRevision: 1, input: $input) { case { id } errors { path code } }
}
"""
CASES = """
query($first: Int!) {
  cases(first: $first) { totalCount edges { node { id module nameFirst survivorCode } } }
}
"""
CASE = "query($id: ID!) { case(id: $id) { id module nameFirst survivorCode redactedFields } }"
NODE = "query($id: ID!) { node(id: $id) { id ... on Case { module } } }"
FORMS = """
query($module: String) { forms(recordType: "case", module: $module) { key fields { name } } }
"""


@pytest.fixture
def programmes() -> ScratchTenant:
    """A tenant with a cp and a gbv module for cases; `admin` has every module, `worker` cp."""
    tenant = make_tenant()
    token = login("admin", tenant=tenant.slug)["accessToken"]
    for form in (CP_FORM, GBV_FORM):
        assert payload_codes(publish(token, form), "publishFormVersion") == []
    for module in (CP, GBV):
        assert payload_codes(gql(SAVE_MODULE, {"definition": module}, token), "saveModule") == []
    Role.objects.filter(tenant=tenant.tenant, code="admin").update(modules=["*"])
    Role.objects.filter(tenant=tenant.tenant, code="worker").update(modules=["cp"])
    return tenant


def _token(tenant: ScratchTenant, username: str = "admin") -> str:
    token: str = login(username, tenant=tenant.slug)["accessToken"]
    return token


def _create(token: str, values: dict[str, Any], module: str | None = None) -> dict[str, Any]:
    body = gql(CREATE, {"input": values, "module": module}, token)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["createCase"]
    return payload


def _reader(tenant: ScratchTenant, modules: list[str], username: str = "reader") -> str:
    """A user who may read every case of the tenant (scope all), in `modules` only."""
    role = Role.objects.create(
        tenant=tenant.tenant,
        code=f"role_{username}",
        name="Reader",
        scope="all",
        actions={"case": ["read", "create", "write"]},
        form_access={"*": "rw"},
        modules=modules,
    )
    User.objects.create_user(tenant.tenant, username, DEMO_PASSWORD, role=role)
    return _token(tenant, username)


def test_a_module_declaration_is_checked_and_every_problem_named() -> None:
    tenant = make_tenant()
    token = _token(tenant)
    assert payload_codes(publish(token, CP_FORM), "publishFormVersion") == []
    bad = {
        "key": "Child Protection",
        "label": {"en": "", "Klingon!": "?"},
        "record_types": {"case": ["cp_identity", "nope"], "vehicle": ["x"]},
    }

    body = gql(SAVE_MODULE, {"definition": bad}, token)

    errors = body["data"]["saveModule"]["errors"]
    assert {e["code"] for e in errors} == {"INVALID_MODULE"}
    assert {tuple(e["path"]) for e in errors} == {
        ("definition", "key"),
        ("definition", "label", "en"),
        ("definition", "label", "Klingon!"),
        ("definition", "record_types", "case", "1"),
        ("definition", "record_types", "vehicle"),
    }
    assert body["data"]["saveModule"]["module"] is None
    assert gql(MODULES, token=token)["data"]["modules"] == []


def test_only_form_managers_declare_modules(programmes: ScratchTenant) -> None:
    worker = _token(programmes, "worker")

    body = gql(SAVE_MODULE, {"definition": {**CP, "key": "other"}}, worker)

    assert payload_codes(body, "saveModule") == ["FORBIDDEN"]
    # a caseworker lists the modules granted to them, an administrator all
    assert [m["key"] for m in gql(MODULES, token=worker)["data"]["modules"]] == ["cp"]
    admin = gql(MODULES, token=_token(programmes))["data"]["modules"]
    assert admin == [
        {"key": "cp", "recordTypes": {"case": ["cp_identity"]}},
        {"key": "gbv", "recordTypes": {"case": ["gbv_intake"]}},
    ]


def test_the_module_of_a_new_record_is_named_or_the_users_only_one(
    programmes: ScratchTenant,
) -> None:
    admin, worker = _token(programmes), _token(programmes, "worker")

    assert [e["code"] for e in _create(admin, {"nameFirst": "A"})["errors"]] == ["MODULE_REQUIRED"]
    unknown = _create(admin, {"nameFirst": "A"}, "health")
    assert unknown["errors"] == [{"path": ["module"], "code": "UNKNOWN_MODULE"}]
    not_granted = _create(worker, {"survivorCode": "S1"}, "gbv")
    assert not_granted["errors"] == [{"path": ["module"], "code": "MODULE_NOT_GRANTED"}]
    defaulted = _create(worker, {"nameFirst": "Amina"})
    assert defaulted["errors"] == []
    assert defaulted["case"]["module"] == "cp"
    named = _create(admin, {"survivorCode": "S1"}, "gbv")
    assert named["case"]["module"] == "gbv"
    assert Record.objects.filter(tenant=programmes.tenant).count() == 2


def test_without_modules_records_have_none_and_naming_one_is_refused() -> None:
    tenant = make_tenant()
    token = _token(tenant)
    for form in (CP_FORM, GBV_FORM):
        assert payload_codes(publish(token, form), "publishFormVersion") == []

    created = _create(token, {"nameFirst": "Amina"})
    refused = _create(token, {"nameFirst": "Amina"}, "cp")

    assert created["errors"] == []
    assert created["case"]["module"] is None
    assert refused["errors"] == [{"path": ["module"], "code": "UNKNOWN_MODULE"}]


def test_forms_lists_a_modules_forms(programmes: ScratchTenant) -> None:
    admin, worker = _token(programmes), _token(programmes, "worker")

    def keys(token: str, module: str | None) -> list[str]:
        body = gql(FORMS, {"module": module}, token)
        assert "errors" not in body, body
        return [form["key"] for form in body["data"]["forms"]]

    assert keys(admin, "cp") == ["cp_identity"]
    assert keys(admin, "gbv") == ["gbv_intake"]
    assert sorted(keys(admin, None)) == ["cp_identity", "gbv_intake"]
    assert keys(worker, None) == ["cp_identity"]
    assert error_codes(gql(FORMS, {"module": "gbv"}, worker)) == ["MODULE_NOT_GRANTED"]
    assert error_codes(gql(FORMS, {"module": "health"}, worker)) == ["UNKNOWN_MODULE"]


def test_a_user_of_one_module_never_sees_records_of_another(programmes: ScratchTenant) -> None:
    admin = _token(programmes)
    cp_case = _create(admin, {"nameFirst": "Amina"}, "cp")["case"]
    gbv_case = _create(admin, {"survivorCode": "S1"}, "gbv")["case"]
    cp_reader = _reader(programmes, ["cp"])

    listed = gql(CASES, {"first": 10}, cp_reader)["data"]["cases"]
    node = gql(NODE, {"id": gbv_case["id"]}, cp_reader)
    one = gql(CASE, {"id": gbv_case["id"]}, cp_reader)

    assert [e["node"]["id"] for e in listed["edges"]] == [cp_case["id"]]
    assert listed["totalCount"] == 1
    assert node["data"]["node"] is None
    assert error_codes(one) == ["NOT_FOUND"]
    assert gql(CASE, {"id": cp_case["id"]}, cp_reader)["data"]["case"]["module"] == "cp"
    # the administrator, granted every module, sees both
    assert gql(CASES, {"first": 10}, admin)["data"]["cases"]["totalCount"] == 2


def test_fields_of_forms_outside_the_module_are_neither_readable_nor_writable(
    programmes: ScratchTenant,
) -> None:
    admin = _token(programmes)
    cp_case = _create(admin, {"nameFirst": "Amina"}, "cp")
    written_outside = _create(admin, {"nameFirst": "B", "survivorCode": "S1"}, "cp")
    Record.objects.filter(pk=cp_case["case"]["id"]).update(
        data={"name_first": "Amina", "survivor_code": "stored elsewhere"}
    )

    read = gql(CASE, {"id": cp_case["case"]["id"]}, admin)
    update = gql(UPDATE, {"id": cp_case["case"]["id"], "input": {"survivorCode": "S2"}}, admin)

    forbidden = {"path": ["input", "survivorCode"], "code": "FORBIDDEN_FIELD"}
    assert written_outside["errors"] == [forbidden]
    assert read["data"]["case"]["survivorCode"] is None
    assert read["data"]["case"]["nameFirst"] == "Amina"
    assert "survivorCode" in read["data"]["case"]["redactedFields"]
    assert payload_codes(update, "updateCase") == ["FORBIDDEN_FIELD"]
    assert Record.objects.get(pk=cp_case["case"]["id"]).data["survivor_code"] == "stored elsewhere"


def test_another_modules_required_fields_and_defaults_do_not_bind_a_record(
    programmes: ScratchTenant,
) -> None:
    admin = _token(programmes)
    strict_gbv = {
        **GBV_FORM,
        "fields": [
            {**GBV_FORM["fields"][0], "required": True},
            {"name": "gbv_opened_on", "type": "date", "label": {"en": "On"}, "default": "today"},
        ],
    }
    assert payload_codes(publish(admin, strict_gbv), "publishFormVersion") == []

    cp_case = _create(_token(programmes, "worker"), {"nameFirst": "Amina"})
    gbv_missing = _create(admin, {"nameFirst": "B"}, "gbv")
    gbv_case = _create(admin, {"survivorCode": "S1"}, "gbv")
    later = gql(UPDATE, {"id": cp_case["case"]["id"], "input": {"nameFirst": "Amina K"}}, admin)

    assert cp_case["errors"] == []
    assert Record.objects.get(pk=cp_case["case"]["id"]).data == {"name_first": "Amina K"}
    assert payload_codes(later, "updateCase") == []
    assert [e["code"] for e in gbv_missing["errors"]] == ["FORBIDDEN_FIELD"]
    assert gbv_case["errors"] == []
    assert set(Record.objects.get(pk=gbv_case["case"]["id"]).data) == {
        "survivor_code",
        "gbv_opened_on",
    }


def test_a_page_costs_the_same_queries_whatever_its_size(programmes: ScratchTenant) -> None:
    admin = _token(programmes)
    for index in range(12):
        module, values = ("cp", {"nameFirst": f"C{index}"}) if index % 2 else ("gbv", {})
        if module == "gbv":
            values = {"survivorCode": f"S{index}"}
        assert _create(admin, values, module)["errors"] == []
    counts = []
    for first in (2, 12):
        with CaptureQueriesContext(connection) as queries:
            body = gql(CASES, {"first": first}, admin)
        assert len(body["data"]["cases"]["edges"]) == first
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_roles_and_users_are_granted_modules(programmes: ScratchTenant) -> None:
    admin = _token(programmes)
    role = {
        "code": "gbv_worker",
        "name": "GBV worker",
        "scope": "own",
        "actions": {"case": ["read", "create", "write"]},
        "formAccess": {"*": "rw"},
        "fieldRules": {},
        "modules": ["gbv"],
    }
    saved = gql(SAVE_ROLE, {"input": role}, admin)["data"]["saveRole"]
    unknown = gql(SAVE_ROLE, {"input": {**role, "modules": ["health"]}}, admin)["data"]["saveRole"]
    user = {"username": "both", "role": "gbv_worker", "password": DEMO_PASSWORD, "modules": ["cp"]}
    saved_user = gql(SAVE_USER, {"input": user}, admin)["data"]["saveUser"]

    assert saved["role"] == {"code": "gbv_worker", "modules": ["gbv"]}
    assert unknown["errors"] == [{"path": ["input", "modules"], "code": "UNKNOWN_MODULE"}]
    assert saved_user["user"] == {"username": "both", "modules": ["cp"]}
    # the user's modules are their role's and their own: now two, so one must be named
    both = _token(programmes, "both")
    assert [e["code"] for e in _create(both, {"nameFirst": "A"})["errors"]] == ["MODULE_REQUIRED"]
    assert _create(both, {"survivorCode": "S"}, "gbv")["case"]["module"] == "gbv"


def test_a_module_in_use_stays(programmes: ScratchTenant) -> None:
    admin = _token(programmes)
    _create(admin, {"survivorCode": "S1"}, "gbv")

    in_use = gql(REMOVE_MODULE, {"key": "gbv"}, admin)
    emptied = gql(SAVE_MODULE, {"definition": {**GBV, "record_types": {}}}, admin)
    removed = gql(REMOVE_MODULE, {"key": "cp"}, admin)

    assert payload_codes(in_use, "removeModule") == ["MODULE_IN_USE"]
    assert payload_codes(emptied, "saveModule") == ["INVALID_MODULE"]
    assert removed["data"]["removeModule"] == {"removed": True, "errors": []}
    assert Role.objects.get(tenant=programmes.tenant, code="worker").modules == []
    assert [m["key"] for m in gql(MODULES, token=admin)["data"]["modules"]] == ["gbv"]


def test_demo_caseworkers_work_in_their_programme_without_naming_it() -> None:
    cp_worker = login("cp_worker")["accessToken"]
    body = gql(
        """mutation { createCase(input: {registrationDate: "2026-01-10", nameFirst: "Amina",
        sex: "female"}) { case { module } errors { code } } }""",
        token=cp_worker,
    )

    assert body["data"]["createCase"] == {"case": {"module": "cp"}, "errors": []}
    gbv_forms = gql('{ forms(recordType: "incident", module: "gbv") { key } }', token=cp_worker)
    assert error_codes(gbv_forms) == ["FORBIDDEN"]


def test_a_referral_shares_only_the_fields_of_the_records_module(
    programmes: ScratchTenant,
) -> None:
    from types import SimpleNamespace

    from backend.records.access import access_plan

    worker = User.objects.select_related("role", "tenant").get(
        tenant=programmes.tenant, username="worker"
    )
    plan = dataclasses.replace(
        access_plan(worker, "case"),
        referrals={"r1": frozenset({"cp_identity", "gbv_intake"}), "r2": frozenset({"*"})},
    )
    elsewhere = {"tenant_id": worker.tenant_id, "owner_id": None, "deleted_at": None}
    referred = SimpleNamespace(pk="r1", module="cp", associated_user_ids=[], **elsewhere)
    of_gbv = SimpleNamespace(pk="r2", module="gbv", associated_user_ids=[], **elsewhere)

    assert plan.access(referred).readable == frozenset({"name_first"})
    assert plan.access(referred).kind.value == "referral"
    assert plan.access(of_gbv).kind.value == "none"
