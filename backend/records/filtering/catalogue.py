"""What a record type may be filtered and sorted by: its fields tagged `filterable` (at any
depth: a subform with filterable entry fields filters as "any entry matches") and the system
fields. Each has an operand kind that decides its operators."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from formengine import FieldDefinition, FieldPath, RecordSchema
from formengine.model import FieldType


class Operand(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    OPTION = "option"  # select, radio, user: one option id (or username)
    OPTIONS = "options"  # multi_select: a list of option ids
    BOOLEAN = "boolean"
    LOCATION = "location"  # a location code; `within` a subtree of the registry
    SUBFORM = "subform"


_COMPARABLE = frozenset({"eq", "gt", "gte", "lt", "lte", "between", "is_null"})
OPERATORS: Mapping[Operand, frozenset[str]] = {
    Operand.TEXT: frozenset({"eq", "in", "starts_with", "contains", "is_null"}),
    Operand.NUMBER: _COMPARABLE,
    Operand.DATE: _COMPARABLE,
    Operand.DATETIME: _COMPARABLE,
    Operand.OPTION: frozenset({"eq", "in", "is_null"}),
    Operand.OPTIONS: frozenset({"any_of", "all_of", "is_null"}),
    Operand.BOOLEAN: frozenset({"eq", "is_null"}),
    Operand.LOCATION: frozenset({"eq", "in", "within", "is_null"}),
    Operand.SUBFORM: frozenset({"any"}),
}
SORTABLE = frozenset(
    {
        Operand.TEXT,
        Operand.NUMBER,
        Operand.DATE,
        Operand.DATETIME,
        Operand.OPTION,
        Operand.BOOLEAN,
        Operand.LOCATION,
    }
)

_OPERAND_OF_TYPE: Mapping[str, Operand] = {
    FieldType.TEXT: Operand.TEXT,
    FieldType.TEXTAREA: Operand.TEXT,
    FieldType.PHONE: Operand.TEXT,
    FieldType.INTEGER: Operand.NUMBER,
    FieldType.DECIMAL: Operand.NUMBER,
    FieldType.CALCULATED: Operand.NUMBER,
    FieldType.DATE: Operand.DATE,
    FieldType.DATETIME: Operand.DATETIME,
    FieldType.SELECT: Operand.OPTION,
    FieldType.RADIO: Operand.OPTION,
    FieldType.USER: Operand.OPTION,
    FieldType.MULTI_SELECT: Operand.OPTIONS,
    FieldType.BOOLEAN: Operand.BOOLEAN,
    FieldType.LOCATION: Operand.LOCATION,
    FieldType.SUBFORM: Operand.SUBFORM,
}


@dataclass(frozen=True)
class FilterField:
    """A form field one may filter by. `path`: its stored names from the record's top."""

    name: str
    path: FieldPath
    operand: Operand
    label: str | None = None
    children: Mapping[str, FilterField] = field(default_factory=dict)

    @property
    def sortable(self) -> bool:
        return self.operand in SORTABLE and len(self.path) == 1


# System fields: name -> operand. `module` only where the type has modules.
SYSTEM_FIELDS: Mapping[str, Operand] = {
    "status": Operand.OPTION,
    "short_id": Operand.TEXT,
    "owner": Operand.OPTION,  # username
    "agency": Operand.OPTION,  # agency code
    "module": Operand.OPTION,
    "created_at": Operand.DATETIME,
    "updated_at": Operand.DATETIME,
    "flagged": Operand.BOOLEAN,
    "referred_to": Operand.OPTION,  # username of an active referral's recipient
    "referral_pending": Operand.OPTION,  # username of a referral's recipient yet to answer
    "pending_approval": Operand.OPTION,  # approval type requested and not answered
}
SORTABLE_SYSTEM_FIELDS = frozenset(
    {"status", "short_id", "owner", "agency", "module", "created_at", "updated_at"}
)


def _label(definition: FieldDefinition) -> str | None:
    return definition.label.get("en") or next(iter(definition.label.values()), None)


def _filterable(
    definitions: Iterable[FieldDefinition], parent: FieldPath = ()
) -> dict[str, FilterField]:
    found: dict[str, FilterField] = {}
    for definition in definitions:
        operand = _OPERAND_OF_TYPE.get(definition.type)
        if operand is None or definition.deprecated:
            continue
        path = (*parent, definition.name)
        if operand is Operand.SUBFORM:
            children = _filterable(definition.fields, path)
            if children:
                found[definition.name] = FilterField(
                    definition.name, path, operand, _label(definition), children
                )
        elif "filterable" in definition.tags:
            found[definition.name] = FilterField(definition.name, path, operand, _label(definition))
    return found


@dataclass(frozen=True)
class Catalogue:
    record_type: str
    fields: Mapping[str, FilterField]  # top level, by stored name
    system: Mapping[str, Operand]

    def top_level(self) -> Iterable[FilterField]:
        return self.fields.values()


def catalogue(schema: RecordSchema, *, has_modules: bool) -> Catalogue:
    """The filterable fields of a record type's effective schema (deprecated ones left out;
    a form field named like a system field yields to it)."""
    system = {k: v for k, v in SYSTEM_FIELDS.items() if has_modules or k != "module"}
    fields = {
        name: f
        for name, f in _filterable(schema.fields.values()).items()
        if name not in SYSTEM_FIELDS
    }
    return Catalogue(schema.record_type, fields, system)


def indexed_fields(schema: RecordSchema) -> list[FilterField]:
    """The top-level fields the publish step indexes (subform entries are not indexed)."""
    return [f for f in _filterable(schema.fields.values()).values() if f.operand in SORTABLE]
