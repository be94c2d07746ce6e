"""What an export's columns are and how a value becomes a cell.

The columns are the record type's fields the requester may read (cut to the fields asked
for), labelled in the chosen locale; option values become their labels. A cell that a
spreadsheet would run as a formula is neutralised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from formengine.model import FieldDefinition, FieldType
from formengine.record_schema import RecordSchema

# A spreadsheet runs a cell starting with one of these as a formula (or DDE).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
OPTION_TYPES = frozenset(
    {FieldType.SELECT, FieldType.RADIO, FieldType.MULTI_SELECT, FieldType.TALLY}
)

SYSTEM_LABELS: dict[str, dict[str, str]] = {
    "short_id": {"en": "ID", "fr": "ID", "ar": "المعرف"},
    "status": {"en": "Status", "fr": "Statut", "ar": "الحالة"},
    "owner": {"en": "Owner", "fr": "Responsable", "ar": "المسؤول"},
    "created_at": {"en": "Created", "fr": "Créé", "ar": "تاريخ الإنشاء"},
    "updated_at": {"en": "Updated", "fr": "Modifié", "ar": "تاريخ التعديل"},
    "entry": {"en": "Entry", "fr": "Entrée", "ar": "الإدخال"},
}
YES_NO = {"en": ("Yes", "No"), "fr": ("Oui", "Non"), "ar": ("نعم", "لا")}


def neutralised(text: str) -> str:
    """Text a spreadsheet shows as typed, never evaluates."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def localised(labels: Mapping[str, str], locale: str, fallback: str) -> str:
    return labels.get(locale) or labels.get("en") or next(iter(labels.values()), fallback)


@dataclass(frozen=True)
class Column:
    name: str  # stored name
    label: str
    definition: FieldDefinition
    options: Mapping[str, str]  # option id -> label in the locale


@dataclass(frozen=True)
class Subform:
    column: Column
    children: tuple[Column, ...]


@dataclass(frozen=True)
class Layout:
    locale: str
    system: tuple[tuple[str, str], ...]  # (key, label)
    fields: tuple[Column, ...]  # top-level, not subforms
    subforms: tuple[Subform, ...]

    def system_label(self, key: str) -> str:
        return localised(SYSTEM_LABELS[key], self.locale, key)


def _column(schema: RecordSchema, definition: FieldDefinition, locale: str) -> Column:
    options: dict[str, str] = {}
    if definition.type in OPTION_TYPES:
        options = {
            o.id: localised(o.label, locale, o.id) for o in schema.readable_options(definition)
        }
    return Column(
        definition.name, localised(definition.label, locale, definition.name), definition, options
    )


def layout(
    schema: RecordSchema,
    readable_paths: frozenset[tuple[str, ...]],
    wanted: Sequence[str],
    locale: str,
) -> Layout:
    """The columns of an export: fields in form order that the plan lets the user read at
    all (a record's own access may still hide some: those cells stay empty)."""
    chosen = set(wanted)
    fields: list[Column] = []
    subforms: list[Subform] = []
    for definition in schema.current_fields:
        name = definition.name
        if not definition.stores_value or (name,) not in readable_paths:
            continue
        if chosen and name not in chosen:
            continue
        column = _column(schema, definition, locale)
        if definition.type == FieldType.SUBFORM:
            children = tuple(
                _column(schema, child, locale)
                for child in definition.fields
                if child.stores_value and (name, child.name) in readable_paths
            )
            subforms.append(Subform(column, children))
        else:
            fields.append(column)
    system = tuple(
        (key, localised(SYSTEM_LABELS[key], locale, key))
        for key in ("short_id", "status", "owner", "created_at", "updated_at")
    )
    return Layout(locale, system, tuple(fields), tuple(subforms))


def cell(column: Column, value: Any, locale: str) -> Any:
    """A value as a spreadsheet cell: numbers stay numbers, options become labels, lists
    are joined, text is neutralised."""
    if value is None or value == "" or value == []:
        return None
    kind = column.definition.type
    if isinstance(value, bool):
        yes, no = YES_NO.get(locale, YES_NO["en"])
        return yes if value else no
    if isinstance(value, int | float):
        return value
    if kind == FieldType.TALLY and isinstance(value, Mapping):
        text = "; ".join(f"{column.options.get(k, k)}: {n}" for k, n in value.items())
    elif isinstance(value, list):
        if value and all(isinstance(v, Mapping) for v in value):
            text = orjson.dumps(value).decode()  # a subform inside a subform entry
        else:
            text = "; ".join(str(column.options.get(str(v), v)) for v in value)
    elif isinstance(value, Mapping):
        text = orjson.dumps(value).decode()
    else:
        text = column.options.get(str(value), str(value))
    return neutralised(text)


def system_cell(key: str, record: Any) -> Any:
    if key == "owner":
        owner = record.owner
        return neutralised(owner.username) if owner is not None else None
    value = getattr(record, key)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return neutralised(str(value))
