"""A real deployment's configuration, as a reviewer brings it: one command, then GraphQL only.

`fixtures/field_deployment.json` is modelled on a large child-protection deployment (Primero's
defaults): case forms of a `cp` module, survivor and incident forms of a `gbv` module sharing
the case record type, lookups with long ids holding `-` and `.`, read-only fields, every kind
of default, hidden and shared fields, agency / user / location option sources, decimals with
a precision, and subform fields named like record fields (`status`, `agency`). Its services
subform is `services_section`, marked done by a datetime (`service_implemented_day_time`).
`fixtures/field_locations.csv` is a registry of three admin levels.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from backend.notifications.tasks import raise_overdue_service_alerts_for_all_tenants
from tests.deployment.helpers import command
from tests.graphql_client import gql, login

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
PASSWORD = "Juba-field-office-2026"
SLUG = "ss-field"

IMPORT_LOCATIONS = """
mutation($csv: String!) { importLocations(csv: $csv) { created updated errors { path code } } }
"""
IMPORT = """
mutation($bundle: JSON!) {
  importConfiguration(bundle: $bundle) { changes errors { path code message } }
}
"""
SETTINGS = """
mutation($input: TenantSettingsInput!) {
  updateTenantSettings(input: $input) { errors { path code message } }
}
"""
SAVE_AGENCY = """
mutation($code: String!, $name: String!) {
  saveAgency(code: $code, name: $name) { errors { code } }
}
"""
SAVE_ROLE = "mutation($input: RoleInput!) { saveRole(input: $input) { errors { path code } } }"
SAVE_USER = "mutation($input: UserInput!) { saveUser(input: $input) { errors { path code } } }"
CASE_FIELDS = """
id shortId module registrationDate caseOpenedAt caseOpenedBy caseAgencyCode caseSource
riskLevel consentForServices followUpIntervalDays languagesSpoken nameFirst locationCurrent
registrationState householdMonthlyIncome caseWorkerAgency casePlanTeam legacyCaseId revision
"""
CREATE = f"""
mutation($module: String, $input: CaseInput!) {{
  createCase(module: $module, input: $input) {{
    case {{ {CASE_FIELDS} }} errors {{ path code message }}
  }}
}}
"""
UPDATE = f"""
mutation($id: ID!, $rev: Int!, $input: CaseInput!) {{
  updateCase(id: $id, baseRevision: $rev, input: $input) {{
    case {{ {CASE_FIELDS} }} errors {{ path code message }}
  }}
}}
"""
CASE = f"query($id: ID!) {{ case(id: $id) {{ {CASE_FIELDS} }} }}"
CASE_COUNT = "{ cases { totalCount } }"
FORMS = """
query($module: String) {
  forms(recordType: "case", module: $module) {
    key fields {
      name type hidden readOnly writable default precision
      optionSource { kind adminLevel } options { id }
      fields { name type default precision optionSource { kind adminLevel } }
    }
  }
}
"""


def bundle() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (FIXTURES / "field_deployment.json").read_text(encoding="utf-8")
    )
    return loaded


WORKFLOW = {
    "record_types": ["case"],
    "consent_field": "consent_for_services",
    "services": {
        "record_type": "case",
        "field": "services_section",
        "due_date_field": "service_appointment_date",
        "implemented_field": "service_implemented_day_time",
        "type_field": "service_type",
    },
    "location_fields": {"case": "location_current"},
}
GBV_ROLE = {
    "code": "gbv_caseworker",
    "name": "GBV caseworker",
    "scope": "own",
    "actions": {"case": ["create", "read", "write"], "incident": ["create", "read", "write"]},
    "formAccess": {"*": "rw"},
    "fieldRules": {},
    "modules": ["gbv"],
}


@dataclass(frozen=True)
class Deployment:
    admin: str
    cp_worker: str
    gbv_worker: str


def ok(body: dict[str, Any], mutation: str) -> dict[str, Any]:
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"][mutation]
    assert payload["errors"] == [], payload["errors"]
    return payload


def configure(monkeypatch: pytest.MonkeyPatch) -> Deployment:
    """What the reviewer does: create the tenant, load locations and the bundle, set the
    workflow settings, add agencies, a role and users; all but the first step over GraphQL."""
    monkeypatch.setenv("SS_ADMIN_PASSWORD", PASSWORD)
    command(
        "create_tenant",
        SLUG,
        "--name",
        "South Sudan field office",
        "--admin-username",
        "coordinator",
        "--admin-password-env",
        "SS_ADMIN_PASSWORD",
        "--locales",
        "en,fr,ar",
        "--record-types",
        "case,incident",
    )
    admin = login("coordinator", tenant=SLUG, password=PASSWORD)["accessToken"]
    csv = (FIXTURES / "field_locations.csv").read_text(encoding="utf-8")
    assert ok(gql(IMPORT_LOCATIONS, {"csv": csv}, admin), "importLocations")["created"] == 6
    ok(gql(IMPORT, {"bundle": bundle()}, admin), "importConfiguration")
    ok(gql(SETTINGS, {"input": {"workflow": WORKFLOW}}, admin), "updateTenantSettings")
    for code, name in (("save-the-children", "Save the Children"), ("unicef-ss", "UNICEF")):
        ok(gql(SAVE_AGENCY, {"code": code, "name": name}, admin), "saveAgency")
    ok(gql(SAVE_ROLE, {"input": GBV_ROLE}, admin), "saveRole")
    users = [
        {"username": "akech", "role": "cp_caseworker", "agency": "save-the-children"},
        {"username": "nyabol", "role": "gbv_caseworker", "agency": "save-the-children"},
        # works in both programmes: the role's module and her own
        {"username": "deng.m", "role": "cp_caseworker", "modules": ["gbv"]},
    ]
    for user in users:
        ok(gql(SAVE_USER, {"input": {**user, "password": PASSWORD}}, admin), "saveUser")
    return Deployment(
        admin=admin,
        cp_worker=login("akech", tenant=SLUG, password=PASSWORD)["accessToken"],
        gbv_worker=login("nyabol", tenant=SLUG, password=PASSWORD)["accessToken"],
    )


@pytest.fixture
def deployment(monkeypatch: pytest.MonkeyPatch) -> Deployment:
    return configure(monkeypatch)


def test_the_configuration_publishes_without_losing_anything(deployment: Deployment) -> None:
    exported = gql("{ exportConfiguration }", token=deployment.admin)["data"]["exportConfiguration"]
    given = bundle()

    assert exported["forms"] == given["forms"]
    assert exported["lookups"] == given["lookups"]
    assert exported["modules"] == given["modules"]
    roles = {role["code"]: role for role in exported["roles"]}
    for role in given["roles"]:
        assert roles[role["code"]] == role
    assert roles["gbv_caseworker"]["modules"] == ["gbv"]
    assert exported["settings"]["workflow"] == WORKFLOW
    assert [(row["code"], row["admin_level"]) for row in exported["locations"]] == [
        ("SS", 0),
        ("SS-CE", 1),
        ("SS-UN", 1),
        ("SS-CE.JUB", 2),
        ("SS-CE.YEI", 2),
        ("SS-UN.BEN", 2),
    ]
    # ... and importing it again changes nothing
    again = ok(gql(IMPORT, {"bundle": exported}, deployment.admin), "importConfiguration")
    assert again["changes"] == []


def test_forms_carry_hidden_read_only_defaults_sources_and_precision(
    deployment: Deployment,
) -> None:
    forms = gql(FORMS, token=deployment.cp_worker)["data"]["forms"]
    fields = {(form["key"], f["name"]): f for form in forms for f in form["fields"]}
    services = {f["name"]: f for f in fields[("case_plan", "services_section")]["fields"]}

    assert [form["key"] for form in forms] == [
        "registration",
        "basic_identity",
        "family_details",
        "protection_concerns",
        "assessment",
        "case_plan",
    ]
    hidden = fields[("registration", "legacy_case_id")]
    assert (hidden["hidden"], hidden["writable"]) == (True, True)
    opened_by = fields[("registration", "case_opened_by")]
    assert (opened_by["readOnly"], opened_by["writable"], opened_by["default"]) == (
        True,
        False,
        "current_user",
    )
    assert fields[("registration", "case_source")]["default"] == "community.referral-network"
    assert fields[("basic_identity", "languages_spoken")]["default"] == ["ar.juba-arabic"]
    assert fields[("registration", "follow_up_interval_days")]["default"] == 14
    assert fields[("registration", "consent_for_services")]["default"] is False
    assert fields[("assessment", "household_monthly_income")]["precision"] == 2
    assert fields[("registration", "registration_state")]["optionSource"] == {
        "kind": "locations",
        "adminLevel": 1,
    }
    assert fields[("assessment", "case_worker_agency")]["optionSource"] == {
        "kind": "agencies",
        "adminLevel": None,
    }
    assert fields[("case_plan", "case_plan_team")]["optionSource"]["kind"] == "users"
    assert services["status"]["default"] == "pending"
    assert services["service_cost"]["precision"] == 2
    assert services["service_delivery_county"]["optionSource"] == {
        "kind": "locations",
        "adminLevel": 2,
    }
    assert services["agency"]["optionSource"]["kind"] == "agencies"
    # the shared field is on both forms
    assert ("registration", "risk_level") in fields
    assert ("assessment", "risk_level") in fields
    # the long option id with `-` and `.` is offered as it is
    concerns = [o["id"] for o in fields[("protection_concerns", "protection_concerns")]["options"]]
    assert (
        "cp.concern.child-associated-with-armed-forces-or-armed-groups.released-and-reintegrated-2024"
        in concerns
    )


def test_a_new_case_gets_every_default(deployment: Deployment) -> None:
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)

    created = ok(
        gql(
            CREATE,
            {"input": {"nameFirst": "Achol", "locationCurrent": "SS-CE.JUB"}},
            deployment.cp_worker,
        ),
        "createCase",
    )["case"]

    today = dt.date.today().isoformat()
    assert created["module"] == "cp"
    assert created["registrationDate"] == today
    opened_at = dt.datetime.fromisoformat(created["caseOpenedAt"].replace("Z", "+00:00"))
    assert before <= opened_at <= dt.datetime.now(dt.UTC)
    assert created["caseOpenedBy"] == "akech"
    assert created["caseAgencyCode"] == "save-the-children"
    assert created["caseSource"] == "community.referral-network"
    assert created["riskLevel"] == "no-action.needed"
    assert created["consentForServices"] is False
    assert created["followUpIntervalDays"] == 14
    assert created["languagesSpoken"] == ["ar.juba-arabic"]


def test_read_only_fields_refuse_writes_and_nothing_is_saved(deployment: Deployment) -> None:
    worker = deployment.cp_worker
    refused = gql(CREATE, {"input": {"nameFirst": "Achol", "caseOpenedBy": "nyabol"}}, worker)[
        "data"
    ]["createCase"]
    created = ok(gql(CREATE, {"input": {"nameFirst": "Achol"}}, worker), "createCase")["case"]
    changed = gql(
        UPDATE,
        {
            "id": created["id"],
            "rev": created["revision"],
            "input": {"caseAgencyCode": "unicef-ss", "nameFirst": "Achol Deng"},
        },
        worker,
    )["data"]["updateCase"]
    after = gql(CASE, {"id": created["id"]}, worker)["data"]["case"]

    assert refused["case"] is None
    assert [(e["path"], e["code"]) for e in refused["errors"]] == [
        (["input", "caseOpenedBy"], "FORBIDDEN_FIELD")
    ]
    assert gql(CASE_COUNT, token=worker)["data"]["cases"]["totalCount"] == 1
    assert [(e["path"], e["code"]) for e in changed["errors"]] == [
        (["input", "caseAgencyCode"], "FORBIDDEN_FIELD")
    ]
    assert (after["caseAgencyCode"], after["nameFirst"], after["revision"]) == (
        "save-the-children",
        "Achol",
        created["revision"],
    )


TOO_MANY = "TOO_MANY_DECIMALS"
CHECKED_WRITES: list[tuple[dict[str, Any], list[str] | None, str | None]] = [
    ({"locationCurrent": "SS-XX.NOWHERE"}, ["input", "locationCurrent"], "UNKNOWN_LOCATION"),
    ({"registrationState": "SS-CE.JUB"}, ["input", "registrationState"], "WRONG_LOCATION_LEVEL"),
    ({"registrationState": "SS-XX"}, ["input", "registrationState"], "UNKNOWN_LOCATION"),
    ({"registrationState": "SS-UN"}, None, None),
    ({"caseWorkerAgency": "msf"}, ["input", "caseWorkerAgency"], "UNKNOWN_OPTION"),
    ({"caseWorkerAgency": "unicef-ss"}, None, None),
    ({"casePlanTeam": ["akech", "ghost"]}, ["input", "casePlanTeam", "1"], "UNKNOWN_USER"),
    ({"casePlanTeam": ["akech", "deng.m"]}, None, None),
    ({"householdMonthlyIncome": 1250.505}, ["input", "householdMonthlyIncome"], TOO_MANY),
    ({"householdMonthlyIncome": 1250.5}, None, None),
    ({"caseSource": "hotline.116-111"}, None, None),
    ({"legacyCaseId": "CPIMS-2019-00042"}, None, None),  # hidden, yet stored as any field
]


def test_writes_are_checked_against_the_tenant(deployment: Deployment) -> None:
    for written, path, code in CHECKED_WRITES:
        body = gql(CREATE, {"input": {"nameFirst": "Lual", **written}}, deployment.cp_worker)
        payload = body["data"]["createCase"]

        if code is None:
            assert payload["errors"] == [], written
            key, value = next(iter(written.items()))
            assert payload["case"][key] == value
        else:
            assert payload["case"] is None
            assert [(e["path"], e["code"]) for e in payload["errors"]] == [(path, code)], written
    accepted = sum(code is None for _, _, code in CHECKED_WRITES)
    assert gql(CASE_COUNT, token=deployment.cp_worker)["data"]["cases"]["totalCount"] == accepted


SERVICES_FIELDS = """
servicesSection { uid serviceType serviceResponseType status agency serviceCost
  serviceDeliveryCounty serviceProviders serviceAppointmentDate serviceImplementedDayTime overdue }
