"""Form changes may not break the workflow settings: the guard a publication passes."""

from __future__ import annotations

from backend.error_codes import ErrorCode
from backend.errors import DomainError
from backend.forms.configuration import TenantConfiguration, load_configuration
from backend.tenancy.models import Tenant
from backend.workflows.settings_check import broken_by, introduced_errors


class BreaksWorkflowSettings(DomainError):
    code = ErrorCode.BREAKS_WORKFLOW_SETTINGS


def keep_workflow_settings(tenant: Tenant, before: TenantConfiguration, cause: str) -> None:
    """Refuse the forms as the transaction now holds them if they break a setting that held
    under `before`; `cause` ends the sentence "...names `x`, which <cause>"."""
    if not tenant.workflow:
        return
    after = load_configuration(tenant)
    broken = broken_by(introduced_errors(tenant.workflow, before, after), cause)
    if broken:
        raise BreaksWorkflowSettings(
            broken[0].message
            if len(broken) == 1
            else f"This change would break {len(broken)} workflow settings.",
            errors=[{**e.as_dict(), "path": []} for e in broken],
        )
