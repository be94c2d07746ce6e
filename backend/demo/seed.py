"""The demo tenant, and a second tenant (`sandbox`) that exists to prove isolation."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from backend.accounts.models import Role, User
from backend.demo.form_content import CONTENT_DIR, publish_content, publish_modules
from backend.locations.csv_format import parse_csv
from backend.locations.services import import_location_rows
from backend.matching.administration import store_rules
from backend.matching.demo_rules import DEMO_MATCHING_RULES
from backend.matching.models import MatchingRules
from backend.tenancy.context import activate_tenant, tenant_transaction
from backend.tenancy.models import Agency, Tenant, UserGroup
from backend.workflows.config import DEMO_WORKFLOW

DEMO_LOCALES = ("en", "fr", "ar")
# Role code -> the indicators its dashboard shows (backend/reports/indicators.py)
DEMO_DASHBOARDS: dict[str, list[dict[str, Any]]] = json.loads(
    (CONTENT_DIR / "dashboards.json").read_text(encoding="utf-8")
)

CASE_WORK = [
    "read",
    "create",
    "write",
    "assign",
    "refer",
    "transfer",
    "flag",
    "close",
    "reopen",
    "request_approval",
    "request_transfer",
    "sync_mobile",
    "manage_families",
]

DEMO_ROLES: dict[str, dict[str, object]] = {
    "admin": {
        "name": "System administrator",
        "scope": "all",
        "actions": {
            "*": ["manage_forms", "manage_users", "read_audit"],
            "case": [
                *CASE_WORK,
                "approve_assessment",
                "approve_case_plan",
                "approve_closure",
                "export",
                "exact_counts",
                "override_consent",
                "manage_referrals",
                "manage_transfers",
                "incident_from_case",
            ],
            "incident": ["read", "create", "write", "export"],
            "tracing_request": ["read", "create", "write", "export"],
        },
        "modules": ["*"],
    },
    "cp_worker": {
        "name": "Child protection caseworker",
        "scope": "own",
        "actions": {
            "case": [*CASE_WORK, "export", "exact_counts"],
            "tracing_request": ["read", "create", "write"],
        },
        "modules": ["cp"],
    },
    "cp_supervisor": {
        "name": "Child protection supervisor",
        "scope": "group",
        "actions": {
            "case": [
                *CASE_WORK,
                "approve_assessment",
                "approve_case_plan",
                "approve_closure",
                "export",
                "exact_counts",
                "manage_referrals",
                "manage_transfers",
            ]
        },
        "modules": ["cp"],
    },
    "cp_monitor": {
        "name": "Child protection monitor",
        "scope": "agency",
        "actions": {"case": ["read", "export", "sync_mobile"]},
        "form_access": {"*": "r"},
        "field_rules": {"hidden_tags": ["pii"]},
        "modules": ["cp"],
    },
    "gbv_worker": {
        "name": "GBV caseworker",
        "scope": "own",
        "actions": {
            "incident": ["read", "create", "write", "refer", "flag", "close", "sync_mobile"]
        },
        "modules": ["gbv"],
    },
    "referral_worker": {
        "name": "Service provider (referrals)",
        "scope": "own",
        "actions": {"case": ["read", "write", "sync_mobile"]},
        "field_rules": {"hidden_tags": ["sensitive"]},
        "modules": ["cp"],
    },
}


@dataclass
class SeedReport:
    created_users: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    generated_password: str | None = None


def _tenant(slug: str, name: str, locales: list[str], record_types: list[str]) -> Tenant:
    tenant, _ = Tenant.objects.get_or_create(
        slug=slug, defaults={"name": name, "locales": locales, "default_locale": locales[0]}
    )
    if not tenant.record_types:
        tenant.record_types = record_types
        tenant.save(update_fields=["record_types"])
    template = _workflow_template(tenant.record_types)
    if set(template) - set(tenant.workflow or {}):
        # Add what a newer template brings; keep what an administrator changed.
        tenant.workflow = {**template, **(tenant.workflow or {})}
        tenant.config_version += 1
        tenant.save(update_fields=["workflow", "config_version"])
    return tenant


def _workflow_template(record_types: list[str]) -> dict[str, object]:
    """The demo's workflow settings, without what names record types the tenant lacks."""
    template = {
        **DEMO_WORKFLOW,
        "record_types": [rt for rt in DEMO_WORKFLOW["record_types"] if rt in record_types],
    }
    if "incident" not in record_types:
        template |= {"incident_from_case": {}, "incident_defaults": {}}
    return template


