"""The typed, immutable model of the form-definition language (DESIGN.md section 3).

A form version is a JSON document; `parse_form` turns a validated one into a
`FormDefinition`. The tables here (field types, the value kind each stores, which properties
apply to which type) are the single source for validation, value checks and the JSON Schema.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from formengine.conditions import Condition


class FieldType(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    SELECT = "select"
    MULTI_SELECT = "multi_select"
    RADIO = "radio"
    TALLY = "tally"
    LOCATION = "location"
    USER = "user"
    PHONE = "phone"
    PHOTO = "photo"
    AUDIO = "audio"
    DOCUMENT = "document"
    SIGNATURE = "signature"
    SUBFORM = "subform"
    SEPARATOR = "separator"
    CALCULATED = "calculated"


FIELD_TYPES: tuple[str, ...] = tuple(t.value for t in FieldType)


class ValueKind(StrEnum):
    """The JSON value a field stores in record data (what a GraphQL compiler maps to a type)."""

    STRING = "string"  # JSON string
    INTEGER = "integer"  # JSON integer
    DECIMAL = "decimal"  # JSON number, a Python float
    BOOLEAN = "boolean"
    DATE = "date"  # "YYYY-MM-DD"
    DATETIME = "datetime"  # ISO 8601 in UTC, "2024-05-01T10:30:00Z"
    STRING_LIST = "string_list"  # list of option ids
    TALLY = "tally"  # {option id: non-negative integer}
    SUBFORM = "subform"  # list of entries, each {"uid": str, child field: value, ...}
    NONE = "none"  # display only, stores nothing


SELECT_TYPES = frozenset({FieldType.SELECT, FieldType.RADIO})
OPTION_TYPES = frozenset(
    {FieldType.SELECT, FieldType.RADIO, FieldType.MULTI_SELECT, FieldType.TALLY}
)
ATTACHMENT_TYPES = frozenset(
    {FieldType.PHOTO, FieldType.AUDIO, FieldType.DOCUMENT, FieldType.SIGNATURE}
)
# Where a select or multi_select field may take its options instead of listing them: the
# tenant's agencies (by code), users (by username) or locations (by code, optionally at one
# admin level). The server validates written values against them.
OPTION_SOURCES: tuple[str, ...] = ("agencies", "users", "locations")
NUMERIC_KINDS = frozenset({ValueKind.INTEGER, ValueKind.DECIMAL})
TEMPORAL_KINDS = frozenset({ValueKind.DATE, ValueKind.DATETIME})

_STORED_KIND: dict[str, ValueKind] = {
    FieldType.TEXT: ValueKind.STRING,
    FieldType.TEXTAREA: ValueKind.STRING,
    FieldType.INTEGER: ValueKind.INTEGER,
    FieldType.DECIMAL: ValueKind.DECIMAL,
    FieldType.BOOLEAN: ValueKind.BOOLEAN,
    FieldType.DATE: ValueKind.DATE,
    FieldType.DATETIME: ValueKind.DATETIME,
    FieldType.SELECT: ValueKind.STRING,
    FieldType.RADIO: ValueKind.STRING,
    FieldType.MULTI_SELECT: ValueKind.STRING_LIST,
    FieldType.TALLY: ValueKind.TALLY,
    FieldType.LOCATION: ValueKind.STRING,
    FieldType.USER: ValueKind.STRING,
    FieldType.PHONE: ValueKind.STRING,
    FieldType.PHOTO: ValueKind.STRING,
    FieldType.AUDIO: ValueKind.STRING,
    FieldType.DOCUMENT: ValueKind.STRING,
    FieldType.SIGNATURE: ValueKind.STRING,
    FieldType.SUBFORM: ValueKind.SUBFORM,
    FieldType.SEPARATOR: ValueKind.NONE,
}

TAGS: tuple[str, ...] = ("pii", "sensitive", "searchable", "filterable", "matchable")

FORM_PROPERTIES: tuple[str, ...] = ("key", "record_type", "label", "help", "fields")
REQUIRED_FORM_PROPERTIES: tuple[str, ...] = ("key", "record_type", "label", "fields")

_ALL = frozenset(FIELD_TYPES)
_STORING = _ALL - {FieldType.SEPARATOR}
# Field property -> the field types it applies to. Order is the documented order.
FIELD_PROPERTY_TYPES: dict[str, frozenset[str]] = {
    "name": _ALL,
    "type": _ALL,
    "label": _ALL,
    "help": _ALL,
    "required": _STORING - {FieldType.CALCULATED},
    "visible_if": _ALL,
    "tags": _STORING,
    "options": frozenset(OPTION_TYPES),
    "min": frozenset({FieldType.INTEGER, FieldType.DECIMAL}),
    "max": frozenset({FieldType.INTEGER, FieldType.DECIMAL}),
    "max_length": frozenset({FieldType.TEXT, FieldType.TEXTAREA}),
    "pattern": frozenset({FieldType.TEXT, FieldType.TEXTAREA}),
    "not_future": frozenset({FieldType.DATE, FieldType.DATETIME}),
    "precision": frozenset({FieldType.DECIMAL}),
    "fields": frozenset({FieldType.SUBFORM}),
    "calculate": frozenset({FieldType.CALCULATED}),
    "read_only": _STORING - {FieldType.CALCULATED},
    "default": _STORING - {FieldType.CALCULATED, FieldType.SUBFORM} - ATTACHMENT_TYPES,
    "hidden": _ALL,
    "multiple": frozenset(ATTACHMENT_TYPES),
}
REQUIRED_FIELD_PROPERTIES: dict[str, frozenset[str]] = {
    "name": _ALL,
    "type": _ALL,
    "options": frozenset(OPTION_TYPES),
    "fields": frozenset({FieldType.SUBFORM}),
    "calculate": frozenset({FieldType.CALCULATED}),
}

NAME_PATTERN = r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"
NAME_MAX_LENGTH = 63
LOCALE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
# Letters, digits and `_ . - :` (`:` kept for ids saved before); never a GraphQL enum value.
OPTION_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,200}$"
OPTION_ID_MAX_LENGTH = 200
LOOKUP_KEY_PATTERN = r"^[a-z][a-z0-9_]{0,99}$"
MAX_PRECISION = 10  # digits after the decimal point a decimal field may keep
# Names the platform uses for its own fields on subform entries ...
RESERVED_ENTRY_FIELD_NAMES = frozenset({"uid"})
# ... and on records (these clash only at the top level of a form).
RESERVED_FIELD_NAMES = frozenset(
    {
        "id",
        "uid",
        "short_id",
        "record_type",
        "status",
        "revision",
        "owner",
        "agency",
        "groups",
        "data",
        "field_revs",
        "form_versions",
        "created_at",
        "updated_at",
        "deleted_at",
        # record-level workflow fields of the GraphQL record types
        "status_reason",
        "status_changed_at",
        "workflow_stage",
        "module",
        "transitions",
        "approvals",
        "flags",
        "notes",
        "alerts",
        "families",
    }
)
# `default` tokens resolved when a record (or a subform entry) is created, and the field
# types each applies to; on any other type the same string is a plain value.
DYNAMIC_DEFAULTS: dict[str, frozenset[str]] = {
    "today": frozenset({FieldType.DATE, FieldType.DATETIME}),
    "now": frozenset({FieldType.DATETIME}),
    "current_user": frozenset({FieldType.USER, FieldType.TEXT, FieldType.TEXTAREA}),
    "current_agency": frozenset({FieldType.TEXT, FieldType.TEXTAREA}),
}
# ... and on a select or radio taking its options from that source (`registered_by_agency`
# with `{"source": "agencies"}` and `default: current_agency`).
SOURCE_DEFAULTS: dict[str, str] = {"current_user": "users", "current_agency": "agencies"}
MAX_SUBFORM_DEPTH = 2  # a subform may contain subforms, and those may not

_NAME_RE = re.compile(NAME_PATTERN)


def is_valid_name(name: object) -> bool:
    return isinstance(name, str) and len(name) <= NAME_MAX_LENGTH and bool(_NAME_RE.fullmatch(name))


@functools.lru_cache(maxsize=8192)  # names are few; a sync page asks for each thousands of times
def graphql_name(name: str) -> str:
    """The camelCase name a field gets in GraphQL (`name_first` -> `nameFirst`)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@dataclass(frozen=True, slots=True)
