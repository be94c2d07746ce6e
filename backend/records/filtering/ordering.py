"""Sort keys from an `orderBy` (a list of (stored name, descending)), for one caller.

A field the caller may not read at all is FORBIDDEN_FIELD; on records where it is hidden (a
referral, a module without its form) the key is NULL, as if empty, so that the order of a
page tells nothing of the hidden value."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import BooleanField, Case, DecimalField, TextField, Value, When
from django.db.models.expressions import Expression
from django.db.models.fields import Field

from backend.errors import BadUserInput
from backend.records.filtering.catalogue import SORTABLE_SYSTEM_FIELDS, Catalogue, Operand
from backend.records.filtering.compiler import ForbiddenField, client_path
from backend.records.filtering.readability import readability
from backend.records.filtering.sql import value_expression
from backend.records.filtering.system import system_sort_expression
from backend.records.paging import KeyKind, SortKey
from permissions.plan import AccessPlan

MAX_SORT_KEYS = 5

_KINDS: dict[Operand, tuple[KeyKind, type[Field]]] = {
    Operand.NUMBER: (KeyKind.NUMBER, DecimalField),
    Operand.BOOLEAN: (KeyKind.BOOLEAN, BooleanField),
}
_SYSTEM_KINDS = {"created_at": KeyKind.DATETIME, "updated_at": KeyKind.DATETIME}


def _field_key(name: str, operand: Operand, plan: AccessPlan, descending: bool) -> SortKey:
    kind, output = _KINDS.get(operand, (KeyKind.TEXT, TextField))
    value: Expression = value_expression(operand, name, output=output())
    groups = readability(plan, [(name,)])
    if len(groups) > 1:
        readable = [g.where for g in groups if (name,) in g.readable and g.where is not None]
        if readable:
            condition = readable[0]
            for where in readable[1:]:
                condition |= where
            value = Case(When(condition, then=value), default=None, output_field=output())
        else:
            value = Value(None, output_field=output())
    elif (name,) not in groups[0].readable:
        value = Value(None, output_field=output())
    return SortKey(name, value, kind, descending)


def sort_keys(
    order: Sequence[tuple[str, bool]], catalogue: Catalogue, plan: AccessPlan
) -> list[SortKey]:
    if len(order) > MAX_SORT_KEYS:
        raise BadUserInput(f"orderBy: at most {MAX_SORT_KEYS} keys.", field="orderBy")
    keys = []
    for index, (name, descending) in enumerate(order):
        at = client_path(["order_by", index, name])
        definition = catalogue.fields.get(name)
        if name in catalogue.system and name in SORTABLE_SYSTEM_FIELDS:
            kind = _SYSTEM_KINDS.get(name, KeyKind.TEXT)
            keys.append(SortKey(name, system_sort_expression(name), kind, descending))
        elif definition is not None and definition.sortable:
            if not plan.full_access.may_read(definition.path):
                raise ForbiddenField(f"{at}: you may not read this field.", field=at)
            keys.append(_field_key(name, definition.operand, plan, descending))
        else:
            raise BadUserInput(f"{at}: not a field to sort by.", field=at)
    return keys
