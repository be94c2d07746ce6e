"""One field's operators as SQL over a JSONB object (a record's `data`, or a subform entry).

Several operators on one field must all hold. Under a `not`, a condition must be false, never
NULL, where the field has no value: `strict` wraps each in COALESCE (outside a `not`, NULL
already fails the WHERE, and the bare expression keeps the expression indexes usable)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.db.models import Q, Subquery

from backend.locations.models import Location
from backend.records.filtering.catalogue import Operand
from backend.records.filtering.sql import EMPTY_SQL, VALUE_SQL, Sql, json_sql

COMPARISONS = {"eq": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
NEVER = Q(pk__in=[])


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _contains(data: Any, key: str, document: dict[str, Any]) -> Sql:
    return Sql("({} @> {}::jsonb)", data, json.dumps(document))


def _leaf(operand: Operand, op: str, value: Any, data: Any, key: str, tenant_id: int) -> Sql | bool:
    """One operator; True/False where it holds or fails whatever the record holds."""
    if op == "is_null":
        empty = json_sql(EMPTY_SQL, data, key)
        return empty if value else Sql("(NOT {})", empty)
    if operand is Operand.BOOLEAN:
        return _contains(data, key, {key: value})
    if operand is Operand.OPTIONS:
        if op == "all_of":
            return _contains(data, key, {key: sorted(set(value))}) if value else True
        options = sorted(set(value))
        if not options:
            return False
        return Sql(
            "(" + " OR ".join(["({} @> {}::jsonb)"] * len(options)) + ")",
            *[a for v in options for a in (data, json.dumps({key: [v]}))],
        )
    cast = "::numeric" if operand is Operand.NUMBER else ""
    if op == "in":
        if not value:
            return False
        return json_sql(f"({VALUE_SQL[operand]} = ANY({{}}))", data, key, list(value))
    if op == "between":
        low, high = value
        return json_sql(
            f"({VALUE_SQL[operand]} BETWEEN {{}}{cast} AND {{}}{cast})", data, key, low, high
        )
    if op in COMPARISONS:
        return json_sql(f"({VALUE_SQL[operand]} {COMPARISONS[op]} {{}}{cast})", data, key, value)
    if op == "starts_with":
        return json_sql(
            f"(lower({VALUE_SQL[operand]}) LIKE lower({{}}))", data, key, _like_prefix(value)
        )
    if op == "contains":
        return json_sql(f"(strpos(lower({VALUE_SQL[operand]}), lower({{}})) > 0)", data, key, value)
    if op == "within":
        subtree = Location.objects.filter(
            tenant_id=tenant_id,
            path__startswith=Subquery(
                Location.objects.filter(tenant_id=tenant_id, code=value).values("path")[:1]
            ),
        ).values("code")
        return json_sql(f"({VALUE_SQL[operand]} IN {{}})", data, key, Subquery(subtree))
    raise ValueError(op)  # the compiler lets only the operand's operators through


def field_condition(
    operand: Operand,
    ops: Mapping[str, Any],
    data: Any,
    key: str,
    *,
    strict: bool,
    tenant_id: int,
) -> Q | bool:
    """All of `ops` on one field: a Q, or True/False when it does not depend on the record."""
    result: Q | bool = True
    for op, value in ops.items():
        leaf = _leaf(operand, op, value, data, key, tenant_id)
        if leaf is False:
            return False
        if leaf is True:
            continue
        if strict:
            leaf = Sql("COALESCE({}, false)", leaf)
        result = Q(leaf) if isinstance(result, bool) else result & Q(leaf)
    return result


def known_nothing(operand: Operand, ops: Mapping[str, Any]) -> bool:
    """Whether `ops` hold on a field with no value (missing, or hidden from the caller)."""
    for op, value in ops.items():
        if op == "is_null":
            if not value:
                return False
        elif op == "all_of":
            if value:
                return False
        else:
            return False
    return True