"""


def test_subform_entries_with_reserved_names_sources_and_defaults(deployment: Deployment) -> None:
    worker = deployment.cp_worker
    created = ok(gql(CREATE, {"input": {"nameFirst": "Nyandeng"}}, worker), "createCase")["case"]
    query = f"""
    mutation($id: ID!, $rev: Int!, $input: CaseInput!) {{
      updateCase(id: $id, baseRevision: $rev, input: $input) {{
        case {{
          {SERVICES_FIELDS}
          familyDetailsSection {{ relationName relation status relationIsCaregiver }}
        }}
        errors {{ path code }}
      }}
    }}"""
    entry = {
        "serviceType": "psychosocial.pss-individual",
        "agency": "unicef-ss",
        "serviceCost": 12.5,
        "serviceDeliveryCounty": "SS-CE.YEI",
        "serviceProviders": ["akech", "deng.m"],
    }
    bad = [
        ({"agency": "msf"}, "agency", "UNKNOWN_OPTION"),
        ({"serviceDeliveryCounty": "SS-CE"}, "serviceDeliveryCounty", "WRONG_LOCATION_LEVEL"),
        ({"serviceCost": 3.999}, "serviceCost", "TOO_MANY_DECIMALS"),
        ({"serviceProviders": ["ghost"]}, "serviceProviders", "UNKNOWN_USER"),
    ]
    for change, name, code in bad:
        refused = gql(
            query,
            {
                "id": created["id"],
                "rev": created["revision"],
                "input": {"servicesSection": [{**entry, **change}]},
            },
            worker,
        )["data"]["updateCase"]
        assert [e["code"] for e in refused["errors"]] == [code], (change, refused)
        assert refused["errors"][0]["path"][:4] == ["input", "servicesSection", "0", name]

    saved = ok(
        gql(
            query,
            {
                "id": created["id"],
                "rev": created["revision"],
                "input": {
                    "servicesSection": [entry],
                    "familyDetailsSection": [
                        {
                            "relationName": "Mary",
                            "relation": "grandparent.maternal",
                            "status": "alive",
                        }
                    ],
                },
            },
            worker,
        ),
        "updateCase",
    )["case"]

    service = saved["servicesSection"][0]
    assert (service["status"], service["serviceResponseType"]) == ("pending", "care-plan")
    assert service["agency"] == "unicef-ss"
    assert service["serviceProviders"] == ["akech", "deng.m"]
    assert saved["familyDetailsSection"] == [
        {
            "relationName": "Mary",
            "relation": "grandparent.maternal",
            "status": "alive",
            "relationIsCaregiver": False,
        }
    ]


def test_the_shared_field_holds_one_value_seen_through_both_forms(deployment: Deployment) -> None:
    worker = deployment.cp_worker
    created = ok(gql(CREATE, {"input": {"nameFirst": "Gatluak"}}, worker), "createCase")["case"]

    raised = ok(
        gql(
            UPDATE,
            {"id": created["id"], "rev": created["revision"], "input": {"riskLevel": "high"}},
            worker,
        ),
        "updateCase",
    )["case"]
    exported = gql(
        'query($id: ID!) { case(id: $id) { riskLevel } forms(recordType: "case") '
        "{ key fields { name graphqlName } } }",
        {"id": created["id"]},
        worker,
    )["data"]

    assert raised["riskLevel"] == "high"
    on_forms = [
        form["key"]
        for form in exported["forms"]
        for f in form["fields"]
        if f["name"] == "risk_level"
    ]
    assert on_forms == ["registration", "assessment"]
    assert exported["case"]["riskLevel"] == "high"


DENIAL = "gbv.denial-of-resources.opportunities-or-services"


def test_each_programme_sees_its_own_records(deployment: Deployment) -> None:
    cp = ok(gql(CREATE, {"input": {"nameFirst": "Achol"}}, deployment.cp_worker), "createCase")
    gbv_create = """
    mutation($input: CaseInput!) {
      createCase(input: $input) {
        case { id module survivorCode sex gbvCaseworkerCode } errors { path code }
      }
    }"""
    gbv = ok(
        gql(
            gbv_create,
            {"input": {"survivorCode": "SRV-001", "sex": "female"}},
            deployment.gbv_worker,
        ),
        "createCase",
    )["case"]
    incident = gql(
        """mutation($input: IncidentInput!) { createIncident(input: $input) {
          incident { module dateOfInterview incidentRecordedBy gbvViolenceType }
          errors { path code } } }""",
        {"input": {"gbvViolenceType": DENIAL, "incidentLocation": "SS-UN.BEN"}},
        deployment.gbv_worker,
    )["data"]["createIncident"]
    seen_by_gbv = gql(
        "query($id: ID!) { case(id: $id) { id } cases { totalCount edges { node { id } } } }",
        {"id": cp["case"]["id"]},
        deployment.gbv_worker,
    )
    both = login("deng.m", tenant=SLUG, password=PASSWORD)["accessToken"]
    undecided = gql(CREATE, {"input": {"nameFirst": "Ayen"}}, both)["data"]["createCase"]
    gbv_forms = gql(FORMS, {"module": "gbv"}, deployment.gbv_worker)["data"]["forms"]

    assert gbv["module"] == "gbv"
    assert gbv["gbvCaseworkerCode"] == "nyabol"
    assert incident["errors"] == []
    assert incident["incident"] == {
        "module": "gbv",
        "dateOfInterview": dt.date.today().isoformat(),
        "incidentRecordedBy": "nyabol",
        "gbvViolenceType": DENIAL,
    }
    assert seen_by_gbv["data"]["case"] is None
    assert [e["extensions"]["code"] for e in seen_by_gbv["errors"]] == ["NOT_FOUND"]
    assert seen_by_gbv["data"]["cases"]["totalCount"] == 1
    assert [e["node"]["id"] for e in seen_by_gbv["data"]["cases"]["edges"]] == [gbv["id"]]
    assert [(e["path"], e["code"]) for e in undecided["errors"]] == [
        (["module"], "MODULE_REQUIRED")
    ]
    assert [form["key"] for form in gbv_forms] == ["gbv_survivor_information"]


def test_overdue_services_alert_with_the_renamed_fields(deployment: Deployment) -> None:
    worker = deployment.cp_worker
    created = ok(gql(CREATE, {"input": {"nameFirst": "Deng"}}, worker), "createCase")["case"]
    last_week = (dt.date.today() - dt.timedelta(days=7)).isoformat()
    saved = ok(
        gql(
            f"""mutation($id: ID!, $rev: Int!, $input: CaseInput!) {{
              updateCase(id: $id, baseRevision: $rev, input: $input) {{
                case {{ {SERVICES_FIELDS} }} errors {{ path code }} }} }}""",
            {
                "id": created["id"],
                "rev": created["revision"],
                "input": {
                    "servicesSection": [
                        {"serviceType": "health.medical-care", "serviceAppointmentDate": last_week},
                        {
                            "serviceType": "legal.birth-registration",
                            "serviceAppointmentDate": last_week,
                            "serviceImplementedDayTime": f"{last_week}T09:30:00+03:00",
                        },
                    ]
                },
            },
            worker,
        ),
        "updateCase",
    )["case"]

    raised = raise_overdue_service_alerts_for_all_tenants()
    alerts = gql("{ alerts { kind message record { recordId shortId } } }", token=worker)

    assert [entry["overdue"] for entry in saved["servicesSection"]] == [True, False]
    assert raised >= 1
    assert [(a["kind"], a["record"]) for a in alerts["data"]["alerts"]] == [
        ("service_overdue", {"recordId": created["id"], "shortId": created["shortId"]})
    ]
    assert last_week in alerts["data"]["alerts"][0]["message"]


def test_the_bundle_is_a_template_for_the_next_tenant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SS_ADMIN_PASSWORD", PASSWORD)
    command(
        "create_tenant",
        "ss-field-2",
        "--name",
        "Second field office",
        "--admin-username",
        "coordinator",
        "--admin-password-env",
        "SS_ADMIN_PASSWORD",
        "--from-template",
        str(FIXTURES / "field_deployment.json"),
    )
    admin = login("coordinator", tenant="ss-field-2", password=PASSWORD)["accessToken"]

    exported = gql("{ exportConfiguration }", token=admin)["data"]["exportConfiguration"]
    created = ok(
        gql(CREATE, {"module": "cp", "input": {"nameFirst": "Ajak"}}, admin), "createCase"
    )["case"]

    assert exported["forms"] == bundle()["forms"]
    assert exported["modules"] == bundle()["modules"]
    assert (created["module"], created["caseOpenedBy"]) == ("cp", "coordinator")
