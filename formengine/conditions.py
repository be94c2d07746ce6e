"""Display conditions (`visible_if`): the expression tree, its JSON form and its evaluation.

JSON syntax, the same for clients and server:

    {"eq": ["field", literal]}   also ne, gt, ge, lt, le
    {"in": ["field", [literal, ...]]}
    {"and": [cond, ...]}   {"or": [cond, ...]}   {"not": cond}

The first operand of a comparison is always a field name, the second a JSON literal.
Semantics, chosen so that a missing answer never shows a follow-up question by accident:
- a missing value equals `null`: `{"eq": ["x", null]}` is "x is empty"; `ne` is its negation;
- `gt ge lt le` are false when the value is missing or not comparable with the literal
  (dates and datetimes compare as ISO strings after parsing);
- for a list value (multi_select), `eq` means "contains", `ne` "does not contain" and `in`
  "contains any of";
- `in` on a single value is membership.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

COMPARISON_OPERATORS = ("eq", "ne", "gt", "ge", "lt", "le", "in")
ORDERING_OPERATORS = ("gt", "ge", "lt", "le")
JUNCTION_OPERATORS = ("and", "or")
NEGATION_OPERATOR = "not"
CONDITION_OPERATORS = (*COMPARISON_OPERATORS, *JUNCTION_OPERATORS, NEGATION_OPERATOR)


@dataclass(frozen=True, slots=True)
class Comparison:
    op: str
    field: str
    value: Any  # a JSON literal; a tuple of literals for `in`


@dataclass(frozen=True, slots=True)
class Junction:
    op: str  # "and" | "or"
    operands: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Negation:
    operand: Condition


Condition = Comparison | Junction | Negation


class ConditionSyntaxError(ValueError):
    """Raised by `parse_condition` on a malformed expression (definition validation reports
    the same problems as errors with paths; this is for callers that parse unchecked input)."""


def parse_condition(expr: Any) -> Condition:
    if not isinstance(expr, Mapping) or len(expr) != 1:
        raise ConditionSyntaxError("a condition is an object with exactly one operator")
    ((op, operand),) = expr.items()
    if op in COMPARISON_OPERATORS:
        if not (isinstance(operand, list | tuple) and len(operand) == 2):
            raise ConditionSyntaxError(f"'{op}' takes [field, value]")
        field, value = operand
        if not isinstance(field, str):
            raise ConditionSyntaxError(f"the first operand of '{op}' is a field name")
        if op == "in":
            if not isinstance(value, list | tuple):
                raise ConditionSyntaxError("the second operand of 'in' is a list")
            value = tuple(value)
        return Comparison(op, field, value)
    if op in JUNCTION_OPERATORS:
        if not isinstance(operand, list | tuple) or not operand:
            raise ConditionSyntaxError(f"'{op}' takes a non-empty list of conditions")
        return Junction(op, tuple(parse_condition(item) for item in operand))
    if op == NEGATION_OPERATOR:
        return Negation(parse_condition(operand))
    raise ConditionSyntaxError(f"unknown operator '{op}'")


def condition_to_json(condition: Condition) -> dict[str, Any]:
    match condition:
        case Comparison(op=op, field=field, value=value):
            return {op: [field, list(value) if op == "in" else value]}
        case Junction(op=op, operands=operands):
            return {op: [condition_to_json(item) for item in operands]}
        case Negation(operand=operand):
            return {NEGATION_OPERATOR: condition_to_json(operand)}
    raise TypeError(f"not a condition: {condition!r}")


def condition_fields(condition: Condition) -> tuple[str, ...]:
    """Names of the fields a condition reads, in order of appearance."""
    match condition:
        case Comparison(field=field):
            return (field,)
        case Junction(operands=operands):
            return tuple(name for item in operands for name in condition_fields(item))
        case Negation(operand=operand):
            return condition_fields(operand)
    raise TypeError(f"not a condition: {condition!r}")


def evaluate_condition(
    condition: Condition | Mapping[str, Any], data: Mapping[str, Any] | Sequence[Mapping[str, Any]]
) -> bool:
    """Evaluate a condition against record data.

    `data` is the flat record data, or a sequence of scopes searched innermost first (for a
    field inside a subform entry: the entry, then the record).
    """
    if isinstance(condition, Mapping):
        condition = parse_condition(condition)
    scopes = [data] if isinstance(data, Mapping) else list(data)
    return _evaluate(condition, scopes)


def _lookup(name: str, scopes: Sequence[Mapping[str, Any]]) -> Any:
    for scope in scopes:
        if name in scope:
            return scope[name]
    return None


def _evaluate(condition: Condition, scopes: Sequence[Mapping[str, Any]]) -> bool:
    match condition:
        case Junction(op="and", operands=operands):
            return all(_evaluate(item, scopes) for item in operands)
        case Junction(operands=operands):
            return any(_evaluate(item, scopes) for item in operands)
        case Negation(operand=operand):
            return not _evaluate(operand, scopes)
        case Comparison(op=op, field=field, value=literal):
            return _compare(op, _lookup(field, scopes), literal)
    raise TypeError(f"not a condition: {condition!r}")


def _compare(op: str, value: Any, literal: Any) -> bool:
    if value == "" or value == []:
        value = None
    if isinstance(value, list):
        if op == "eq":
            return literal in value
        if op == "ne":
            return literal not in value
        if op == "in":
            return any(item in literal for item in value)
        return False
    if op == "eq":
        return _same(value, literal)
    if op == "ne":
        return not _same(value, literal)
    if op == "in":
        return any(_same(value, item) for item in literal)
    left, right = _orderable(value), _orderable(literal)
    if left is None or right is None:
        return False
    if isinstance(left, dt.datetime) != isinstance(right, dt.datetime):
        # A datetime compared with a date compares by its (UTC) day.
        left, right = _day(left), _day(right)
    if isinstance(left, float) != isinstance(right, float):
        return False
    return bool(_ORDERINGS[op](left, right))


_ORDERINGS: dict[str, Callable[[Any, Any], Any]] = {
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}


def _day(value: float | dt.date) -> float | dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _same(value: Any, literal: Any) -> bool:
    # JSON has no separate bool and int, Python does: True must not equal 1.
    if isinstance(value, bool) or isinstance(literal, bool):
        return value is literal
    return bool(value == literal)


def _orderable(value: Any) -> float | dt.date | dt.datetime | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            if len(value) == 10:
                return dt.date.fromisoformat(value)
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed.astimezone(dt.UTC) if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return None
