"""Calculated fields: their syntax, the order they are computed in, and their computation.

    {"name": "age_years", "type": "calculated",
     "calculate": {"op": "years_between", "args": ["date_of_birth", "$today"]}}
    {"name": "total", "type": "calculated", "calculate": {"op": "sum", "args": ["a", "b"]}}
    {"name": "siblings_count", "type": "calculated",
     "calculate": {"op": "count", "args": ["siblings"]}}
    {"name": "siblings_age_sum", "type": "calculated",
     "calculate": {"op": "sum", "args": ["siblings.sibling_age"], "result": "integer"}}

Operators:
- `sum`, `avg`, `min`, `max`: one or more numeric inputs (integer, decimal or calculated
  fields, or `subform.field` for every entry of a subform). Missing values are skipped; with
  no value at all the result is empty.
- `count`: one or more inputs; a subform counts its entries, `subform.field` the entries
  where that field has a value, any other field 1 when it has a value. With no input
  present at all (no entries, no values) the result is empty, not 0.
- `years_between`: two date or datetime inputs or `$today`; whole years from the first to the
  second (an age); empty if either is missing.

`result` is `integer` or `decimal`; it defaults to `integer` for `count` and
`years_between` and to `decimal` otherwise, and may be `integer` for `sum`, `min` and `max`
only when every input is an integer. A name resolves in the innermost scope first: inside a
subform entry, the entry's fields, then the record's.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from formengine.model import FieldDefinition, FieldType, ValueKind

CALCULATION_OPERATORS: tuple[str, ...] = ("sum", "avg", "min", "max", "count", "years_between")
NUMERIC_OPERATORS = frozenset({"sum", "avg", "min", "max"})
TODAY = "$today"
DEFAULT_RESULT: dict[str, ValueKind] = {
    "sum": ValueKind.DECIMAL,
    "avg": ValueKind.DECIMAL,
    "min": ValueKind.DECIMAL,
    "max": ValueKind.DECIMAL,
    "count": ValueKind.INTEGER,
    "years_between": ValueKind.INTEGER,
}
RESULT_KINDS = (ValueKind.INTEGER, ValueKind.DECIMAL)

FieldPath = tuple[str, ...]  # ("siblings", "sibling_age"): a field inside a subform


@dataclass(frozen=True, slots=True)
class Scope:
    """The fields visible at one nesting level: the record, or a subform's entries."""

    path: FieldPath
    fields: Mapping[str, FieldDefinition]


@dataclass(frozen=True, slots=True)
class CalculationInput:
    """A resolved argument: a field, or a field of every entry of a subform (`aggregated`)."""

    field: FieldDefinition
    path: FieldPath
    scope_index: int  # which of the scopes it was found in, innermost first
    subform: FieldDefinition | None = None

    @property
    def aggregated(self) -> bool:
        return self.subform is not None


def resolve_input(reference: str, scopes: Sequence[Scope]) -> CalculationInput | None:
    """Resolve `name` or `subform.name` innermost scope first; None when unknown."""
    head, _, tail = reference.partition(".")
    for index, scope in enumerate(scopes):
        found = scope.fields.get(head)
        if found is None:
            continue
        if not tail:
            return CalculationInput(found, (*scope.path, head), index)
        child = found.field(tail) if found.type == FieldType.SUBFORM else None
        if child is None or "." in tail:
            return None
        return CalculationInput(child, (*scope.path, head, tail), index, subform=found)
    return None


def nested_scopes(
    scopes: Sequence[Scope], subform: FieldDefinition, path: FieldPath
) -> list[Scope]:
    return [Scope(path, {f.name: f for f in subform.fields}), *scopes]


def iter_calculated(
    fields: Sequence[FieldDefinition], scopes: Sequence[Scope] = ()
) -> Iterator[tuple[FieldDefinition, FieldPath, list[Scope]]]:
    """Every calculated field at any depth, with its path and its resolution scopes."""
    path = scopes[0].path if scopes else ()
    if not scopes:
        scopes = [Scope((), {f.name: f for f in fields})]
    for definition in fields:
        if definition.calculate is not None:
            yield definition, (*path, definition.name), list(scopes)
        if definition.type == FieldType.SUBFORM:
            sub_path = (*path, definition.name)
            yield from iter_calculated(
                definition.fields, nested_scopes(scopes, definition, sub_path)
            )


def dependency_graph(fields: Sequence[FieldDefinition]) -> dict[FieldPath, list[FieldPath]]:
    """Calculated field -> the calculated fields it reads (unknown inputs are ignored)."""
    graph: dict[FieldPath, list[FieldPath]] = {}
    for definition, path, scopes in iter_calculated(fields):
        assert definition.calculate is not None
        graph[path] = [
            resolved.path
            for arg in definition.calculate.args
            if arg != TODAY
            and (resolved := resolve_input(arg, scopes)) is not None
            and resolved.field.calculate is not None
        ]
    return graph


def calculation_inputs(fields: Sequence[FieldDefinition]) -> dict[FieldPath, list[FieldPath]]:
    """Calculated field -> the paths of every field it reads (`$today` and unknowns left out).

    An aggregated input (`siblings.sibling_age`) is the child's path under its subform.
    """
    inputs: dict[FieldPath, list[FieldPath]] = {}
    for definition, path, scopes in iter_calculated(fields):
        assert definition.calculate is not None
        inputs[path] = [
            resolved.path
            for arg in definition.calculate.args
            if arg != TODAY and (resolved := resolve_input(arg, scopes)) is not None
        ]
    return inputs