class Option:
    id: str
    label: Mapping[str, str]
    # A disabled lookup option, like an option removed from a form, stays readable on old
    # records and is refused on new writes.
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class Calculation:
    """`{"op": ..., "args": [...], "result": "integer" | "decimal"}` (see calculations.py)."""

    op: str
    args: tuple[str, ...]
    result: ValueKind


@dataclass(frozen=True, slots=True)
class FieldDefinition:
    name: str
    type: str
    label: Mapping[str, str] = field(default_factory=dict)
    help: Mapping[str, str] = field(default_factory=dict)
    required: bool = False
    visible_if: Condition | None = None
    tags: frozenset[str] = frozenset()
    options: tuple[Option, ...] = ()  # inline options
    lookup: str | None = None  # or the name of a lookup holding the options
    source: str | None = None  # or an option source (OPTION_SOURCES)
    admin_level: int | None = None  # a `locations` source: only locations at this level
    min: int | float | None = None
    max: int | float | None = None
    max_length: int | None = None
    pattern: str | None = None
    not_future: bool = False
    fields: tuple[FieldDefinition, ...] = ()  # subform entry fields
    calculate: Calculation | None = None
    precision: int | None = None  # decimal: most digits after the decimal point
    read_only: bool = False  # clients may not write it; the server (defaults, imports) may
    hidden: bool = False  # stored and permitted as usual, left out of rendered forms
    default: Any = None  # a value in stored form, or a DYNAMIC_DEFAULTS token
    multiple: bool = False  # an attachment field holding a list of attachment ids
    # Set by the effective schema (record_schema.py), never by a form document:
    deprecated: bool = False
    deprecation_reason: str | None = None
    retained_options: tuple[Option, ...] = ()  # removed from the form, readable on old data

    @property
    def value_kind(self) -> ValueKind:
        return value_kind(self)

    @property
    def stores_value(self) -> bool:
        return self.type != FieldType.SEPARATOR

    @property
    def is_calculated(self) -> bool:
        return self.type == FieldType.CALCULATED

    @property
    def dynamic_default(self) -> str | None:
        """The DYNAMIC_DEFAULTS token of `default`, when it is one for this field's type."""
        token = self.default
        if not isinstance(token, str):
            return None
        if self.type in DYNAMIC_DEFAULTS.get(token, ()):
            return token
        if self.type in SELECT_TYPES and self.source and SOURCE_DEFAULTS.get(token) == self.source:
            return token
        return None

    @property
    def text_limit(self) -> int | None:
        """The most characters a text value may hold: `max_length`, else the type's default."""
        return self.max_length or DEFAULT_TEXT_LIMITS.get(self.type)

    def field(self, name: str) -> FieldDefinition | None:
        """A subform's entry field by name."""
        return next((child for child in self.fields if child.name == name), None)


