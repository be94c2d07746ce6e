"""Agencies, groups, roles and users administered through GraphQL by `manage_users`."""

from __future__ import annotations

import pytest

from backend.tenancy.models import Agency
from tests.graphql_client import error_codes, gql, login, payload_codes, use_tenant

pytestmark = pytest.mark.django_db

SAVE_ROLE = """
mutation($input: RoleInput!) {
  saveRole(input: $input) { role { code scope actions formAccess } errors { path code message } }
}
"""
SAVE_USER = """
mutation($input: UserInput!) {
  saveUser(input: $input) { user { username role agency groups isActive } errors { code } }
}
"""
ROLE = {
    "code": "data_clerk",
    "name": "Data clerk",
    "scope": "own",
    "actions": {"case": ["read", "create"]},
    "formAccess": {"registration": "rw"},
    "fieldRules": {"hidden_tags": []},
}


def admin() -> str:
    token: str = login("admin")["accessToken"]
    return token


def test_an_admin_creates_a_role_and_a_user_who_can_then_sign_in() -> None:
    token = admin()
    role = {**ROLE, "fieldRules": {"hidden_tags": ["pii"]}}
    assert gql(SAVE_ROLE, {"input": role}, token)["data"]["saveRole"]["role"]["scope"] == "own"
    gql(
        'mutation { saveAgency(code: "field_office", name: "Field office") { agency { code } } }',
        token=token,
    )
    gql(
        'mutation { saveUserGroup(code: "clerks", name: "Clerks", agency: "field_office") '
        "{ userGroup { code } } }",
        token=token,
    )

    body = gql(
        SAVE_USER,
        {
            "input": {
                "username": "clerk.one",
                "role": "data_clerk",
                "agency": "field_office",
                "groups": ["clerks"],
                "password": "Clerk-password-2026!",
            }
        },
        token,
    )

    assert body["data"]["saveUser"]["user"] == {
        "username": "clerk.one",
        "role": "data_clerk",
        "agency": "field_office",
        "groups": ["clerks"],
        "isActive": True,
    }
    tokens = login("clerk.one", password="Clerk-password-2026!")
    me = gql("{ me { role { code } agency { code } } }", token=tokens["accessToken"])
    assert me["data"]["me"] == {"role": {"code": "data_clerk"}, "agency": {"code": "field_office"}}


def test_invalid_role_configuration_is_refused_with_reasons() -> None:
    bad = {**ROLE, "scope": "everything", "actions": {"case": ["fly"]}}

    body = gql(SAVE_ROLE, {"input": bad}, admin())

    assert payload_codes(body, "saveRole") == ["BAD_USER_INPUT"]
    error = body["data"]["saveRole"]["errors"][0]
    assert error["path"] == ["input", "scope"]
    assert "scope" in error["message"]


def test_unknown_actions_and_forms_are_named() -> None:
    bad = {
        **ROLE,
        "actions": {"case": ["fly"], "spaceship": ["read"]},
        "formAccess": {"no_such_form": "rw"},
    }

    body = gql(SAVE_ROLE, {"input": bad}, admin())

    assert payload_codes(body, "saveRole") == ["BAD_USER_INPUT"]
    message = body["data"]["saveRole"]["errors"][0]["message"]
    assert "case: unknown action 'fly'" in message
    assert "unknown record type 'spaceship'" in message


def test_a_caseworker_cannot_administer_users() -> None:
    token = login("cp_worker")["accessToken"]

    body = gql(SAVE_USER, {"input": {"username": "cp_worker", "role": "admin"}}, token)

    assert payload_codes(body, "saveUser") == ["FORBIDDEN"]


def test_disabling_a_user_ends_their_session() -> None:
    worker = login("cp_worker")["accessToken"]

    gql(SAVE_USER, {"input": {"username": "cp_worker", "isActive": False}}, admin())

    assert error_codes(gql("{ me { username } }", token=worker)) == ["UNAUTHENTICATED"]


def test_a_role_change_applies_on_the_next_request() -> None:
    monitor = login("cp_monitor")["accessToken"]
    monitor_role = {
        "code": "cp_monitor",
        "name": "Monitor",
        "scope": "agency",
        "actions": {"case": ["read"]},
        "formAccess": {"*": "r"},
        "fieldRules": {"hidden_tags": ["pii", "sensitive"]},
    }

    gql(SAVE_ROLE, {"input": monitor_role}, admin())

    forms = gql('{ forms(recordType: "case") { fields { name } } }', token=monitor)
    names = {f["name"] for form in forms["data"]["forms"] for f in form["fields"]}
    assert "protection_concerns" not in names


SAVE_AGENCY = """
mutation($name: String!) {
  saveAgency(code: "long_name", name: $name) { agency { code } errors { path code } }
}
"""


def test_a_name_longer_than_its_column_is_refused_and_nothing_is_saved() -> None:
    body = gql(SAVE_AGENCY, {"name": "x" * 1_000_000}, admin())

    assert body["data"]["saveAgency"] == {
        "agency": None,
        "errors": [{"path": ["name"], "code": "TEXT_TOO_LONG"}],
    }
    use_tenant("demo")
    assert not Agency.objects.filter(code="long_name").exists()
