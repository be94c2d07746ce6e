"""Field defaults: checked when a form is defined, applied when a record or an entry is new.

A `default` is a value in the form the field stores (`"2024-01-01"`, `3.5`, an option id,
a list of option ids for a multi_select) or a token from `DYNAMIC_DEFAULTS` (`today`, `now`,
`current_user`, `current_agency`) that the caller resolves through a `DefaultContext`: the
engine knows no clock, user or agency of its own. A token on a type it does not apply to is
refused (except as an option id of a select or radio).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from formengine.calculations import FieldPath
from formengine.coercion import OptionSet, ValueContext, coerce_value
from formengine.errors import DefinitionCode as Code
from formengine.errors import DefinitionError
from formengine.model import DYNAMIC_DEFAULTS, SELECT_TYPES, FieldDefinition, FieldType
from formengine.parse import LookupOptions


@dataclass(frozen=True, slots=True)
class DefaultContext:
    """What dynamic defaults resolve to: the write's date and time, its user's username and
    agency code (None when the user has none: the field then stays empty)."""

    today: dt.date
    now: dt.datetime
    user: str | None = None
    agency: str | None = None


class _AnyId(frozenset[str]):
    """Option ids of a lookup that is not known here: every id passes."""

    def __contains__(self, item: object) -> bool:
        return isinstance(item, str)


def check_default(
    definition: FieldDefinition, path: str, lookups: Mapping[str, LookupOptions] | None
) -> list[DefinitionError]:
    """INVALID_DEFAULT when `default` is not a value of the field, nor a token for its type."""
    default = definition.default
    if definition.dynamic_default is not None:
        return []
    tokens = [token for token, types in DYNAMIC_DEFAULTS.items() if definition.type in types]
    hint = f" or one of: {', '.join(tokens)}" if tokens else ""

    def invalid(reason: str) -> list[DefinitionError]:
        return [
            DefinitionError(
                f"{path}.default",
                Code.INVALID_DEFAULT,
                f"default {json.dumps(default, ensure_ascii=False)} of the {definition.type} "
                f"field '{definition.name}': {reason}; use a value of the field{hint}",
            )
        ]

    if default is None or default == "" or default == [] or default == {}:
        return invalid("an empty default; leave 'default' out instead")
    if (
        isinstance(default, str)
        and default in DYNAMIC_DEFAULTS
        and definition.type not in SELECT_TYPES
    ):
        # most likely a token on the wrong type; an option may still be called "today"
        types = ", ".join(sorted(DYNAMIC_DEFAULTS[default]))
        return invalid(f"'{default}' is a default for {types} fields only")
    now = dt.datetime.now(dt.UTC)
    context = ValueContext(
        today=now.date(), now=now, options=lambda field: _option_set(field, lookups)
    )
    value, errors = coerce_value(definition, default, None, "default", context)
    if errors:
        return invalid(f"it {errors[0].message}")
    # in stored form: 3 for an integer (not 3.0 or "3"), "+255700000001" for a phone
    if value != default or (type(value) is int and type(default) is not int):
        return invalid(f"write it as {json.dumps(value, ensure_ascii=False)}")
    return []


def _option_set(
    definition: FieldDefinition, lookups: Mapping[str, LookupOptions] | None
) -> OptionSet:
    if definition.lookup is None:
        return OptionSet(frozenset(o.id for o in definition.options))
    if lookups is None or definition.lookup not in lookups:
        return OptionSet(_AnyId())
    return OptionSet(frozenset(o.id for o in lookups[definition.lookup] if not o.disabled))


def resolve_default(definition: FieldDefinition, context: DefaultContext) -> Any:
    """The value `definition.default` stands for in `context` (None: no default)."""
    match definition.dynamic_default:
        case None:
            return copy.deepcopy(definition.default)
        case "today" if definition.type == FieldType.DATE:
            return context.today.isoformat()
        case "today":
            return f"{context.today.isoformat()}T00:00:00Z"
        case "now":
            return context.now.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        case "current_user":
            return context.user
        case _:
            return context.agency


def resolve_defaults(
    fields: Iterable[FieldDefinition], context: DefaultContext, parent: FieldPath = ()
) -> dict[FieldPath, Any]:
    """Field path -> its resolved default, at every depth, for current fields with one."""
    found: dict[FieldPath, Any] = {}
    for definition in fields:
        if definition.deprecated:
            continue
        path = (*parent, definition.name)
        if definition.default is not None:
            value = resolve_default(definition, context)
            if value is not None:
                found[path] = value
        found.update(resolve_defaults(definition.fields, context, path))
    return found


def apply_defaults(
    fields: Sequence[FieldDefinition],
    patch: Mapping[str, Any],
    defaults: Mapping[FieldPath, Any],
    stored: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """`patch` with the defaults of the fields it leaves out: of the record when `stored` is
    None (a new record), and of every subform entry it adds (no `uid`, or one not stored).
    A key present with any value, `null` included, keeps that value."""
    result = dict(patch)
    if stored is None:
        _fill(fields, (), result, defaults)
    _fill_new_entries(fields, (), result, stored or {}, defaults)
    return result


def _fill(
    fields: Iterable[FieldDefinition],
    parent: FieldPath,
    target: dict[str, Any],
    defaults: Mapping[FieldPath, Any],
) -> None:
    for definition in fields:
        path = (*parent, definition.name)
        if definition.name not in target and path in defaults:
            target[definition.name] = copy.deepcopy(defaults[path])


def _fill_new_entries(
    fields: Iterable[FieldDefinition],
    parent: FieldPath,
    target: dict[str, Any],
    stored: Mapping[str, Any],
    defaults: Mapping[FieldPath, Any],
) -> None:
    for definition in fields:
        entries = target.get(definition.name)
        if definition.type != FieldType.SUBFORM or not isinstance(entries, list):
            continue
        path = (*parent, definition.name)
        old = stored.get(definition.name)
        old_entries = old if isinstance(old, list) else []
        stored_entries = {e.get("uid"): e for e in old_entries if isinstance(e, Mapping)}
        filled: list[Any] = []
        for entry in entries:
            if isinstance(entry, Mapping):
                entry = dict(entry)
                before = stored_entries.get(entry.get("uid")) if "uid" in entry else None
                if before is None:
                    _fill(definition.fields, path, entry, defaults)
                _fill_new_entries(definition.fields, path, entry, before or {}, defaults)
            filled.append(entry)
        target[definition.name] = filled
