"""`settings`: locales, record types and the workflow configuration of the tenant.

Shape and locales are checked before anything applies; the workflow settings are proved
against the forms the import leaves (`verify`), like `updateTenantSettings` proves them
against the published ones. A bundle without workflow settings may not break the tenant's
(the guard of a publication).
"""

from __future__ import annotations

import re
from typing import Any

from backend.deployment.bundle import ImportContext, Problem, Section, object_problems
from backend.error_codes import ErrorCode
from backend.forms.configuration import TenantConfiguration, load_configuration
from backend.records.models import Record
from backend.tenancy.models import Tenant
from backend.tenancy.settings_service import (
    LOCALE,
    MAX_SMALL_CELL_THRESHOLD,
    valid_small_cell_threshold,
)
from backend.workflows.settings_check import (
    SettingError,
    introduced_errors,
    validate_workflow_settings,
)

RECORD_TYPE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
KEYS = {"default_locale", "locales", "record_types", "workflow", "small_cell_threshold"}


def export(tenant: Tenant) -> dict[str, Any]:
    return {
        "default_locale": tenant.default_locale,
        "locales": list(tenant.locales),
        "record_types": list(tenant.record_types),
        "workflow": tenant.workflow or {},
        "small_cell_threshold": tenant.small_cell_threshold,
    }


def _code_list(path: str, value: Any, pattern: re.Pattern[str], what: str) -> list[Problem]:
    if not isinstance(value, list) or not value:
        return [Problem(path, ErrorCode.INVALID_PROPERTY_VALUE, f"{path} is a non-empty list.")]
    problems = [
        Problem(f"{path}[{i}]", ErrorCode.INVALID_PROPERTY_VALUE, f"{item!r} is not {what}.")
        for i, item in enumerate(value)
        if not isinstance(item, str) or not pattern.match(item)
    ]
    if not problems and len(set(value)) != len(value):
        problems.append(Problem(path, ErrorCode.INVALID_PROPERTY_VALUE, f"{path} repeats itself."))
    return problems


def validate(context: ImportContext, settings: Any) -> list[Problem]:
    problems = object_problems("settings", settings, set(), KEYS)
    if not isinstance(settings, dict):
        return problems
    tenant = context.tenant
    if "locales" in settings:
        problems += _code_list(
            "settings.locales", settings["locales"], LOCALE, "a locale code (en, fr, pt-BR)"
        )
    default = settings.get("default_locale", tenant.default_locale)
    locales = settings.get("locales", tenant.locales)
    if not problems and isinstance(locales, list) and default not in locales:
        problems.append(
            Problem(
                "settings.default_locale",
                ErrorCode.INVALID_PROPERTY_VALUE,
                f"The default locale {default!r} is not one of the locales {locales}.",
            )
        )
    if "record_types" in settings:
        given = settings["record_types"]
        found = _code_list("settings.record_types", given, RECORD_TYPE, "a snake_case name")
        problems += found
        if not found:
            dropped = set(tenant.record_types) - set(given)
            in_use = sorted(
                Record.objects.filter(tenant=tenant, record_type__in=dropped)
                .values_list("record_type", flat=True)
                .distinct()
            )
            problems += [
                Problem(
                    "settings.record_types",
                    ErrorCode.BAD_USER_INPUT,
                    f"This tenant has {rt} records: the record type {rt!r} cannot be removed.",
                )
                for rt in in_use
            ]
    if "small_cell_threshold" in settings and not valid_small_cell_threshold(
        settings["small_cell_threshold"]
    ):
        problems.append(
            Problem(
                "settings.small_cell_threshold",
                ErrorCode.INVALID_PROPERTY_VALUE,
                f"small_cell_threshold is a whole number from 1 to {MAX_SMALL_CELL_THRESHOLD}.",
            )
        )
    if "workflow" in settings and not isinstance(settings["workflow"], dict):
        problems.append(
            Problem("settings.workflow", ErrorCode.INVALID_PROPERTY_VALUE, "workflow is an object.")
        )
    return problems


def apply(context: ImportContext, settings: dict[str, Any]) -> None:
    tenant = context.tenant
    stored = export(tenant)
    changed = [key for key in sorted(KEYS) if key in settings and settings[key] != stored[key]]
    for key in changed:
        setattr(tenant, key, settings[key])
        context.changes.append(f"settings {key}")
    if changed:
        tenant.save(update_fields=changed)


def _problem(error: SettingError, cause: str = "") -> Problem:
    path = ".".join(["settings", "workflow", *error.path])
    return Problem(path, error.code, f"{error.message}{cause}")


def verify(context: ImportContext, settings: dict[str, Any]) -> list[Problem]:
    if "workflow" not in settings:
        return []
    configuration = load_configuration(context.tenant)
    return [_problem(e) for e in validate_workflow_settings(settings["workflow"], configuration)]


def unbroken_workflow_settings(
    context: ImportContext, before: TenantConfiguration
) -> list[Problem]:
    """Where the bundle keeps the tenant's workflow settings, its forms may not break them."""
    if "workflow" in (context.bundle.get("settings") or {}) or not context.tenant.workflow:
        return []
    after = load_configuration(context.tenant)
    return [
        _problem(e, " (the bundle's forms remove or change it)")
        for e in introduced_errors(context.tenant.workflow, before, after)
    ]


SECTION = Section("settings", export, validate, apply, verify)
