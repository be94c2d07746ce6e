"""exportConfiguration and importConfiguration: who may, and what a refusal looks like."""

from __future__ import annotations

import pytest

from backend.deployment.templates import demo_bundle
from backend.tenancy.models import Tenant
from tests.deployment.helpers import exported, new_tenant
from tests.graphql_client import error_codes, gql, login, payload_codes

pytestmark = pytest.mark.django_db

EXPORT = "{ exportConfiguration }"
SAVE_ROLE = "mutation($input: RoleInput!) { saveRole(input: $input) { errors { code } } }"
SAVE_USER = "mutation($input: UserInput!) { saveUser(input: $input) { errors { code } } }"
PW = "Demo-test-password-42"
DESIGNER = {
    "code": "designer",
    "name": "Form designer",
    "scope": "own",
    "actions": {"*": ["manage_forms"]},
    "formAccess": {},
    "fieldRules": {},
}
IMPORT = """
mutation($bundle: JSON!) {
  importConfiguration(bundle: $bundle) { changes configVersion errors { path code message } }
}
"""


def test_an_administrator_exports_the_configuration() -> None:
    body = gql(EXPORT, token=login("admin")["accessToken"])

    assert body["data"]["exportConfiguration"] == demo_bundle()


def test_a_caseworker_may_neither_export_nor_import() -> None:
    token = login("cp_worker")["accessToken"]

    exporting = gql(EXPORT, token=token)
    importing = gql(IMPORT, {"bundle": demo_bundle()}, token)

    assert error_codes(exporting) == ["FORBIDDEN"]
    assert exporting["data"] is None
    assert payload_codes(importing, "importConfiguration") == ["FORBIDDEN"]


def test_importing_needs_manage_users_as_well(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bundle carries roles: without manage_users an import could grant it."""
    slug = new_tenant(monkeypatch)
    admin = login("admin", tenant=slug)["accessToken"]
    role = gql(SAVE_ROLE, {"input": DESIGNER}, admin)
    ines = {"username": "ines", "role": "designer", "password": PW}
    user = gql(SAVE_USER, {"input": ines}, admin)
    assert role["data"]["saveRole"]["errors"] == user["data"]["saveUser"]["errors"] == []
    designer = login("ines", tenant=slug)["accessToken"]

    exporting = gql(EXPORT, token=designer)
    importing = gql(IMPORT, {"bundle": exported(slug)}, designer)

    assert exporting["data"]["exportConfiguration"]["roles"][1]["code"] == "designer"
    assert payload_codes(importing, "importConfiguration") == ["FORBIDDEN"]


def test_an_invalid_bundle_answers_every_problem_under_bundle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slug = new_tenant(monkeypatch)
    before, version = exported(slug), Tenant.objects.get(slug=slug).config_version
    bundle = demo_bundle()
    bundle["forms"][3]["fields"][2]["type"] = "rainbow"
    bundle["roles"][2]["scope"] = "everyone"

    body = gql(IMPORT, {"bundle": bundle}, login("admin", tenant=slug)["accessToken"])

    payload = body["data"]["importConfiguration"]
    assert [(e["path"], e["code"]) for e in payload["errors"]] == [
        (["bundle", "forms", "3", "fields", "2", "type"], "UNKNOWN_FIELD_TYPE"),
        (["bundle", "roles", "2", "scope"], "INVALID_PROPERTY_VALUE"),
    ]
    assert payload["changes"] is None
    assert exported(slug) == before
    assert Tenant.objects.get(slug=slug).config_version == version


def test_a_valid_bundle_is_imported_and_served_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    slug = new_tenant(monkeypatch)
    admin = login("admin", tenant=slug)["accessToken"]
    bundle = gql(EXPORT, token=login("admin")["accessToken"])["data"]["exportConfiguration"]

    body = gql(IMPORT, {"bundle": bundle}, admin)
    forms = gql('{ forms(recordType: "incident") { key } }', token=admin)

    payload = body["data"]["importConfiguration"]
    assert payload["errors"] == []
    assert "form incident_details published" in payload["changes"]
    assert payload["configVersion"] == Tenant.objects.get(slug=slug).config_version
    assert [f["key"] for f in forms["data"]["forms"]] == [
        d["key"] for d in bundle["forms"] if d["record_type"] == "incident"
    ]
    assert gql(EXPORT, token=admin)["data"]["exportConfiguration"] == bundle


def test_hostile_values_are_problems_not_faults(monkeypatch: pytest.MonkeyPatch) -> None:
    slug = new_tenant(monkeypatch)
    bundle = {
        "format": "casework.configuration",
        "version": 1,
        "settings": {"locales": [[1]], "default_locale": {}, "record_types": "case"},
        "lookups": [{"key": [], "options": [{"id": []}]}, 5, {"key": "k", "options": {}}],
        "forms": [
            {"key": "x" * 200, "record_type": "case"},
            [],
            {"key": ["a"], "record_type": "case"},
            {"key": "a", "record_type": ["case"]},
        ],
        "roles": [
            {"code": [], "name": 5, "scope": [], "actions": [], "field_rules": {"x": [[1]]}},
            {"code": "r", "name": "R", "scope": "own", "actions": {"case": "read"}},
            "role",
        ],
    }

    body = gql(IMPORT, {"bundle": bundle}, login("admin", tenant=slug)["accessToken"])

    errors = body["data"]["importConfiguration"]["errors"]
    assert len(errors) >= 15
    assert {e["path"][1] for e in errors} == {"settings", "lookups", "forms", "roles"}
    assert "INTERNAL_SERVER_ERROR" not in {e["code"] for e in errors}
