"""A tenant's workflow configuration (Tenant.workflow), with the defaults the demo uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backend.tenancy.models import Tenant

DEMO_WORKFLOW: dict[str, Any] = {
    "record_types": ["case", "incident"],
    "approval_types": ["assessment", "case_plan", "closure"],
    "stages": ["new", "assessment", "case_plan", "services", "closed"],
    "stage_on_request": {"assessment": "assessment"},
    "stage_on_approval": {"assessment": "case_plan", "case_plan": "services"},
    "closure_requires_approval": True,
    "consent_field": "consent_to_share_with_referral",
    "services_field": "services",
    "incident_from_case": {
        "sex": "survivor_sex",
        "age": "survivor_age",
        "nationality": "survivor_nationality",
        "displacement_status": "survivor_displacement_status",
        "location_current": "survivor_location_current",
        "consent_for_services": "consent_for_services",
        "consent_to_share_with_referral": "consent_to_share_with_referral",
    },
    # Values an incident opened from a case starts with; "$today" is the current date.
    "incident_defaults": {"interview_date": "$today"},
}


@dataclass(frozen=True)
class Workflow:
    record_types: tuple[str, ...] = ()
    approval_types: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    stage_on_request: dict[str, str] = field(default_factory=dict)
    stage_on_approval: dict[str, str] = field(default_factory=dict)
    closure_requires_approval: bool = False
    consent_field: str = ""
    services_field: str = ""
    incident_from_case: dict[str, str] = field(default_factory=dict)
    incident_defaults: dict[str, object] = field(default_factory=dict)

    @property
    def first_stage(self) -> str:
        return self.stages[0] if self.stages else ""

    @property
    def closed_stage(self) -> str:
        return self.stages[-1] if self.stages else ""


def workflow_of(tenant: Tenant) -> Workflow:
    raw = tenant.workflow or {}
    return Workflow(
        record_types=tuple(raw.get("record_types", ())),
        approval_types=tuple(raw.get("approval_types", ())),
        stages=tuple(raw.get("stages", ())),
        stage_on_request=dict(raw.get("stage_on_request", {})),
        stage_on_approval=dict(raw.get("stage_on_approval", {})),
        closure_requires_approval=bool(raw.get("closure_requires_approval", False)),
        consent_field=str(raw.get("consent_field", "")),
        services_field=str(raw.get("services_field", "")),
        incident_from_case=dict(raw.get("incident_from_case", {})),
        incident_defaults=dict(raw.get("incident_defaults", {})),
    )
