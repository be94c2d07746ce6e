"""The effective schema of a record type: what its stored data may hold and what a write may.

It is the current forms' fields, plus every field that an earlier published version had
and the current ones dropped (deprecated: readable, never writable, its data kept), plus,
for each option field, the options that were removed (retained: readable on old records,
refused on new writes). Deprecated subform entry fields are kept inside their subform.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from formengine.calculations import FieldPath, calculation_order
from formengine.coercion import OptionSet
from formengine.model import OPTION_TYPES, FieldDefinition, FormDefinition, Option
from formengine.parse import LookupOptions, parse_form


@dataclass(frozen=True)
class RecordSchema:
    record_type: str
    forms: tuple[FormDefinition, ...]
    # Current fields in form order, then deprecated ones (`deprecated=True`).
    fields: Mapping[str, FieldDefinition]
    lookups: Mapping[str, LookupOptions] = field(default_factory=dict)

    @property
    def current_fields(self) -> tuple[FieldDefinition, ...]:
        return tuple(f for f in self.fields.values() if not f.deprecated)

    @property
    def deprecated_fields(self) -> tuple[FieldDefinition, ...]:
        return tuple(f for f in self.fields.values() if f.deprecated)

    @property
    def calculation_order(self) -> list[FieldPath]:
        return calculation_order(self.current_fields)

    def field(self, name: str) -> FieldDefinition | None:
        return self.fields.get(name)

    def options(self, definition: FieldDefinition) -> tuple[Option, ...]:
        """The options offered for new values, in display order."""
        if definition.lookup is not None:
            return tuple(o for o in self.lookups.get(definition.lookup, ()) if not o.disabled)
        return definition.options

    def readable_options(self, definition: FieldDefinition) -> tuple[Option, ...]:
        """Every option a stored value may hold (offered, retained and disabled ones)."""
        offered = self.options(definition)
        extra = [*definition.retained_options]
        if definition.lookup is not None:
            extra += [o for o in self.lookups.get(definition.lookup, ()) if o.disabled]
        return offered + tuple(extra)

    def limited_to(self, form_keys: Collection[str]) -> RecordSchema:
        """The schema of a record shown on these forms only (a module's): the other forms'
        fields read as deprecated there, so they get no defaults, are never required and
        keep what they hold."""
        forms = tuple(f for f in self.forms if f.key in form_keys)
        shown = {d.name for form in forms for d in form.fields}
        fields = {
            name: d
            if d.deprecated or name in shown
            else _deprecated(d, "not on a form of this record's module")
            for name, d in self.fields.items()
        }
        return dataclasses.replace(self, forms=forms, fields=fields)

    def option_set(self, definition: FieldDefinition) -> OptionSet:
        active = frozenset(o.id for o in self.options(definition))
        readable = frozenset(o.id for o in self.readable_options(definition))
        return OptionSet(active, readable - active)


def build_record_schema(
    forms: Sequence[Mapping[str, Any] | FormDefinition],
    *,
    published: Sequence[Mapping[str, Any] | FormDefinition] = (),
    lookups: Mapping[str, LookupOptions] | None = None,
) -> RecordSchema:
    """The effective schema from the forms in force and the record type's publication history.

    `forms`: the current (validated) form of each form key. `published`: every version ever
    published for the record type, oldest first (it may include the current ones).
    """
    current = tuple(f if isinstance(f, FormDefinition) else parse_form(f) for f in forms)
    history = [f if isinstance(f, FormDefinition) else parse_form(f) for f in published]
    last_known: dict[str, tuple[FieldDefinition, str]] = {}
    for form in history:
        for definition in form.fields:
            last_known[definition.name] = (definition, form.key)
    fields: dict[str, FieldDefinition] = {}
    for form in current:
        for definition in form.fields:
            past = [d for f in history for d in f.fields if d.name == definition.name]
            fields.setdefault(definition.name, _with_history(definition, past))
    for name, (definition, form_key) in last_known.items():
        if name not in fields:
            fields[name] = _deprecated(definition, f"removed from form '{form_key}'")
    record_type = current[0].record_type if current else (history[0].record_type if history else "")
    return RecordSchema(record_type, current, fields, dict(lookups or {}))


def _deprecated(definition: FieldDefinition, reason: str) -> FieldDefinition:
    return dataclasses.replace(
        definition,
        deprecated=True,
        deprecation_reason=f"{reason}; values stored before stay readable",
        fields=tuple(_deprecated(child, reason) for child in definition.fields),
    )


def _with_history(definition: FieldDefinition, past: Sequence[FieldDefinition]) -> FieldDefinition:
    """A current field with the options and entry fields its earlier versions had."""
    retained: dict[str, Option] = {}
    if definition.type in OPTION_TYPES:
        current_ids = {o.id for o in definition.options}
        for old in past:
            if old.type in OPTION_TYPES and old.lookup is None:
                retained.update({o.id: o for o in old.options if o.id not in current_ids})
    names = {child.name for child in definition.fields}
    children = [
        _with_history(child, [c for old in past for c in old.fields if c.name == child.name])
        for child in definition.fields
    ]
    removed: dict[str, FieldDefinition] = {}
    for old in past:
        removed.update({c.name: c for c in old.fields if c.name not in names})
    reason = f"removed from subform '{definition.name}'"
    children += [_deprecated(child, reason) for child in removed.values()]
    return dataclasses.replace(
        definition, retained_options=tuple(retained.values()), fields=tuple(children)
    )
