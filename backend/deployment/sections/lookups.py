"""`lookups`: option lists, `[{"key": "sex", "options": [...]}]`, checked as `saveLookup` checks
them. A lookup is never removed, and options left out stay, disabled: old values keep reading."""

from __future__ import annotations

from typing import Any

from backend.deployment.bundle import (
    KEY,
    ImportContext,
    Problem,
    Section,
    list_problem,
    object_problems,
)
from backend.error_codes import ErrorCode
from backend.forms.models import Lookup
from backend.forms.services import store_lookup
from backend.tenancy.models import Tenant
from formengine import validate_lookup


def export(tenant: Tenant) -> list[dict[str, Any]]:
    return [
        {"key": lookup.key, "options": lookup.options}
        for lookup in Lookup.objects.filter(tenant=tenant).order_by("key")
    ]


def validate(context: ImportContext, lookups: Any) -> list[Problem]:
    problems = list_problem("lookups", lookups)
    if problems:
        return problems
    seen: set[str] = set()
    for index, item in enumerate(lookups):
        path = f"lookups[{index}]"
        found = object_problems(path, item, {"key", "options"}, {"key", "options"})
        problems += found
        if found:
            continue
        key, options = item["key"], item["options"]
        if not isinstance(key, str) or not KEY.match(key):
            problems.append(
                Problem(f"{path}.key", ErrorCode.BAD_USER_INPUT, "A lookup key is snake_case.")
            )
        elif key in seen:
            problems.append(
                Problem(f"{path}.key", ErrorCode.BAD_USER_INPUT, f"Lookup {key!r} is given twice.")
            )
        seen.add(key if isinstance(key, str) else "")
        if not isinstance(options, list):
            problems.append(
                Problem(f"{path}.options", ErrorCode.INVALID_PROPERTY_VALUE, "options is a list.")
            )
            continue
        problems += [
            Problem(f"{path}.options{e.path.removeprefix('$')}", e.code, e.message)
            for e in validate_lookup(options)
        ]
    return problems


def apply(context: ImportContext, lookups: list[dict[str, Any]]) -> None:
    stored = {lookup["key"]: lookup["options"] for lookup in export(context.tenant)}
    for item in lookups:
        if stored.get(item["key"]) != item["options"]:
            store_lookup(context.tenant, item["key"], item["options"])
            context.changes.append(f"lookup {item['key']}")


SECTION = Section("lookups", export, validate, apply)
