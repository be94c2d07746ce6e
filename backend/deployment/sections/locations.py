"""`locations`: the tenant's location registry, `[{"code", "parent_code", "admin_level",
"names": {locale: name}}]`, parents before children, as `importLocations` takes it. Codes
are kept; rows change names, parents and levels; a location the bundle leaves out stays."""

from __future__ import annotations

from typing import Any

from backend.deployment.bundle import ImportContext, Problem, Section, list_problem, object_problems
from backend.locations.services import export_locations, import_locations, location_problems
from backend.tenancy.models import Tenant

KEYS = {"code", "parent_code", "admin_level", "names"}


def validate(context: ImportContext, locations: Any) -> list[Problem]:
    problems = list_problem("locations", locations)
    if problems:
        return problems
    for index, row in enumerate(locations):
        problems += object_problems(f"locations[{index}]", row, {"code", "admin_level"}, KEYS)
    if problems:
        return problems
    return [
        Problem(f"locations[{error.row - 1}].{error.column}", error.code, error.message)
        for error in location_problems(context.tenant, locations)
    ]


def apply(context: ImportContext, locations: list[dict[str, Any]]) -> None:
    result = import_locations(context.tenant, locations)
    if result.created or result.updated:
        context.changes.append(f"locations: {result.created} created, {result.updated} updated")


def _export(tenant: Tenant) -> list[dict[str, Any]]:
    return export_locations(tenant)


SECTION = Section("locations", _export, validate, apply)