def find_cycles(graph: Mapping[FieldPath, Sequence[FieldPath]]) -> list[list[FieldPath]]:
    """Each cycle once, as the list of its nodes in dependency order."""
    cycles: list[list[FieldPath]] = []
    done: set[FieldPath] = set()
    stack: list[FieldPath] = []

    def visit(node: FieldPath) -> None:
        if node in done:
            return
        if node in stack:
            cycles.append(stack[stack.index(node) :])
            return
        stack.append(node)
        for target in graph.get(node, ()):
            visit(target)
        stack.pop()
        done.add(node)

    for start in graph:
        visit(start)
    return cycles


def calculation_order(fields: Sequence[FieldDefinition]) -> list[FieldPath]:
    """Calculated fields in an order where every input is computed before it is read."""
    graph = dependency_graph(fields)
    ordered: list[FieldPath] = []
    seen: set[FieldPath] = set()

    def visit(node: FieldPath) -> None:
        if node in seen:
            return
        seen.add(node)  # before recursing: a (rejected) cycle must not recurse forever
        for target in graph.get(node, ()):
            visit(target)
        ordered.append(node)

    for node in graph:
        visit(node)
    return ordered


def apply_calculations(
    fields: Sequence[FieldDefinition], data: dict[str, Any], today: dt.date
) -> None:
    """Compute every calculated field in place, subform entries included."""
    by_path = {path: (d, scopes) for d, path, scopes in iter_calculated(fields)}
    for path in calculation_order(fields):
        definition, scopes = by_path[path]
        _apply_at(definition, scopes, path, [data], today)


def _apply_at(
    definition: FieldDefinition,
    scopes: Sequence[Scope],
    path: FieldPath,
    data_scopes: list[dict[str, Any]],
    today: dt.date,
) -> None:
    if len(path) == 1:
        value = compute(definition, scopes, data_scopes, today)
        if value is None:
            data_scopes[0].pop(definition.name, None)
        else:
            data_scopes[0][definition.name] = value
        return
    entries = data_scopes[0].get(path[0])
    for entry in entries if isinstance(entries, list) else ():
        if isinstance(entry, dict):
            _apply_at(definition, scopes, path[1:], [entry, *data_scopes], today)


def compute(
    definition: FieldDefinition,
    scopes: Sequence[Scope],
    data_scopes: Sequence[Mapping[str, Any]],
    today: dt.date,
) -> int | float | None:
    """The value of one calculated field given the data of its scopes (innermost first)."""
    calculation = definition.calculate
    assert calculation is not None
    if calculation.op == "years_between":
        start, end = (_date_argument(arg, scopes, data_scopes, today) for arg in calculation.args)
        if start is None or end is None:
            return None
        return end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    if calculation.op == "count":
        counts = [_count(arg, scopes, data_scopes) for arg in calculation.args]
        present = [count for count in counts if count is not None]
        return sum(present) if present else None
    numbers = [
        number
        for arg in calculation.args
        for number in _values(arg, scopes, data_scopes)
        if isinstance(number, int | float) and not isinstance(number, bool)
    ]
    if not numbers:
        return None
    result: float
    if calculation.op == "sum":
        result = math.fsum(numbers)
    elif calculation.op == "avg":
        result = math.fsum(numbers) / len(numbers)
    elif calculation.op == "min":
        result = min(numbers)
    else:
        result = max(numbers)
    if calculation.result == ValueKind.INTEGER:
        return int(result)
    return round(float(result), 10)


def _values(
    arg: str, scopes: Sequence[Scope], data_scopes: Sequence[Mapping[str, Any]]
) -> list[Any]:
    resolved = resolve_input(arg, scopes)
    if resolved is None:
        return []
    owner = data_scopes[resolved.scope_index]
    if not resolved.aggregated:
        return [owner.get(resolved.field.name)]
    assert resolved.subform is not None
    entries = owner.get(resolved.subform.name)
    if not isinstance(entries, list):
        return []
    return [entry.get(resolved.field.name) for entry in entries if isinstance(entry, Mapping)]


def _count(
    arg: str, scopes: Sequence[Scope], data_scopes: Sequence[Mapping[str, Any]]
) -> int | None:
    """What one input adds to a count; None when the input is absent from the data."""
    resolved = resolve_input(arg, scopes)
    values = _values(arg, scopes, data_scopes)
    if resolved is None or not values:
        return None
    if not resolved.aggregated and resolved.field.type == FieldType.SUBFORM:
        return len(values[0]) if isinstance(values[0], list) and values[0] else None
    filled = sum(1 for value in values if value not in (None, "", [], {}))
    return filled if resolved.aggregated or filled else None


def _date_argument(
    arg: str, scopes: Sequence[Scope], data_scopes: Sequence[Mapping[str, Any]], today: dt.date
) -> dt.date | None:
    if arg == TODAY:
        return today
    values = _values(arg, scopes, data_scopes)
    value = values[0] if values else None
    if not isinstance(value, str):
        return None
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
        return dt.datetime.fromisoformat(value).astimezone(dt.UTC).date()
    except ValueError:
        return None
