"""`roles`: `[{"code", "name", "scope", "actions", "form_access", "field_rules",
"requires_two_factor", "modules", "dashboard"}]`, checked as `saveRole` checks them. Roles are
created or replaced by code; a role the bundle leaves out stays (users may hold it)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from backend.accounts.models import Role
from backend.administration.services import NAME_LENGTH
from backend.administration.validation import (
    SCOPES,
    check_actions,
    check_code,
    check_field_rules,
    check_form_access,
)
from backend.deployment.bundle import ImportContext, Problem, Section, list_problem, object_problems
from backend.error_codes import ErrorCode
from backend.errors import DomainError
from backend.modules.services import ALL_MODULES
from backend.reports.indicators import check_dashboard
from backend.tenancy.models import Tenant

REQUIRED = {"code", "name", "scope", "actions"}
KEYS = {*REQUIRED, "form_access", "field_rules", "requires_two_factor", "modules", "dashboard"}


def describe(role: Role) -> dict[str, Any]:
    """A role as its bundle entry (`dashboard` only when it has indicators, so bundles from
    before dashboards export as they were)."""
    described = {
        "code": role.code,
        "name": role.name,
        "scope": role.scope,
        "actions": {rt: sorted(set(names)) for rt, names in sorted(role.actions.items())},
        "form_access": dict(sorted(role.form_access.items())),
        "field_rules": {key: sorted(set(tags)) for key, tags in sorted(role.field_rules.items())},
        "requires_two_factor": role.requires_two_factor,
        "modules": sorted(set(role.modules)),
    }
    if role.dashboard:
        described["dashboard"] = list(role.dashboard)
    return described


def export(tenant: Tenant) -> list[dict[str, Any]]:
    return [describe(role) for role in Role.objects.filter(tenant=tenant).order_by("code")]


def _problem(path: str, check: Callable[[Any], object], value: Any) -> list[Problem]:
    try:
        check(value)
    except DomainError as error:
        return [Problem(path, error.code, error.message)]
    return []


def _name(name: Any) -> None:
    if not isinstance(name, str) or not 0 < len(name) <= NAME_LENGTH:
        raise _Invalid(f"name is a text of 1 to {NAME_LENGTH} characters.")


def _scope(scope: Any) -> None:
    if scope not in SCOPES:
        raise _Invalid(f"scope is one of {', '.join(SCOPES)}.")


def _flag(value: Any) -> None:
    if not isinstance(value, bool):
        raise _Invalid("requires_two_factor is true or false.")


def _modules(known: set[str], keys: Any) -> None:
    """Keys of modules the tenant has or the bundle declares, or "*" (every module)."""
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise _Invalid("modules is a list of module keys.")
    unknown = sorted(set(keys) - known - {ALL_MODULES})
    if unknown:
        raise _Invalid(f"No modules {unknown} in the tenant or the bundle.")


class _Invalid(DomainError):
    code = ErrorCode.INVALID_PROPERTY_VALUE


def validate(context: ImportContext, roles: Any) -> list[Problem]:
    problems = list_problem("roles", roles)
    if problems:
        return problems
    # The checks read the tenant's record types: those it will have once settings apply.
    future = Tenant(record_types=context.record_types)
    form_keys = context.form_keys
    seen: set[str] = set()
    for index, role in enumerate(roles):
        path = f"roles[{index}]"
        found = object_problems(path, role, REQUIRED, KEYS)
        problems += found
        if found:
            continue
        code = role["code"]
        checks: list[tuple[str, Callable[[Any], object], Any]] = [
            ("code", lambda c: check_code(c if isinstance(c, str) else "", "code"), code),
            ("name", _name, role["name"]),
            ("scope", _scope, role["scope"]),
            ("actions", partial(check_actions, future), role["actions"]),
            ("form_access", partial(check_form_access, form_keys), role.get("form_access", {})),
            ("field_rules", check_field_rules, role.get("field_rules", {})),
            ("requires_two_factor", _flag, role.get("requires_two_factor", False)),
            ("modules", partial(_modules, context.module_keys), role.get("modules", [])),
            ("dashboard", partial(check_dashboard, future), role.get("dashboard", [])),
        ]
        for key, check, value in checks:
            problems += _problem(f"{path}.{key}", check, value)
        if isinstance(code, str) and code in seen:
            problems.append(
                Problem(f"{path}.code", ErrorCode.BAD_USER_INPUT, f"Role {code!r} is given twice.")
            )
        seen.add(str(code))
    return problems


def apply(context: ImportContext, roles: list[dict[str, Any]]) -> None:
    stored = {role["code"]: role for role in export(context.tenant)}
    for role in roles:
        values = {
            "name": role["name"],
            "scope": role["scope"],
            "actions": {rt: sorted(set(names)) for rt, names in role["actions"].items()},
            "form_access": dict(role.get("form_access", {})),
            "field_rules": {k: sorted(set(v)) for k, v in role.get("field_rules", {}).items()},
            "requires_two_factor": role.get("requires_two_factor", False),
            "modules": sorted(set(role.get("modules", []))),
            "dashboard": list(role.get("dashboard", [])),
        }
        if stored.get(role["code"]) == describe(Role(code=role["code"], **values)):
            continue
        Role.objects.update_or_create(tenant=context.tenant, code=role["code"], defaults=values)
        context.changes.append(f"role {role['code']}")


SECTION = Section("roles", export, validate, apply)
