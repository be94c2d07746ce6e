"""A filter (a plain structure) compiled to a Q on records, for one caller.

The structure: a mapping of stored field names to their operators (`{"sex": {"eq": "f"}}`),
subforms to `{"any": <entry filter>}`, system fields likewise, and `and` / `or` (lists) and
`not` (one filter); several keys in one mapping must all hold. Checked before any SQL: an
unknown name or operator, a bad value, or too deep or too large a filter is BAD_USER_INPUT; a
field the caller may not read at all is FORBIDDEN_FIELD. A field hidden on some records (a
referral, a module) is empty there (see readability.py): the answer never depends on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q
from django.db.models.expressions import RawSQL

from backend.error_codes import ErrorCode
from backend.errors import BadUserInput, DomainError
from backend.records.filtering.catalogue import OPERATORS, Catalogue, FilterField, Operand
from backend.records.filtering.conditions import NEVER, field_condition, known_nothing
from backend.records.filtering.readability import readability
from backend.records.filtering.sql import Sql
from backend.records.filtering.system import system_condition
from backend.records.filtering.values import stored_form
from formengine import FieldPath, graphql_name
from permissions.plan import AccessPlan

MAX_DEPTH = 6  # nested and / or / not / any
MAX_CONDITIONS = 50  # field conditions in one filter
MAX_LIST = 100  # values of one `in`, `anyOf`, `allOf`
CONNECTIVES = ("and", "or", "not")


class ForbiddenField(DomainError):
    code = ErrorCode.FORBIDDEN_FIELD


def client_path(path: list[str | int]) -> str:
    """`["filter", "and", 0, "name_first"]` -> `filter.and.0.nameFirst` (the client's words)."""
    return ".".join(str(p) if isinstance(p, int) else graphql_name(p) for p in path)


@dataclass
class _Checked:
    """What the check found: the field paths named, how many conditions."""

    paths: set[FieldPath] = field(default_factory=set)
    conditions: int = 0


def _check_ops(
    operand: Operand, ops: Any, where: list[str | int], checked: _Checked
) -> dict[str, Any]:
    if not isinstance(ops, Mapping):
        raise BadUserInput(f"{client_path(where)}: expected operators.", field=client_path(where))
    clean: dict[str, Any] = {}
    for op, value in ops.items():
        at = client_path([*where, op])
        if op not in OPERATORS[operand]:
            raise BadUserInput(f"{at}: no such operator for this field.", field=at)
        if value is None:
            continue
        checked.conditions += 1
        if op == "is_null":
            if not isinstance(value, bool):
                raise BadUserInput(f"{at}: true or false.", field=at)
            clean[op] = value
        elif op in ("in", "any_of", "all_of", "between"):
            if not isinstance(value, list | tuple) or len(value) > MAX_LIST:
                raise BadUserInput(f"{at}: a list of at most {MAX_LIST} values.", field=at)
            if op == "between" and len(value) != 2:
                raise BadUserInput(f"{at}: two values, the lowest first.", field=at)
            kind: Operand = Operand.TEXT if operand is Operand.OPTIONS else operand
            clean[op] = [stored_form(kind, v, at) for v in value]
        else:
            kind = Operand.TEXT if op in ("within", "starts_with", "contains") else operand
            clean[op] = stored_form(kind, value, at)
    return clean


class FilterCompiler:
    def __init__(self, catalogue: Catalogue, plan: AccessPlan, tenant_id: int) -> None:
        self.catalogue = catalogue
        self.plan = plan
        self.tenant_id = tenant_id

    # -- checking -----------------------------------------------------------------------
    def check(
        self,
        spec: Any,
        fields: Mapping[str, FilterField],
        where: list[str | int],
        checked: _Checked,
        depth: int = 0,
        top: bool = True,
    ) -> dict[str, Any]:
        """The filter with its values in stored form; every error raised here."""
        at = client_path(where)
        if depth > MAX_DEPTH:
            raise BadUserInput(f"{at}: nested deeper than {MAX_DEPTH}.", field=at)
        if not isinstance(spec, Mapping):
            raise BadUserInput(f"{at}: expected a filter.", field=at)
        clean: dict[str, Any] = {}
        for name, value in spec.items():
            if value is None:
                continue
            here = [*where, name]
            if name in ("and", "or"):
                if not isinstance(value, list | tuple):
                    raise BadUserInput(f"{client_path(here)}: a list.", field=client_path(here))
                clean[name] = [
                    self.check(v, fields, [*here, i], checked, depth + 1, top)
                    for i, v in enumerate(value)
                ]
            elif name == "not":
                clean[name] = self.check(value, fields, here, checked, depth + 1, top)
            elif top and name in self.catalogue.system:
                clean[name] = _check_ops(self.catalogue.system[name], value, here, checked)
            elif name in fields:
                clean[name] = self._check_field(fields[name], value, here, checked, depth)
            else:
                at = client_path(here)
                raise BadUserInput(f"{at}: not a filterable field.", field=at)
            if checked.conditions > MAX_CONDITIONS:
                at = client_path(where)
                raise BadUserInput(f"{at}: more than {MAX_CONDITIONS} conditions.", field=at)
        return clean

    def _check_field(
        self,
        definition: FilterField,
        value: Any,
        where: list[str | int],
        checked: _Checked,
        depth: int,
    ) -> Any:
        if not self.plan.full_access.may_read(definition.path):
            at = client_path(where)
            raise ForbiddenField(f"{at}: you may not read this field.", field=at)
        checked.paths.add(definition.path)
        if definition.operand is not Operand.SUBFORM:
            return _check_ops(definition.operand, value, where, checked)
        if not isinstance(value, Mapping) or set(value) - {"any"}:
            at = client_path(where)
            raise BadUserInput(f"{at}: expected `any`.", field=at)
        entry = value.get("any")
        if entry is None:
            return {}
        here = [*where, "any"]
        return {"any": self.check(entry, definition.children, here, checked, depth + 1, False)}

    # -- compiling ----------------------------------------------------------------------
    def compile(self, spec: Mapping[str, Any]) -> Q:
        checked = _Checked()
        clean = self.check(spec, self.catalogue.fields, ["filter"], checked)
        result: Q | bool = False
        for group in readability(self.plan, checked.paths):
            compiled = self._tree(clean, self.catalogue.fields, group.readable, F("data"), False, 0)
            if compiled is False:
                continue
            if group.where is None:
                return Q() if compiled is True else compiled
            part = group.where if compiled is True else group.where & compiled
            result = part if result is False else result | part  # type: ignore[operator]
        return NEVER if result is False else result  # type: ignore[return-value]

    def _tree(
        self,
        spec: Mapping[str, Any],
        fields: Mapping[str, FilterField],
        readable: frozenset[FieldPath],
        data: Any,
        strict: bool,
        level: int,
    ) -> Q | bool:
        parts: list[Q | bool] = []
        for name, value in spec.items():
            if name == "and":
                parts.append(
                    _all([self._tree(v, fields, readable, data, strict, level) for v in value])
                )
            elif name == "or":
                parts.append(
                    _any([self._tree(v, fields, readable, data, strict, level) for v in value])
                )
            elif name == "not":
                inner = self._tree(value, fields, readable, data, True, level)
                parts.append(not inner if isinstance(inner, bool) else ~inner)
            elif name in fields:
                parts.append(self._field(fields[name], value, readable, data, strict, level))
            else:
                parts.append(system_condition(name, value, self.tenant_id))
        return _all(parts)

    def _field(
        self,
        definition: FilterField,
        value: Any,
        readable: frozenset[FieldPath],
        data: Any,
        strict: bool,
        level: int,
    ) -> Q | bool:
        if definition.operand is Operand.SUBFORM:
            if "any" not in value:
                return True
            if definition.path not in readable:
                return False  # no entries to match
            alias = f"entry{level}"
            inner = self._tree(
                value["any"],
                definition.children,
                readable,
                RawSQL(f"{alias}.value", []),  # noqa: S611 (alias: a counter, no input)
                False,
                level + 1,
            )
            if inner is False:
                return False
            inner_sql: Any = Q(pk__isnull=False) if inner is True else inner
            exists = Sql(
                "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof({} -> {}) = "  # noqa: S608
                f"'array' THEN {{}} -> {{}} ELSE '[]'::jsonb END) AS {alias}(value) WHERE {{}})",
                data,
                definition.name,
                data,
                definition.name,
                inner_sql,
            )
            return Q(exists)
        if definition.path not in readable:
            return known_nothing(definition.operand, value)
        return field_condition(
            definition.operand,
            value,
            data,
            definition.name,
            strict=strict,
            tenant_id=self.tenant_id,
        )


def _all(parts: list[Q | bool]) -> Q | bool:
    result: Q | bool = True
    for part in parts:
        if part is False:
            return False
        if part is True:
            continue
        result = part if result is True else result & part  # type: ignore[operator]
    return result


def _any(parts: list[Q | bool]) -> Q | bool:
    result: Q | bool = False
    for part in parts:
        if part is True:
            return True
        if part is False:
            continue
        result = part if result is False else result | part  # type: ignore[operator]
    return result


def compile_filter(
    spec: Mapping[str, Any], catalogue: Catalogue, plan: AccessPlan, tenant_id: int
) -> Q:
    return FilterCompiler(catalogue, plan, tenant_id).compile(spec)
