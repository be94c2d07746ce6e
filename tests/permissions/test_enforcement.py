"""The rules layer on every path: lists, counts, get, writes, forms, history, tenants."""

from __future__ import annotations

from typing import Any

import pytest

from tests.graphql_client import error_codes, gql, login, payload_codes
from tests.tenants import make_tenant

pytestmark = pytest.mark.django_db

REGISTER = """
mutation($input: CaseInput!) {
  createCase(input: $input) { case { id revision } errors { path code } }
}
"""
LIST = "{ cases(first: 50) { totalCount edges { node { id nameFirst dateOfBirth sex } } } }"
GET = "query($id: ID!) { case(id: $id) { id nameFirst sex protectionConcerns } }"
HISTORY = "query($id: ID!) { recordHistory(id: $id) { revision changes { field new } } }"
FORMS = '{ forms(recordType: "case") { key writable fields { name writable } } }'

CHILD = {
    "registrationDate": "2026-01-10",
    "nameFirst": "Amina",
    "nameLast": "Hassan",
    "sex": "female",
    "dateOfBirth": "2015-04-02",
    "protectionConcerns": ["separated"],
}


def token(username: str, tenant: str = "demo") -> str:
    value: str = login(username, tenant=tenant)["accessToken"]
    return value


def register(username: str = "cp_worker", **extra: Any) -> str:
    body = gql(REGISTER, {"input": {**CHILD, **extra}}, token(username))
    assert body["data"]["createCase"]["errors"] == [], body
    case_id: str = body["data"]["createCase"]["case"]["id"]
    return case_id


def test_a_monitor_sees_cases_of_the_agency_with_pii_redacted() -> None:
    case_id = register()

    body = gql(LIST, token=token("cp_monitor"))

    nodes = body["data"]["cases"]["edges"]
    assert [n["node"] for n in nodes] == [
        {"id": case_id, "nameFirst": None, "dateOfBirth": None, "sex": "female"}
    ]
    assert body["extensions"]["redacted"] == [
        ["cases", "edges", 0, "node", "nameFirst"],
        ["cases", "edges", 0, "node", "dateOfBirth"],
    ]


def test_redacted_paths_follow_aliases() -> None:
    case_id = register()

    body = gql(
        "query($id: ID!) { child: case(id: $id) { given: nameFirst sex } }",
        {"id": case_id},
        token("cp_monitor"),
    )

    assert body["data"]["child"] == {"given": None, "sex": "female"}
    assert body["extensions"]["redacted"] == [["child", "given"]]


def test_a_caseworker_sees_every_field_of_their_case_and_nothing_is_redacted() -> None:
    case_id = register()

    body = gql(GET, {"id": case_id}, token("cp_worker"))

    assert body["data"]["case"]["nameFirst"] == "Amina"
    assert "extensions" not in body or "redacted" not in body["extensions"]


def test_a_case_outside_scope_is_not_found_for_the_referral_worker() -> None:
    case_id = register()

    body = gql(GET, {"id": case_id}, token("referral_worker"))

    assert body["data"] == {"case": None}
    assert error_codes(body) == ["NOT_FOUND"]
    listed = gql(LIST, token=token("referral_worker"))["data"]["cases"]
    assert listed == {"totalCount": 0, "edges": []}


def test_sandbox_users_get_not_found_for_demo_ids() -> None:
    case_id = register()
    sandbox = token("cp_worker", tenant="sandbox")

    assert error_codes(gql(GET, {"id": case_id}, sandbox)) == ["NOT_FOUND"]
    assert error_codes(gql(HISTORY, {"id": case_id}, sandbox)) == ["NOT_FOUND"]


def test_own_scope_hides_a_colleagues_case_and_group_scope_shows_it() -> None:
    case_id = register("admin")  # admin is in the same group, another owner

    worker = gql(GET, {"id": case_id}, token("cp_worker"))
    supervisor = gql(GET, {"id": case_id}, token("cp_supervisor"))

    assert error_codes(worker) == ["NOT_FOUND"]
    assert supervisor["data"]["case"]["id"] == case_id


def test_the_referral_worker_cannot_see_a_sensitive_field_even_in_its_own_case() -> None:
    tenant_token = token("referral_worker")
    body = gql(FORMS, token=tenant_token)

    names = {f["name"] for form in body["data"]["forms"] for f in form["fields"]}
    assert "protection_concerns" not in names
    assert "name_first" in names


