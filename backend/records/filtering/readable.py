"""A field's SQL value where the caller may read it, NULL where they may not.

A field hidden on some records (a referral's forms, a module without its form) counts as
empty there, as filters and sort keys treat it (readability.py): a report's group key or
measure, or an export's count of subform entries, never reads a value its caller could not
read on that record."""

from __future__ import annotations

from django.db.models import Case, Value, When
from django.db.models.expressions import Expression
from django.db.models.fields import Field

from backend.records.filtering.readability import readability
from formengine import FieldPath
from permissions.plan import AccessPlan


def where_readable(
    expression: Expression, paths: list[FieldPath], plan: AccessPlan, output: Field
) -> Expression:
    """`expression` on records where every path is readable, else NULL."""
    wanted = frozenset(paths)
    groups = readability(plan, wanted)
    if len(groups) == 1:
        return expression if wanted <= groups[0].readable else Value(None, output_field=output)
    conditions = [g.where for g in groups if wanted <= g.readable and g.where is not None]
    if not conditions:
        return Value(None, output_field=output)
    condition = conditions[0]
    for where in conditions[1:]:
        condition |= where
    return Case(When(condition, then=expression), default=None, output_field=output)
