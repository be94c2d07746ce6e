"""Checks that span fields and forms: unique names, conditions and calculations.

They work on parsed fields ("sites", each with the JSON path it came from), so that a field
with a broken property still takes part in the name and reference checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from formengine.calculations import (
    NUMERIC_OPERATORS,
    TODAY,
    FieldPath,
    Scope,
    dependency_graph,
    find_cycles,
    nested_scopes,
    resolve_input,
)
from formengine.conditions import (
    COMPARISON_OPERATORS,
    JUNCTION_OPERATORS,
    NEGATION_OPERATOR,
    ORDERING_OPERATORS,
)
from formengine.errors import DefinitionCode as Code
from formengine.errors import DefinitionError
from formengine.model import (
    FIELD_TYPES,
    NUMERIC_KINDS,
    OPTION_TYPES,
    TEMPORAL_KINDS,
    FieldDefinition,
    FieldType,
    FormDefinition,
    ValueKind,
    describe_type,
    graphql_name,
    is_valid_name,
    value_kind,
)
from formengine.parse import LookupOptions


@dataclass(frozen=True, slots=True)
class FieldSite:
    definition: FieldDefinition
    path: str
    raw: Mapping[str, Any]
    children: tuple[FieldSite, ...]


@dataclass(frozen=True, slots=True)
class FormSite:
    form: FormDefinition
    path: str
    fields: tuple[FieldSite, ...]


def check_references(
    forms: Sequence[FormSite], lookups: Mapping[str, LookupOptions] | None
) -> list[DefinitionError]:
    top_sites = [site for form in forms for site in form.fields]
    owners = {id(site): form for form in forms for site in form.fields}
    errors = _check_names(top_sites, "a form", owners)
    first_sites: dict[str, FieldSite] = {}
    for site in top_sites:
        first_sites.setdefault(site.definition.name, site)
    top_fields = [site.definition for site in first_sites.values()]
    site_by_path: dict[FieldPath, FieldSite] = {}
    errors += _check_sites(
        top_sites, [Scope((), {f.name: f for f in top_fields})], lookups, site_by_path
    )
    for cycle in find_cycles(dependency_graph(top_fields)):
        names = " -> ".join(".".join(node) for node in [*cycle, cycle[0]])
        errors += [
            DefinitionError(
                f"{site_by_path[node].path}.calculate",
                Code.CALCULATION_CYCLE,
                f"calculations depend on each other in a cycle: {names}",
            )
            for node in cycle
            if node in site_by_path
        ]
    return errors


def _check_names(
    sites: Sequence[FieldSite], scope: str, owners: Mapping[int, FormSite] | None = None
) -> list[DefinitionError]:
    """Unique names within `scope`; with `owners` (site -> its form, for the top level of a
    record type), a name on several forms is one shared field, defined alike on each."""
    errors: list[DefinitionError] = []
    first: dict[str, FieldSite] = {}
    camel: dict[str, FieldSite] = {}
    for site in sites:
        name = site.definition.name
        if not is_valid_name(name):
            continue
        if name in first and owners and owners[id(site)] is not owners[id(first[name])]:
            errors += _check_shared(site, first[name], owners[id(first[name])].form.key)
            continue
        if name in first:
            errors.append(
                DefinitionError(
                    f"{site.path}.name",
                    Code.DUPLICATE_FIELD_NAME,
                    f"field name '{name}' is already used at {first[name].path}; "
                    f"names are unique within {scope}",
                )
            )
            continue
        first[name] = site
        other = camel.setdefault(graphql_name(name), site)
        if other is not site:
            errors.append(
                DefinitionError(
                    f"{site.path}.name",
                    Code.GRAPHQL_NAME_COLLISION,
                    f"'{name}' and '{other.definition.name}' (at {other.path}) both become "
                    f"'{graphql_name(name)}' in GraphQL",
                )
            )
    for site in sites:
        if site.children:
            errors += _check_names(site.children, f"subform '{site.definition.name}'")
    return errors


# A field shown on several forms holds one value: only how each form shows it may differ.
DISPLAY_PROPERTIES = ("label", "help", "hidden")


def _shape(raw: Mapping[str, Any]) -> dict[str, Any]:
    """What a field's value depends on: every property but the display ones, option ids
    as a set (labels and order are display), entry fields by name."""
    shape = {key: value for key, value in raw.items() if key not in DISPLAY_PROPERTIES}
    options = shape.get("options")
    if isinstance(options, list):
        shape["options"] = sorted(
            str(o.get("id")) for o in options if isinstance(o, Mapping) and "id" in o
        )
    fields = shape.get("fields")
    if isinstance(fields, list):
        shape["fields"] = {
            str(child.get("name")): _shape(child) for child in fields if isinstance(child, Mapping)
        }
    return shape


def _check_shared(site: FieldSite, first: FieldSite, first_form: str) -> list[DefinitionError]:
    mine, theirs = _shape(site.raw), _shape(first.raw)
    differing = [key for key in dict.fromkeys([*theirs, *mine]) if mine.get(key) != theirs.get(key)]
    if not differing:
        return []
    return [
        DefinitionError(
            f"{site.path}.{differing[0]}",
            Code.SHARED_FIELD_MISMATCH,
            f"field '{site.definition.name}' is also on form '{first_form}' ({first.path}) "
            f"and differs there in: {', '.join(differing)}; a field on several forms holds one "
            f"value, so only {', '.join(DISPLAY_PROPERTIES)} may differ",
        )
    ]


def _check_sites(
    sites: Sequence[FieldSite],
    scopes: list[Scope],
    lookups: Mapping[str, LookupOptions] | None,
    site_by_path: dict[FieldPath, FieldSite],
) -> list[DefinitionError]:
    errors: list[DefinitionError] = []
    for site in sites:
        definition = site.definition
        site_by_path.setdefault((*scopes[0].path, definition.name), site)
        if "visible_if" in site.raw:
            checker = _ConditionChecker(scopes, lookups)
            errors += checker.check(site.raw["visible_if"], f"{site.path}.visible_if")
        if definition.calculate is not None:
            errors += _check_calculation_inputs(site, scopes)
        if definition.type == FieldType.SUBFORM:
            path = (*scopes[0].path, definition.name)
            errors += _check_sites(
                site.children, nested_scopes(scopes, definition, path), lookups, site_by_path
            )
    return errors


@dataclass(frozen=True, slots=True)
class _ConditionChecker:
    scopes: Sequence[Scope]
    lookups: Mapping[str, LookupOptions] | None

    def check(self, raw: Any, path: str) -> list[DefinitionError]:
        if not isinstance(raw, Mapping) or len(raw) != 1:
            return [
                DefinitionError(
                    path,
                    Code.INVALID_CONDITION,
                    'a condition is an object with one operator, e.g. {"eq": ["sex", "female"]}',
                )
            ]
        ((op, operand),) = raw.items()
        op_path = f"{path}.{op}"
        if op in JUNCTION_OPERATORS:
            if not isinstance(operand, list) or not operand:
                return [
                    DefinitionError(
                        op_path, Code.INVALID_CONDITION, f"'{op}' takes a list of conditions"
                    )
                ]
            return [
                e for i, item in enumerate(operand) for e in self.check(item, f"{op_path}[{i}]")
            ]
        if op == NEGATION_OPERATOR:
            return self.check(operand, op_path)
        if op not in COMPARISON_OPERATORS:
            return [
                DefinitionError(
                    op_path,
                    Code.UNKNOWN_CONDITION_OPERATOR,
                    f"unknown operator '{op}'; known: eq ne gt ge lt le in and or not",
                )
            ]
        if not isinstance(operand, list) or len(operand) != 2:
            return [
                DefinitionError(op_path, Code.INVALID_CONDITION, f"'{op}' takes [field, value]")
            ]
        name, literal = operand
        if not isinstance(name, str):
            return [
                DefinitionError(
                    f"{op_path}[0]", Code.INVALID_CONDITION, "the first operand is a field name"
                )
            ]
        resolved = resolve_input(name, self.scopes) if "." not in name else None
        if resolved is None:
            return [
                DefinitionError(
                    f"{op_path}[0]", Code.UNKNOWN_CONDITION_FIELD, f"no field named '{name}' here"
                )
            ]
        if op != "in":
            return self._check_literal(resolved.field, op, literal, f"{op_path}[1]")
        if not isinstance(literal, list):
            return [DefinitionError(f"{op_path}[1]", Code.INVALID_CONDITION, "'in' takes a list")]
        return [
            error
            for i, item in enumerate(literal)
            for error in self._check_literal(resolved.field, op, item, f"{op_path}[1][{i}]")
        ]

    def _check_literal(
        self, field: FieldDefinition, op: str, literal: Any, path: str
    ) -> list[DefinitionError]:
        if field.type not in FIELD_TYPES:
            return []  # reported as UNKNOWN_FIELD_TYPE; its values have no known kind
        kind = value_kind(field)

        def mismatch(reason: str) -> list[DefinitionError]:
            return [
                DefinitionError(
                    path,
                    Code.CONDITION_TYPE_MISMATCH,
                    f"'{field.name}' is a {describe_type(field)} field: {reason}",
                )
            ]

        if literal is None:
            return [] if op in ("eq", "ne") else mismatch(f"'{op}' cannot compare with null")
        if kind in (ValueKind.NONE, ValueKind.SUBFORM, ValueKind.TALLY):
            return mismatch("it can only be tested for emptiness (eq or ne null)")
        if op in ORDERING_OPERATORS and kind not in NUMERIC_KINDS | TEMPORAL_KINDS:
            return mismatch(f"'{op}' needs a number, date or datetime field")
        expected = _LITERAL_CHECKS[kind]
        if not expected[1](literal):
            return mismatch(f"{literal!r} is not {expected[0]}")
        option_ids = self._option_ids(field)
        if option_ids is not None and literal not in option_ids:
            return [
                DefinitionError(
                    path,
                    Code.UNKNOWN_CONDITION_OPTION,
                    f"'{field.name}' has no option {literal!r}",
                )
            ]
        return []

    def _option_ids(self, field: FieldDefinition) -> set[str] | None:
        if field.type not in OPTION_TYPES or field.source is not None:
            return None
        if field.lookup is None:
            return {option.id for option in field.options}
        if self.lookups is None or field.lookup not in self.lookups:
            return None
        return {option.id for option in self.lookups[field.lookup]}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_iso_date(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_iso_datetime(value: Any) -> bool:
    if _is_iso_date(value):
        return True
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


_LITERAL_CHECKS: dict[ValueKind, tuple[str, Any]] = {
    ValueKind.STRING: ("a string", lambda v: isinstance(v, str)),
    ValueKind.STRING_LIST: ("an option id", lambda v: isinstance(v, str)),
    ValueKind.INTEGER: ("a number", _is_number),
    ValueKind.DECIMAL: ("a number", _is_number),
    ValueKind.BOOLEAN: ("true or false", lambda v: isinstance(v, bool)),
    ValueKind.DATE: ("an ISO date (YYYY-MM-DD)", _is_iso_date),
    ValueKind.DATETIME: ("an ISO date or datetime", _is_iso_datetime),
}


def _check_calculation_inputs(site: FieldSite, scopes: Sequence[Scope]) -> list[DefinitionError]:
    calculation = site.definition.calculate
    assert calculation is not None
    raw_args = site.raw["calculate"]["args"]
    errors: list[DefinitionError] = []
    input_kinds: list[ValueKind] = []
    for i, arg in enumerate(raw_args):
        path = f"{site.path}.calculate.args[{i}]"
        if not isinstance(arg, str):
            continue
        if arg == TODAY:
            if calculation.op in NUMERIC_OPERATORS:
                errors.append(
                    DefinitionError(path, Code.NON_NUMERIC_CALCULATION_INPUT, "$today is a date")
                )
            elif calculation.op == "count":
                errors.append(
                    DefinitionError(
                        path, Code.INVALID_CALCULATION_ARGUMENTS, "count cannot count $today"
                    )
                )
            continue
        resolved = resolve_input(arg, scopes)
        if resolved is None:
            errors.append(
                DefinitionError(path, Code.UNKNOWN_CALCULATION_INPUT, f"no field '{arg}' here")
            )
            continue
        field = resolved.field
        if field.type not in FIELD_TYPES:
            continue  # reported as UNKNOWN_FIELD_TYPE
        kind = value_kind(field)
        input_kinds.append(kind)
        if kind == ValueKind.NONE or (resolved.aggregated and kind == ValueKind.SUBFORM):
            errors.append(
                DefinitionError(
                    path, Code.INVALID_CALCULATION_ARGUMENTS, f"'{arg}' holds no value to use"
                )
            )
        elif calculation.op in NUMERIC_OPERATORS and kind not in NUMERIC_KINDS:
            errors.append(
                DefinitionError(
                    path,
                    Code.NON_NUMERIC_CALCULATION_INPUT,
                    f"'{arg}' is a {describe_type(field)} field; {calculation.op} needs numbers",
                )
            )
        elif calculation.op == "years_between" and (
            kind not in TEMPORAL_KINDS or resolved.aggregated
        ):
            errors.append(
                DefinitionError(
                    path,
                    Code.NON_DATE_CALCULATION_INPUT,
                    f"'{arg}' is not a single date or datetime field",
                )
            )
    if site.raw["calculate"].get("result") == ValueKind.INTEGER and (
        calculation.op == "avg"
        or (calculation.op in NUMERIC_OPERATORS and ValueKind.DECIMAL in input_kinds)
    ):
        errors.append(
            DefinitionError(
                f"{site.path}.calculate.result",
                Code.CALCULATION_RESULT_MISMATCH,
                f"{calculation.op} of these inputs can be fractional; use result 'decimal'",
            )
        )
    return errors
