"""Workflow settings are configuration: a tenant whose forms name things its own way
configures its workflows through `updateTenantSettings`, every name is proved against the
published forms, and a form change that would break a setting is refused with the reason."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from backend.forms.configuration import published_configuration
from backend.notifications.tasks import raise_overdue_service_alerts_for_all_tenants
from backend.tenancy.models import Tenant
from backend.workflows.settings_check import validate_workflow_settings
from tests.graphql_client import gql, login, payload_codes, use_tenant
from tests.graphql_schema.test_records_api import publish
from tests.tenants import ScratchTenant, make_tenant

pytestmark = pytest.mark.django_db

SUPPORT_FORM: dict[str, Any] = {
    "key": "support",
    "record_type": "case",
    "label": {"en": "Support"},
    "fields": [
        {"name": "child_name", "type": "text", "label": {"en": "Name"}},
        {"name": "may_share", "type": "boolean", "label": {"en": "May share"}},
        {
            "name": "support_actions",
            "type": "subform",
            "label": {"en": "Support actions"},
            "fields": [
                {"name": "action", "type": "text", "label": {"en": "Action"}},
                {"name": "due_on", "type": "date", "label": {"en": "Due on"}},
                {"name": "done", "type": "boolean", "label": {"en": "Done"}},
            ],
        },
    ],
}
SUPPORT_SETTINGS: dict[str, Any] = {
    "record_types": ["case"],
    "consent_field": "may_share",
    "services": {
        "record_type": "case",
        "field": "support_actions",
        "due_date_field": "due_on",
        "implemented_field": "done",
        "type_field": "action",
    },
}
SETTINGS = "{ tenantSettings { name defaultLocale locales recordTypes workflow } }"
UPDATE = """mutation($input: TenantSettingsInput!) {
  updateTenantSettings(input: $input) {
    tenantSettings { name defaultLocale locales workflow } errors { path code message } } }"""
RETIRE = """mutation($key: String!) { retireForm(key: $key) {
  retired errors { path code message } } }"""


@pytest.fixture
def scratch() -> ScratchTenant:
    return make_tenant()


def sign_in(scratch: ScratchTenant, username: str) -> str:
    token: str = login(username, tenant=scratch.slug)["accessToken"]
    return token


def configured(scratch: ScratchTenant) -> str:
    admin = sign_in(scratch, "admin")
    assert payload_codes(publish(admin, SUPPORT_FORM), "publishFormVersion") == []
    body = gql(UPDATE, {"input": {"workflow": SUPPORT_SETTINGS}}, admin)
    assert payload_codes(body, "updateTenantSettings") == []
    return admin


def test_a_tenant_with_its_own_field_names_gets_overdue_alerts(scratch: ScratchTenant) -> None:
    configured(scratch)
    worker = sign_in(scratch, "worker")
    created = gql(
        "mutation($input: CaseInput!) { createCase(input: $input) { "
        "case { id supportActions { dueOn overdue } } errors { code } } }",
        {
            "input": {
                "childName": "Amal",
                "supportActions": [
                    {"action": "school enrolment", "dueOn": "2020-01-01", "done": False},
                    {"action": "medical check", "dueOn": "2020-01-01", "done": True},
                ],
            }
        },
        worker,
    )["data"]["createCase"]

    raised = raise_overdue_service_alerts_for_all_tenants()
    alerts = gql("{ alerts { kind message record { recordId } } }", token=worker)["data"]

    assert created["errors"] == []
    assert created["case"]["supportActions"] == [
        {"dueOn": "2020-01-01", "overdue": True},
        {"dueOn": "2020-01-01", "overdue": False},
    ]
    assert raised >= 1
    assert [(a["kind"], a["record"]["recordId"]) for a in alerts["alerts"]] == [
        ("service_overdue", created["case"]["id"])
    ]
    assert "was due on 2020-01-01 and is not implemented" in alerts["alerts"][0]["message"]


def test_settings_naming_fields_the_forms_lack_are_refused_with_each_reason(
    scratch: ScratchTenant,
) -> None:
    admin = sign_in(scratch, "admin")
    publish(admin, SUPPORT_FORM)
    demo_names = copy.deepcopy(SUPPORT_SETTINGS)
    demo_names["services"] |= {"due_date_field": "service_due_date", "implemented_field": "action"}
    demo_names["consent_field"] = "child_name"
    demo_names["stage_on_reopen"] = "services"

    body = gql(UPDATE, {"input": {"workflow": demo_names}}, admin)["data"]["updateTenantSettings"]

    assert body["tenantSettings"] is None
    assert {tuple(e["path"]): (e["code"], e["message"]) for e in body["errors"]} == {
        ("input", "workflow", "services", "due_date_field"): (
            "INVALID_WORKFLOW_SETTINGS",
            "workflow.services.due_date_field: names `service_due_date`, which the "
            "`support_actions` subform of the published case forms does not have.",
        ),
        ("input", "workflow", "services", "implemented_field"): (
            "INVALID_WORKFLOW_SETTINGS",
            "workflow.services.implemented_field: names `action`, a text field; "
            "it must be a boolean, date or datetime.",
        ),
        ("input", "workflow", "consent_field"): (
            "INVALID_WORKFLOW_SETTINGS",
            "workflow.consent_field: names `child_name`, a text field; it must be a boolean.",
        ),
        ("input", "workflow", "stage_on_reopen"): (
            "INVALID_WORKFLOW_SETTINGS",
            "workflow.stage_on_reopen: `services` is not one of stages.",
        ),
    }
    assert gql(SETTINGS, token=admin)["data"]["tenantSettings"]["workflow"] == {}


def test_a_publication_removing_a_configured_field_is_refused_with_the_reason(
    scratch: ScratchTenant,
) -> None:
    admin = configured(scratch)
    without_due_date = copy.deepcopy(SUPPORT_FORM)
    subform = without_due_date["fields"][2]
    subform["fields"] = [f for f in subform["fields"] if f["name"] != "due_on"]

    body = publish(admin, without_due_date)["data"]["publishFormVersion"]
    retired = gql(RETIRE, {"key": "support"}, admin)["data"]["retireForm"]

    assert body["formVersion"] is None
    assert body["errors"] == [
        {
            "path": None,
            "code": "BREAKS_WORKFLOW_SETTINGS",
            "message": "Workflow setting services.due_date_field names `due_on`, "
            "which version 2 of form `support` removes.",
        }
    ]
    assert retired["retired"] is False
    assert {e["code"] for e in retired["errors"]} == {"BREAKS_WORKFLOW_SETTINGS"}
    assert "Workflow setting consent_field names `may_share`, which retiring form `support` " in {
        e["message"][:-8] for e in retired["errors"]
    }
    versions = gql('{ formVersions(key: "support") { number status } }', token=admin)
    assert versions["data"]["formVersions"][0] == {"number": 1, "status": "published"}


def test_other_changes_publish_while_settings_hold(scratch: ScratchTenant) -> None:
    admin = configured(scratch)
    more = copy.deepcopy(SUPPORT_FORM)
    more["fields"].append({"name": "nickname", "type": "text", "label": {"en": "Nickname"}})

    assert payload_codes(publish(admin, more), "publishFormVersion") == []


def test_names_and_locales_are_checked_and_changes_show_at_once(scratch: ScratchTenant) -> None:
    admin = configured(scratch)

    refused = gql(UPDATE, {"input": {"locales": ["en", "EN_gb"], "defaultLocale": "sw"}}, admin)
    changed = gql(
        UPDATE,
        {"input": {"name": "Field office", "locales": ["en", "sw"], "defaultLocale": "sw"}},
        admin,
    )
    settings = gql(SETTINGS, token=admin)["data"]["tenantSettings"]

    assert [(e["path"], e["code"]) for e in refused["data"]["updateTenantSettings"]["errors"]] == [
        (["input", "locales", "1"], "BAD_USER_INPUT"),
        (["input", "defaultLocale"], "BAD_USER_INPUT"),
    ]
    assert payload_codes(changed, "updateTenantSettings") == []
    assert settings == {
        "name": "Field office",
        "defaultLocale": "sw",
        "locales": ["en", "sw"],
        "recordTypes": ["case"],
        "workflow": SUPPORT_SETTINGS,
    }


def test_a_caseworker_may_neither_read_nor_change_tenant_settings(scratch: ScratchTenant) -> None:
    worker = sign_in(scratch, "worker")

    read = gql(SETTINGS, token=worker)
    change = gql(UPDATE, {"input": {"name": "Mine"}}, worker)

    assert [e["extensions"]["code"] for e in read["errors"]] == ["FORBIDDEN"]
    assert payload_codes(change, "updateTenantSettings") == ["FORBIDDEN"]


def test_the_demo_settings_fit_the_demo_forms() -> None:
    use_tenant("demo")
    demo = Tenant.objects.get(slug="demo")

    assert validate_workflow_settings(demo.workflow, published_configuration(demo)) == []


def test_a_locale_longer_than_its_column_is_a_coded_error(scratch: ScratchTenant) -> None:
    """A well-formed tag too long for the tenant's locale column once reached the database."""
    admin = configured(scratch)
    long_tag = "abc-abcdefgh"

    body = gql(UPDATE, {"input": {"locales": ["en", long_tag], "defaultLocale": long_tag}}, admin)

    assert "errors" not in body, body
    assert [(e["path"], e["code"]) for e in body["data"]["updateTenantSettings"]["errors"]] == [
        (["input", "locales", "1"], "BAD_USER_INPUT"),
        (["input", "defaultLocale"], "BAD_USER_INPUT"),
    ]
