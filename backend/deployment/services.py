"""Export a tenant's configuration as one bundle, and import a bundle into a tenant.

An import is validated whole before anything is written: every section's every problem is
collected, and one problem refuses the bundle (nothing applied). A valid bundle applies in
one transaction and bumps the tenant's `config_version` once, so every server process
compiles the new configuration on its next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F

from backend.accounts.models import User
from backend.deployment.bundle import FORMAT, VERSION, ImportContext, Problem, envelope_problems
from backend.deployment.registry import SECTIONS
from backend.deployment.sections.matching import unbroken_matching_rules
from backend.deployment.sections.settings import unbroken_workflow_settings
from backend.error_codes import ErrorCode
from backend.errors import DomainError
from backend.forms.configuration import load_configuration
from backend.records.tasks import schedule_index_sync
from backend.tenancy.context import activate_tenant
from backend.tenancy.models import Tenant
from permissions.actions import require_action


class InvalidConfigurationBundle(DomainError):
    code = ErrorCode.INVALID_CONFIGURATION_BUNDLE

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            f"The bundle has {len(problems)} problem(s); nothing was imported.",
            # Paths are under the mutation's `bundle` argument.
            errors=[{**p.to_dict(), "argument": "bundle"} for p in problems],
        )
        self.problems = problems


@dataclass(frozen=True)
class ImportReport:
    changes: list[str]
    config_version: int


def export_bundle(tenant: Tenant) -> dict[str, Any]:
    bundle: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    for section in SECTIONS:
        bundle[section.name] = section.export(tenant)
    return bundle


def bundle_problems(tenant: Tenant, bundle: Any) -> list[Problem]:
    problems = envelope_problems(bundle, {s.name for s in SECTIONS})
    if not isinstance(bundle, dict):
        return problems
    context = ImportContext(tenant, bundle)
    for section in SECTIONS:
        if section.name in bundle:
            problems += section.validate(context, bundle[section.name])
    return problems


def import_bundle(tenant: Tenant, bundle: Any, *, actor: User | None = None) -> ImportReport:
    """Validate the whole bundle, then apply it, or raise InvalidConfigurationBundle."""
    with transaction.atomic():
        activate_tenant(tenant.pk)
        # One import at a time per tenant: each is checked against what the other wrote.
        tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
        problems = bundle_problems(tenant, bundle)
        if problems:
            raise InvalidConfigurationBundle(problems)
        before = load_configuration(tenant)
        context = ImportContext(tenant, bundle, actor)
        present = [section for section in SECTIONS if section.name in bundle]
        for section in present:
            section.apply(context, bundle[section.name])
        problems = [
            problem
            for section in present
            if section.verify is not None
            for problem in section.verify(context, bundle[section.name])
        ]
        problems += unbroken_workflow_settings(context, before)
        problems += unbroken_matching_rules(context, before)
        if problems:
            raise InvalidConfigurationBundle(problems)  # rolls back what was applied
        if context.changes:
            Tenant.objects.filter(pk=tenant.pk).update(config_version=F("config_version") + 1)
            tenant.refresh_from_db(fields=["config_version"])
            schedule_index_sync(tenant.pk)
        return ImportReport(context.changes, tenant.config_version)


def export_configuration(user: User) -> dict[str, Any]:
    require_action(user, "manage_forms")
    return export_bundle(user.tenant)


def import_configuration(user: User, bundle: Any) -> ImportReport:
    """Import into the user's tenant. Needs `manage_users` too: a bundle carries roles."""
    require_action(user, "manage_forms")
    require_action(user, "manage_users")
    report = import_bundle(user.tenant, bundle, actor=user)
    user.tenant.refresh_from_db()
    return report
