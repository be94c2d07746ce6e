"""Modules: declaring them (role action `manage_forms`), granting them, and choosing the module
of a new record.

A module is declared as a document, the form a configuration bundle carries too:
`{"key": "cp", "label": {"en": "Child protection"}, "record_types": {"case": [form keys]}}`.
`validate_module` lists every problem of a document at once; `save_module` stores a valid one.
Saving or removing a module bumps the tenant's `config_version`: the AccessPlan reads modules
from the published configuration (backend/forms/configuration.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F

from backend.accounts.models import Role, User
from backend.errors import NotFound
from backend.forms.models import FormDefinition
from backend.modules.errors import (
    InvalidModule,
    ModuleInUse,
    ModuleNotGranted,
    ModuleRequired,
    UnknownModule,
)
from backend.modules.models import Module
from backend.records.models import Record
from backend.tenancy.models import Tenant
from formengine.model import LOCALE_PATTERN
from permissions.actions import require_action, role_allows
from permissions.plan import AccessPlan
from permissions.rules import granted_modules

KEY = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_LOCALE = re.compile(LOCALE_PATTERN)
DOCUMENT_KEYS = frozenset({"key", "label", "record_types"})
ALL_MODULES = "*"


def _problem(path: str, message: str) -> dict[str, str]:
    return {"path": path, "code": "INVALID_MODULE", "message": message}


def _label_problems(tenant: Tenant, label: Any) -> list[dict[str, str]]:
    """Text per locale, one in the default locale. Like form labels, labels in locales the
    tenant does not use (yet) are kept, not refused: a template serves several tenants."""
    if not isinstance(label, dict) or not label:
        return [_problem("$.label", "label is an object of locale code to text")]
    problems = [
        _problem(f"$.label.{locale}", f"{locale!r} is not a locale code (en, fr, pt-BR)")
        for locale in label
        if not isinstance(locale, str) or not _LOCALE.match(locale)
    ]
    problems += [
        _problem(f"$.label.{locale}", "a label is non-empty text")
        for locale, text in label.items()
        if not isinstance(text, str) or not text.strip()
    ]
    if tenant.default_locale not in label:
        problems.append(
            _problem("$.label", f"a label in the default locale {tenant.default_locale!r}")
        )
    return problems


def _form_problems(tenant: Tenant, record_types: Any) -> list[dict[str, str]]:
    if not isinstance(record_types, dict) or not record_types:
        return [_problem("$.record_types", 'record_types is {"case": [form keys], ...}')]
    forms: dict[str, set[str]] = defaultdict(set)
    for key, record_type in FormDefinition.objects.filter(tenant=tenant).values_list(
        "key", "record_type"
    ):
        forms[record_type].add(key)
    problems = []
    for record_type, keys in record_types.items():
        where = f"$.record_types.{record_type}"
        if record_type not in tenant.record_types:
            problems.append(
                _problem(where, f"unknown record type; this tenant has {tenant.record_types}")
            )
            continue
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
            problems.append(_problem(where, "a non-empty list of form keys"))
            continue
        seen: set[str] = set()
        for index, key in enumerate(keys):
            if key in seen:
                problems.append(_problem(f"{where}[{index}]", f"form {key!r} listed twice"))
            elif key not in forms[record_type]:
                problems.append(
                    _problem(
                        f"{where}[{index}]", f"no {record_type} form {key!r} (draft or published)"
                    )
                )
            seen.add(key)
    return problems


def validate_module(tenant: Tenant, document: Any) -> list[dict[str, str]]:
    """Every problem of a module document (`path` in the document, `code`, `message`);
    empty when it may be saved."""
    if not isinstance(document, dict):
        return [_problem("$", "a module is a JSON object")]
    problems = [_problem(f"$.{k}", "unknown property") for k in document if k not in DOCUMENT_KEYS]
    key = document.get("key")
    if not isinstance(key, str) or not KEY.match(key):
        problems.append(_problem("$.key", "a snake_case key of at most 63 characters"))
    problems += _label_problems(tenant, document.get("label"))
    problems += _form_problems(tenant, document.get("record_types"))
    return problems


def _bump_configuration(tenant: Tenant) -> None:
    Tenant.objects.filter(pk=tenant.pk).update(config_version=F("config_version") + 1)
    tenant.refresh_from_db(fields=["config_version"])


def _require_unused(tenant: Tenant, key: str, record_types: Iterable[str] | None = None) -> None:
    """MODULE_IN_USE when records (of `record_types`, or of any type) belong to the module."""
    records = Record.objects.filter(tenant=tenant, module=key)
    if record_types is not None:
        records = records.filter(record_type__in=list(record_types))
    used = sorted(set(records.values_list("record_type", flat=True).distinct()))
    if used:
        raise ModuleInUse(
            f"Records of {', '.join(used)} belong to module {key!r}.",
            field="key",
            recordTypes=used,
        )


def save_module(actor: User, document: Any) -> Module:
    """Create or replace a module. A record type that records of the module belong to
    cannot be taken out of it (MODULE_IN_USE)."""
    require_action(actor, "manage_forms")
    tenant = actor.tenant
    problems = validate_module(tenant, document)
    if problems:
        raise InvalidModule(f"The module has {len(problems)} error(s).", errors=problems)
    with transaction.atomic():
        module = (
            Module.objects.select_for_update().filter(tenant=tenant, key=document["key"]).first()
        )
        if module is None:
            module = Module(tenant=tenant, key=document["key"])
        else:
            _require_unused(
                tenant, module.key, set(module.record_types) - set(document["record_types"])
            )
        module.label = document["label"]
        module.record_types = {rt: list(keys) for rt, keys in document["record_types"].items()}
        module.save()
        _bump_configuration(tenant)
        return module


def remove_module(actor: User, key: str) -> None:
    """Remove a module no record belongs to, and take it out of every grant."""
    require_action(actor, "manage_forms")
    tenant = actor.tenant
    with transaction.atomic():
        module = Module.objects.select_for_update().filter(tenant=tenant, key=key).first()
        if module is None:
            raise NotFound(f"No module {key!r}.", field="key")
        _require_unused(tenant, key)
        module.delete()
        for model in (Role, User):
            for holder in model.objects.filter(tenant=tenant, modules__contains=[key]):
                holder.modules = [m for m in holder.modules if m != key]
                holder.save(update_fields=["modules"])
        _bump_configuration(tenant)


def list_modules(actor: User) -> list[Module]:
    """Every module for those who manage forms; the modules granted to anyone else."""
    modules = Module.objects.filter(tenant_id=actor.tenant_id).order_by("key")
    if role_allows(actor, "manage_forms"):
        return list(modules)
    granted = granted_modules(actor)
    return [m for m in modules if ALL_MODULES in granted or m.key in granted]


def check_grants(tenant: Tenant, keys: Any, *, field: str = "modules") -> list[str]:
    """Module keys to grant (a role may have "*": every module); UNKNOWN_MODULE otherwise."""
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise UnknownModule("modules is a list of module keys.", field=field)
    known = set(Module.objects.filter(tenant=tenant).values_list("key", flat=True))
    unknown = sorted(set(keys) - known - {ALL_MODULES})
    if unknown:
        raise UnknownModule(f"No modules {unknown}.", field=field, modules=unknown)
    return sorted(set(keys))


def granted_module(plan: AccessPlan, key: str) -> str:
    """`key`, when it is a module of the plan's record type granted to the user."""
    if key not in plan.modules:
        label = plan.record_type.replace("_", " ")
        raise UnknownModule(f"No module {key!r} for {label} records.", field="module")
    if key not in plan.granted:
        raise ModuleNotGranted(f"Module {key!r} is not granted to you.", field="module")
    return key


def module_for_new_record(plan: AccessPlan, requested: str | None) -> str | None:
    """The module a record the user creates belongs to: the one requested, or the only one
    the user is granted for the record type; None where the type has no modules."""
    label = plan.record_type.replace("_", " ")
    if requested is not None:
        return granted_module(plan, requested)
    if not plan.modules:
        return None
    if len(plan.granted) == 1:
        return next(iter(plan.granted))
    if not plan.granted:
        raise ModuleNotGranted(f"No module of {label} records is granted to you.", field="module")
    raise ModuleRequired(
        f"Name the module of the {label}: one of {sorted(plan.granted)}.",
        field="module",
        modules=sorted(plan.granted),
    )
