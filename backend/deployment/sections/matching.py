"""`matching_rules`: the tenant's matching rules, the document `saveMatchingRules` takes.

Replaced whole when present (the blocking keys are rebuilt after the import commits) and
proved against the forms the import leaves. A bundle without matching rules may not
remove a field the tenant's rules compare (the guard of a publication).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from backend.deployment.bundle import ImportContext, Problem, Section, object_problems
from backend.error_codes import ErrorCode
from backend.forms.configuration import TenantConfiguration, load_configuration
from backend.matching.guard import introduced_problems
from backend.matching.models import MatchingRules
from backend.matching.rules import Problems, read_rules
from backend.matching.tasks import rebuild_match_keys
from backend.tenancy.models import Tenant

NAME = "matching_rules"


def export(tenant: Tenant) -> dict[str, Any]:
    row = MatchingRules.objects.filter(tenant=tenant).values_list("document", flat=True).first()
    return dict(row) if row else {"pairs": []}


def validate(context: ImportContext, rules: Any) -> list[Problem]:
    return object_problems(NAME, rules, {"pairs"}, {"pairs"})


def apply(context: ImportContext, rules: dict[str, Any]) -> None:
    if rules == export(context.tenant):
        return
    MatchingRules.objects.update_or_create(tenant=context.tenant, defaults={"document": rules})
    context.changes.append(NAME)
    tenant_id = context.tenant.pk
    transaction.on_commit(lambda: rebuild_match_keys.delay(tenant_id), robust=True)


def _problems(found: Problems, suffix: str = "") -> list[Problem]:
    def path(parts: list[str]) -> str:
        return NAME + "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in parts[1:])

    return [Problem(path(p["path"]), p["code"], p["message"] + suffix) for p in found]


def verify(context: ImportContext, rules: dict[str, Any]) -> list[Problem]:
    return _problems(read_rules(rules, load_configuration(context.tenant))[1])


def unbroken_matching_rules(context: ImportContext, before: TenantConfiguration) -> list[Problem]:
    """Where the bundle keeps the tenant's matching rules, its forms may not remove a field
    they compare."""
    if NAME in context.bundle:
        return []
    stored = MatchingRules.objects.filter(tenant=context.tenant).values_list("document", flat=True)
    document = stored.first()
    if not document:
        return []
    after = load_configuration(context.tenant)
    return [
        Problem(p.path, ErrorCode.BREAKS_MATCHING_RULES, p.message)
        for p in _problems(
            introduced_problems(document, before, after), " (the bundle's forms remove it)"
        )
    ]


SECTION = Section(NAME, export, validate, apply, verify)
