"""On which records each field is readable, for one caller.

A caller reads a record with the plan's full access, or less: on a record of a module only the
module's fields, on a record referred to them only the shared forms' fields. A condition on a
field must not match, and a sort key must not order by, a value hidden on that record: the
compiler treats the field as empty there. Records fall into a few access classes (module x
in scope or referred with some forms); classes alike for the fields a filter names are merged,
so that the usual case (every class reads them) needs no class condition at all."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from formengine import FieldPath
from permissions.plan import AccessPlan, RecordAccess


@dataclass(frozen=True)
class Readability:
    """`where` (None: every visible record) is the set of records that read exactly
    `readable` of the paths asked about."""

    readable: frozenset[FieldPath]
    where: Q | None


def _classes(plan: AccessPlan) -> list[tuple[RecordAccess, Q]]:
    modules: list[tuple[str | None, Q]] = [(None, Q())]
    if plan.modules:
        modules = [(None, Q(module__isnull=True))] + [
            (m, Q(module=m)) for m in sorted(plan.granted)
        ]
    by_forms: dict[frozenset[str], list[str]] = {}
    for record_id, forms in plan.referrals.items():
        by_forms.setdefault(forms, []).append(record_id)
    classes = []
    for module, in_module in modules:
        within = plan.module_access(module)
        classes.append((within, in_module & plan.scope))
        for forms, ids in by_forms.items():
            referred = in_module & Q(pk__in=sorted(ids)) & ~plan.scope
            classes.append((plan.shared_access(within, forms), referred))
    return classes


def readability(plan: AccessPlan, paths: Iterable[FieldPath]) -> list[Readability]:
    wanted = frozenset(paths)
    groups: dict[frozenset[FieldPath], Q] = {}
    for access, where in _classes(plan):
        readable = frozenset(p for p in wanted if access.may_read(p))
        groups[readable] = groups[readable] | where if readable in groups else where
    if len(groups) == 1:
        return [Readability(next(iter(groups)), None)]
    return [Readability(readable, where) for readable, where in groups.items()]