def _role(tenant: Tenant, code: str, spec: dict[str, object]) -> Role:
    role, _ = Role.objects.update_or_create(
        tenant=tenant,
        code=code,
        defaults={
            "name": spec["name"],
            "scope": spec["scope"],
            "actions": spec["actions"],
            "field_rules": spec.get("field_rules", {}),
            "form_access": spec.get("form_access", {"*": "rw"}),
            "modules": spec.get("modules", []),
            "dashboard": DEMO_DASHBOARDS.get(code, []),
        },
    )
    return role


def _user(
    tenant: Tenant,
    username: str,
    role: Role,
    agency: Agency,
    groups: list[UserGroup],
    password: str,
    report: SeedReport,
    *,
    reset_password: bool,
) -> None:
    user = User.objects.filter(tenant=tenant, username=username).first()
    if user is None:
        user = User.objects.create_user(
            tenant,
            username,
            password,
            role=role,
            agency=agency,
            full_name=username.replace("_", " ").title(),
        )
        report.created_users.append(f"{tenant.slug}/{username}")
    elif reset_password and not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    user.groups.set(groups)


def _seed_locations(tenant: Tenant) -> None:
    """The demo's location registry (re-importing it changes nothing)."""
    path = CONTENT_DIR / "locations.csv"
    rows, errors = parse_csv(path.read_text(encoding="utf-8"))
    result = import_location_rows(tenant, rows) if not errors else None
    if result is None or not result.ok:
        raise RuntimeError(f"{path}: {errors or (result and result.errors)}")


def seed_demo(password: str | None = None) -> SeedReport:
    """Create or complete the demo and sandbox tenants. Safe to run again and again.

    With an explicit password every demo user gets it; without one, a password is generated
    for the users created now and reported once. Existing users keep theirs.
    """
    report = SeedReport()
    reset = bool(password)
    if not password:
        password = secrets.token_urlsafe(12)
    with transaction.atomic():
        demo = _tenant(
            "demo",
            "Demo child protection programme",
            list(DEMO_LOCALES),
            ["case", "incident", "tracing_request"],
        )
        activate_tenant(demo.pk)
        lead = Agency.objects.get_or_create(
            tenant=demo, code="cp_agency", defaults={"name": "Child Protection Agency"}
        )[0]
        partner = Agency.objects.get_or_create(
            tenant=demo, code="partner_ngo", defaults={"name": "Partner Services NGO"}
        )[0]
        cp_team = UserGroup.objects.get_or_create(
            tenant=demo, code="cp_team_north", defaults={"name": "CP team north", "agency": lead}
        )[0]
        gbv_team = UserGroup.objects.get_or_create(
            tenant=demo, code="gbv_team", defaults={"name": "GBV team", "agency": lead}
        )[0]
        partner_team = UserGroup.objects.get_or_create(
            tenant=demo, code="partner_team", defaults={"name": "Partner team", "agency": partner}
        )[0]
        roles = {code: _role(demo, code, spec) for code, spec in DEMO_ROLES.items()}
        people = [
            ("admin", lead, [cp_team]),
            ("cp_worker", lead, [cp_team]),
            ("cp_supervisor", lead, [cp_team]),
            ("cp_monitor", lead, [cp_team]),
            ("gbv_worker", lead, [gbv_team]),
            ("referral_worker", partner, [partner_team]),
        ]
        for username, agency, groups in people:
            _user(
                demo,
                username,
                roles[username],
                agency,
                groups,
                password,
                report,
                reset_password=reset,
            )

        sandbox = _tenant("sandbox", "Sandbox programme", ["en"], ["case"])
        activate_tenant(sandbox.pk)
        sandbox_agency = Agency.objects.get_or_create(
            tenant=sandbox, code="sandbox_agency", defaults={"name": "Sandbox agency"}
        )[0]
        sandbox_team = UserGroup.objects.get_or_create(
            tenant=sandbox,
            code="sandbox_team",
            defaults={"name": "Sandbox team", "agency": sandbox_agency},
        )[0]
        for code in ("admin", "cp_worker"):
            _user(
                sandbox,
                code,
                _role(sandbox, code, DEMO_ROLES[code]),
                sandbox_agency,
                [sandbox_team],
                password,
                report,
                reset_password=reset,
            )
    if report.created_users and not reset:
        report.generated_password = password
    if CONTENT_DIR.exists():
        # The sandbox gets the same case forms as the demo: same fields, other people.
        for tenant, record_types in ((demo, None), (sandbox, ["case"])):
            with tenant_transaction(tenant.pk):
                admin = User.objects.select_related("tenant", "role").get(
                    tenant=tenant, username="admin"
                )
                report.published += publish_content(admin, record_types=record_types)
                _seed_locations(tenant)
                if record_types is None:  # the demo's programmes; the sandbox has none
                    report.published += publish_modules(admin)
                    if not MatchingRules.objects.filter(tenant=tenant).exists():
                        store_rules(tenant, DEMO_MATCHING_RULES)
    return report