# A text field without `max_length` still has a bound: one value must not weigh megabytes.
DEFAULT_TEXT_LIMITS: dict[str, int] = {FieldType.TEXT: 1_000, FieldType.TEXTAREA: 20_000}


@dataclass(frozen=True, slots=True)
class FormDefinition:
    key: str
    record_type: str
    label: Mapping[str, str]
    fields: tuple[FieldDefinition, ...]
    help: Mapping[str, str] = field(default_factory=dict)

    def field(self, name: str) -> FieldDefinition | None:
        return next((f for f in self.fields if f.name == name), None)


def value_kind(definition: FieldDefinition) -> ValueKind:
    """What JSON value a field stores; for a calculated field, its result kind."""
    if definition.calculate is not None:
        return definition.calculate.result
    if definition.type == FieldType.CALCULATED:
        return ValueKind.DECIMAL
    if definition.multiple and definition.type in ATTACHMENT_TYPES:
        return ValueKind.STRING_LIST
    return stored_kind(definition.type)


def stored_kind(field_type: str) -> ValueKind:
    """The value kind of a non-calculated field type (`none` for an unknown type)."""
    return _STORED_KIND.get(field_type, ValueKind.NONE)


def describe_type(definition: FieldDefinition) -> str:
    """The type as people and compatibility errors name it (`calculated (integer)`)."""
    if definition.type == FieldType.CALCULATED:
        return f"calculated ({value_kind(definition)})"
    if definition.multiple and definition.type in ATTACHMENT_TYPES:
        return f"{definition.type} (multiple)"
    return definition.type