def test_forms_show_a_monitor_only_readable_fields_none_writable() -> None:
    monitor = gql(FORMS, token=token("cp_monitor"))["data"]["forms"]
    worker = gql(FORMS, token=token("cp_worker"))["data"]["forms"]

    monitor_fields = {f["name"] for form in monitor for f in form["fields"]}
    assert "name_first" not in monitor_fields
    assert "sex" in monitor_fields
    assert not any(form["writable"] for form in monitor)
    assert all(f["writable"] is False for form in monitor for f in form["fields"])
    worker_fields = {f["name"]: f["writable"] for form in worker for f in form["fields"]}
    assert worker_fields["name_first"] is True
    assert worker_fields["age"] is False  # calculated


def test_history_shows_only_fields_the_reader_may_read() -> None:
    case_id = register()

    history = gql(HISTORY, {"id": case_id}, token("cp_monitor"))["data"]["recordHistory"]

    fields = {c["field"] for c in history[0]["changes"]}
    assert "sex" in fields
    assert not fields & {"name_first", "name_last", "date_of_birth"}


def test_a_write_to_a_read_only_field_is_rejected_per_field() -> None:
    scratch = make_tenant()
    scratch.worker.role.field_rules = {"read_only_tags": ["sensitive"]}
    scratch.worker.role.save()
    admin = token("admin", tenant=scratch.slug)
    form = {
        "key": "intake",
        "record_type": "case",
        "label": {"en": "Intake"},
        "fields": [
            {"name": "child_name", "type": "text", "label": {"en": "Name"}},
            {
                "name": "disclosure",
                "type": "textarea",
                "label": {"en": "Disclosure"},
                "tags": ["sensitive"],
            },
        ],
    }
    gql(
        "mutation($d: JSON!) { saveFormDraft(definition: $d) { errors { code } } }",
        {"d": form},
        admin,
    )
    gql(
        'mutation { publishFormVersion(recordType: "case", key: "intake") { errors { code } } }',
        token=admin,
    )

    body = gql(
        "mutation($i: CaseInput!) { createCase(input: $i) { case { id } errors { path code } } }",
        {"i": {"childName": "A", "disclosure": "x"}},
        token("worker", tenant=scratch.slug),
    )

    assert body["data"]["createCase"] == {
        "case": None,
        "errors": [{"path": ["input", "disclosure"], "code": "FORBIDDEN_FIELD"}],
    }


def test_a_monitor_may_not_write_at_all() -> None:
    case_id = register()
    body = gql(
        "mutation($id: ID!) { updateCase(id: $id, baseRevision: 1, "
        'input: {sex: "male"}) { errors { code } } }',
        {"id": case_id},
        token("cp_monitor"),
    )

    assert payload_codes(body, "updateCase") == ["FORBIDDEN"]


@pytest.mark.parametrize(
    "operation",
    [
        HISTORY,
        "query($id: ID!) { accessLog(recordId: $id) { action } }",
        'mutation($id: ID!) { requestApproval(id: $id, approvalType: "assessment") '
        "{ errors { path code message } } }",
        'mutation($id: ID!) { addNote(id: $id, body: "x") { errors { path code message } } }',
    ],
)
def test_an_unseen_record_and_a_missing_one_answer_alike(operation: str) -> None:
    case_id = register("admin")  # not visible to the referral worker
    missing = "00000000-0000-0000-0000-000000000001"
    partner = token("referral_worker")

    unseen, absent = (_first_error(gql(operation, {"id": i}, partner)) for i in (case_id, missing))

    assert unseen["code"] == absent["code"] == "NOT_FOUND"
    assert unseen.get("path") == absent.get("path")
    assert unseen["message"].replace(case_id, "ID") == absent["message"].replace(missing, "ID")


def _first_error(body: dict[str, Any]) -> dict[str, Any]:
    """A query's top-level error or a mutation's payload error, as {code, message, path}."""
    if body.get("errors"):
        error: dict[str, Any] = body["errors"][0]
        return {"code": error["extensions"]["code"], "message": error["message"]}
    payload: dict[str, Any] = next(iter(body["data"].values()))["errors"][0]
    return payload
