"""Done when: a new tenant is created, configured from the demo bundle, and serves cases,
without `manage.py shell`: one command, then GraphQL only."""

from __future__ import annotations

import pytest

from tests.deployment.helpers import command
from tests.graphql_client import gql, login

pytestmark = pytest.mark.django_db

PASSWORD = "Field-office-password-7"
SAVE_USER = """
mutation($input: UserInput!) { saveUser(input: $input) { user { username role } errors { code } } }
"""
REGISTER = """
mutation($input: CaseInput!) {
  createCase(input: $input) { case { id shortId nameFirst sex } errors { path code message } }
}
"""
CASES = "{ cases(first: 10) { edges { node { id nameFirst owner { username } } } } }"
IMPORT = """
mutation($bundle: JSON!) { importConfiguration(bundle: $bundle) { errors { path code } } }
"""


def test_a_new_tenant_from_the_demo_bundle_serves_cases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELD_ADMIN_PASSWORD", PASSWORD)
    command(
        "create_tenant",
        "field-office",
        "--name",
        "Field office programme",
        "--admin-username",
        "coordinator",
        "--admin-password-env",
        "FIELD_ADMIN_PASSWORD",
        "--from-template",
        "demo",
    )
    admin = login("coordinator", tenant="field-office", password=PASSWORD)["accessToken"]

    created = gql(
        SAVE_USER,
        {"input": {"username": "amal", "role": "cp_worker", "password": PASSWORD}},
        admin,
    )
    worker = login("amal", tenant="field-office", password=PASSWORD)["accessToken"]
    registered = gql(
        REGISTER,
        {
            "input": {
                "registrationDate": "2026-01-10",
                "nameFirst": "Amina",
                "sex": "female",
                "dateOfBirth": "2015-04-02",
            }
        },
        worker,
    )
    listed = gql(CASES, token=worker)
    seen_by_admin = gql(CASES, token=admin)
    seen_in_demo = gql(CASES, token=login("admin")["accessToken"])

    assert created["data"]["saveUser"] == {
        "user": {"username": "amal", "role": "cp_worker"},
        "errors": [],
    }
    case = registered["data"]["createCase"]
    assert case["errors"] == []
    assert case["case"]["nameFirst"] == "Amina"
    assert [e["node"] for e in listed["data"]["cases"]["edges"]] == [
        {"id": case["case"]["id"], "nameFirst": "Amina", "owner": {"username": "amal"}}
    ]
    assert [e["node"]["id"] for e in seen_by_admin["data"]["cases"]["edges"]] == [
        case["case"]["id"]
    ]
    assert case["case"]["id"] not in str(seen_in_demo)

    # Once it holds cases, a bundle that would orphan them is refused.
    bundle = gql("{ exportConfiguration }", token=admin)["data"]["exportConfiguration"]
    bundle["settings"]["record_types"] = ["incident"]
    bundle["forms"] = [d for d in bundle["forms"] if d["record_type"] == "incident"]
    bundle["roles"] = []
    refused = gql(IMPORT, {"bundle": bundle}, admin)
    assert refused["data"]["importConfiguration"]["errors"] == [
        {"path": ["bundle", "settings", "record_types"], "code": "BAD_USER_INPUT"}
    ]
