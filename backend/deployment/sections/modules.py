"""`modules`: `[{"key", "label", "record_types": {record type: [form keys]}}]`, each as
`saveModule` takes it. Created or replaced by key; a module the bundle leaves out stays
(records and grants may name it). A module's forms are proved once the bundle's forms apply.
"""

from __future__ import annotations

from typing import Any

from backend.deployment.bundle import ImportContext, Problem, Section, list_problem
from backend.error_codes import ErrorCode
from backend.modules.models import Module
from backend.modules.services import KEY, validate_module
from backend.records.models import Record
from backend.tenancy.models import Tenant


def export(tenant: Tenant) -> list[dict[str, Any]]:
    return [module.document() for module in Module.objects.filter(tenant=tenant).order_by("key")]


def validate(context: ImportContext, modules: Any) -> list[Problem]:
    problems = list_problem("modules", modules)
    seen: set[str] = set()
    for index, module in enumerate(modules if not problems else ()):
        key = module.get("key") if isinstance(module, dict) else None
        if not isinstance(module, dict):
            problems.append(
                Problem(f"modules[{index}]", ErrorCode.INVALID_MODULE, "A module is an object.")
            )
        elif isinstance(key, str) and KEY.match(key) and key in seen:
            problems.append(
                Problem(f"modules[{index}].key", ErrorCode.INVALID_MODULE, f"Module {key!r} twice.")
            )
        seen.add(str(key))
    return problems


def apply(context: ImportContext, modules: list[dict[str, Any]]) -> None:
    stored = {module.key: module for module in Module.objects.filter(tenant=context.tenant)}
    for document in modules:
        module = stored.get(document.get("key", "")) or Module(
            tenant=context.tenant, key=document.get("key", "")
        )
        if module.pk is not None and module.document() == document:
            continue
        module.label = document.get("label")
        module.record_types = document.get("record_types")
        module.save()
        context.changes.append(f"module {module.key}")


def verify(context: ImportContext, modules: list[dict[str, Any]]) -> list[Problem]:
    """Each module against the forms and settings the import leaves; and no record type
    taken out of a module that records of it belong to."""
    problems = []
    for index, document in enumerate(modules):
        problems += [
            Problem(
                f"modules[{index}]{p['path'].removeprefix('$')}",
                ErrorCode.INVALID_MODULE,
                p["message"],
            )
            for p in validate_module(context.tenant, document)
        ]
        kept = set(document.get("record_types") or ())
        in_use = (
            Record.objects.filter(tenant=context.tenant, module=document.get("key"))
            .exclude(record_type__in=kept)
            .values_list("record_type", flat=True)
            .distinct()
        )
        problems += [
            Problem(
                f"modules[{index}].record_types",
                ErrorCode.MODULE_IN_USE,
                f"{record_type} records belong to module {document.get('key')!r}.",
            )
            for record_type in sorted(in_use)
        ]
    return problems


SECTION = Section("modules", export, validate, apply, verify)
