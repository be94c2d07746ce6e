"""A tenant's workflow settings (Tenant.workflow): which fields and stages workflows use.

Workflow code reads field names only from here, never its own: a tenant whose forms name
things otherwise configures them (`updateTenantSettings`), and `settings_check.py` proves
each name against the published forms. DEMO_WORKFLOW is the demo tenant's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from backend.tenancy.models import Tenant

DEMO_WORKFLOW: dict[str, Any] = {
    "record_types": ["case", "incident"],
    "approval_types": ["assessment", "case_plan", "closure"],
    "stages": ["new", "assessment", "case_plan", "services", "closed"],
    "stage_on_request": {"assessment": "assessment"},
    "stage_on_approval": {"assessment": "case_plan", "case_plan": "services"},
    "stage_on_close": "closed",
    "stage_on_reopen": "services",
    # A record is closed only after an approval of this type ("": no approval needed).
    "closure_approval_type": "closure",
    # Where the reason for closing is recorded on the form (for clients and reports).
    "closure_reason_field": "closure_reason",
    "consent_field": "consent_to_share_with_referral",
    "services": {
        "record_type": "case",
        "field": "services",
        "due_date_field": "service_due_date",
        "implemented_field": "service_implemented",
        "type_field": "service_type",
    },
    "incident_from_case": {
        "sex": "survivor_sex",
        "age": "survivor_age",
        "displacement_status": "survivor_displacement_status",
        "location_current": "survivor_location_current",
        "consent_for_services": "consent_for_services",
        "consent_to_share_with_referral": "consent_to_share_with_referral",
    },
    # Values an incident opened from a case starts with; "$today" is the current date.
    "incident_defaults": {"interview_date": "$today"},
}

TODAY = "$today"


@dataclass(frozen=True)
class ServiceSettings:
    """The subform of services (overdue alerts, the derived `overdue` field)."""

    record_type: str
    field: str
    due_date_field: str
    implemented_field: str
    type_field: str = ""


@dataclass(frozen=True)
class Workflow:
    record_types: tuple[str, ...] = ()
    approval_types: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    stage_on_request: dict[str, str] = field(default_factory=dict)
    stage_on_approval: dict[str, str] = field(default_factory=dict)
    stage_on_close: str = ""
    stage_on_reopen: str = ""
    closure_approval_type: str = ""
    closure_reason_field: str = ""
    consent_field: str = ""
    services: ServiceSettings | None = None
    incident_from_case: dict[str, str] = field(default_factory=dict)
    incident_defaults: dict[str, object] = field(default_factory=dict)


def workflow_of(tenant: Tenant) -> Workflow:
    return parse_workflow(tenant.workflow)


def parse_workflow(raw: object) -> Workflow:
    """Settings as stored; what does not fit its shape reads as unset (the checks refuse it)."""
    settings = raw if isinstance(raw, Mapping) else {}
    return Workflow(
        record_types=_names(settings.get("record_types")),
        approval_types=_names(settings.get("approval_types")),
        stages=_names(settings.get("stages")),
        stage_on_request=_name_map(settings.get("stage_on_request")),
        stage_on_approval=_name_map(settings.get("stage_on_approval")),
        stage_on_close=_name(settings.get("stage_on_close")),
        stage_on_reopen=_name(settings.get("stage_on_reopen")),
        closure_approval_type=_name(settings.get("closure_approval_type")),
        closure_reason_field=_name(settings.get("closure_reason_field")),
        consent_field=_name(settings.get("consent_field")),
        services=_services(settings.get("services")),
        incident_from_case=_name_map(settings.get("incident_from_case")),
        incident_defaults=dict(settings.get("incident_defaults") or {})
        if isinstance(settings.get("incident_defaults"), Mapping)
        else {},
    )


def _name(value: object) -> str:
    return value if isinstance(value, str) else ""


def _names(value: object) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _name_map(value: object) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str)}


def _services(value: object) -> ServiceSettings | None:
    if not isinstance(value, Mapping):
        return None
    names = {key: _name(value.get(key)) for key in SERVICE_KEYS}
    if not all(names[key] for key in REQUIRED_SERVICE_KEYS):
        return None
    return ServiceSettings(**names)


REQUIRED_SERVICE_KEYS = ("record_type", "field", "due_date_field", "implemented_field")
SERVICE_KEYS = (*REQUIRED_SERVICE_KEYS, "type_field")
