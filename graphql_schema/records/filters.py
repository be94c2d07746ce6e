"""Filter and order inputs compiled from a record type's filterable fields, and their mapping
to the plain structures the backend compiles (backend/records/filtering): names go back to
the stored ones, enum values to their strings. No rule lives here."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry.annotation import StrawberryAnnotation
from strawberry.tools import create_type
from strawberry.types.arguments import InputContext
from strawberry.types.field import StrawberryField

from backend.records.filtering.catalogue import (
    SORTABLE_SYSTEM_FIELDS,
    Catalogue,
    FilterField,
    Operand,
)
from graphql_schema.enums import RecordState
from graphql_schema.naming import field_name, type_name
from graphql_schema.records.definitions import (
    CompiledField,
    compiled_type,
    optional,
    optional_list,
    resolved,
)
from graphql_schema.scalars import Date, DateTime

KEYWORDS = frozenset({"in", "and", "or", "not"})


def _input_field(
    name: str,
    annotation: Any,
    description: str | None = None,
) -> StrawberryField:
    """Python keywords get a trailing underscore in Python, none in GraphQL."""
    return StrawberryField(
        python_name=f"{name}_" if name in KEYWORDS else name,
        graphql_name=field_name(name),
        type_annotation=StrawberryAnnotation(annotation),
        description=description,
        default=None,
    )


def _operators(name: str, scalar: Any, ops: tuple[str, ...], description: str) -> type:
    docs = {
        "eq": "Equal to.",
        "in": "Equal to one of.",
        "starts_with": "Starts with (case-insensitive).",
        "contains": "Contains (case-insensitive).",
        "gt": "Greater than.",
        "gte": "Greater than or equal to.",
        "lt": "Less than.",
        "lte": "Less than or equal to.",
        "between": "Between two values, both included: [lowest, highest].",
        "any_of": "Holds at least one of.",
        "all_of": "Holds all of.",
        "within": "A location code: the location or any inside it.",
        "is_null": "true: has no value (or you may not read it); false: has one.",
    }
    annotations = {
        "in": list[scalar],
        "between": list[scalar],
        "any_of": list[str],
        "all_of": list[str],
        "within": str,
        "is_null": bool,
    }
    fields = [_input_field(op, annotations.get(op, scalar) | None, docs[op]) for op in ops]
    return create_type(name, fields, is_input=True, description=description)


_COMPARE = ("eq", "gt", "gte", "lt", "lte", "between", "is_null")
OPERATOR_TYPES: dict[Operand, type] = {
    Operand.TEXT: _operators(
        "TextFilter", str, ("eq", "in", "starts_with", "contains", "is_null"), "A text field."
    ),
    Operand.NUMBER: _operators("NumberFilter", float, _COMPARE, "A number field."),
    Operand.DATE: _operators("DateFilter", Date, _COMPARE, "A date field."),
    Operand.DATETIME: _operators("DateTimeFilter", DateTime, _COMPARE, "A date and time field."),
    Operand.OPTION: _operators(
        "OptionFilter", str, ("eq", "in", "is_null"), "A select field: option ids."
    ),
    Operand.OPTIONS: _operators(
        "OptionsFilter", str, ("any_of", "all_of", "is_null"), "A multi-select: option ids."
    ),
    Operand.BOOLEAN: _operators("BooleanFilter", bool, ("eq", "is_null"), "A yes/no field."),
    Operand.LOCATION: _operators(
        "LocationFilter", str, ("eq", "in", "within", "is_null"), "A location field: codes."
    ),
}
STATUS_FILTER = _operators("RecordStatusFilter", RecordState, ("eq", "in"), "The record's status.")
SYSTEM_DOCS = {
    "status": "Open, closed or reopened.",
    "short_id": "The short id people read out.",
    "owner": "The owner's username.",
    "agency": "The owning agency's code.",
    "module": "The module (programme) key.",
    "created_at": "When the record was registered.",
    "updated_at": "When the record last changed.",
    "flagged": "Has a flag not removed.",
    "referred_to": "Referred to this username (referral pending or accepted).",
    "referral_pending": "Referred to this username, who has not answered yet.",
    "pending_approval": "An approval of this type is requested and not answered.",
}


@strawberry.enum(description="Sort direction; empty values sort last either way.")
class OrderDirection(enum.Enum):
    ASC = "asc"
    DESC = "desc"


@dataclass(frozen=True)
class FilterTypes:
    filter: type
    order: type


def _compiled_input_field(name: str, field_type: Any, description: str | None) -> CompiledField:
    return CompiledField(
        f"{name}_" if name in KEYWORDS else name,
        field_type,
        graphql_name=field_name(name),
        description=description,
        default=None,
    )


def _plain_filter(cls: type, value: Mapping[str, Any], context: InputContext) -> dict[str, Any]:
    """A compiled filter type's input value as the backend's plain filter (`from_input`)."""
    fields = {f.graphql_name: f for f in cls.__strawberry_definition__.fields}  # type: ignore[attr-defined]
    plain: dict[str, Any] = {}
    for key, given in value.items():
        if given is None:
            continue
        field = fields[key]
        name = field.python_name
        converted = context.convert(given, field.type, key)
        plain[name[:-1] if name[:-1] in KEYWORDS else name] = _plain(converted)
    return plain


_OPERATOR_FIELD_TYPES = {operand: resolved(t | None) for operand, t in OPERATOR_TYPES.items()}
_STATUS_FIELD_TYPE = resolved(STATUS_FILTER | None)


def _filter_type(
    name: str, fields: Mapping[str, FilterField], system: Mapping[str, Operand]
) -> type:
    compiled = []
    for operand_name, operand in system.items():
        field_type = (
            _STATUS_FIELD_TYPE if operand_name == "status" else _OPERATOR_FIELD_TYPES[operand]
        )
        compiled.append(_compiled_input_field(operand_name, field_type, SYSTEM_DOCS[operand_name]))
    for definition in fields.values():
        if definition.operand is Operand.SUBFORM:
            entry = _filter_type(
                name[: -len("Filter")] + type_name(definition.name) + "EntryFilter",
                definition.children,
                {},
            )
            any_type = compiled_type(
                name[: -len("Filter")] + type_name(definition.name) + "Filter",
                [_compiled_input_field("any", optional(entry), "At least one entry matches.")],
                is_input=True,
                from_input=_plain_filter,
            )
            compiled.append(
                _compiled_input_field(definition.name, optional(any_type), definition.label)
            )
        else:
            compiled.append(
                _compiled_input_field(
                    definition.name, _OPERATOR_FIELD_TYPES[definition.operand], definition.label
                )
            )
    # and / or / not name the type itself: given their types once it exists
    connectives = [
        _compiled_input_field("and", None, "Every filter holds."),
        _compiled_input_field("or", None, "At least one filter holds."),
        _compiled_input_field("not", None, "The filter does not hold."),
    ]
    cls = compiled_type(
        name,
        compiled + connectives,
        is_input=True,
        description="Every condition given must hold.",
        from_input=_plain_filter,
    )
    for connective, field_type in zip(
        connectives, (optional_list(cls), optional_list(cls), optional(cls)), strict=True
    ):
        connective._resolved = field_type
    return cls


def compile_filter_types(record_type: str, catalogue: Catalogue) -> FilterTypes:
    name = type_name(record_type)
    filter_type = _filter_type(f"{name}Filter", catalogue.fields, catalogue.system)
    sortable = [n for n in catalogue.system if n in SORTABLE_SYSTEM_FIELDS]
    sortable += [f.name for f in catalogue.fields.values() if f.sortable]
    members: Any = enum.Enum(f"{name}OrderField", {n.upper(): n for n in sortable})  # type: ignore[misc]
    field_enum = strawberry.enum(
        members,
        description=f"What {record_type.replace('_', ' ')} records may be sorted by.",
    )
    order = create_type(
        f"{name}Order",
        [
            StrawberryField(
                python_name="field",
                graphql_name="field",
                type_annotation=StrawberryAnnotation(field_enum),
            ),
            StrawberryField(
                python_name="direction",
                graphql_name="direction",
                type_annotation=StrawberryAnnotation(OrderDirection),
                default=OrderDirection.ASC,
            ),
        ],
        is_input=True,
        description="One sort key; later keys break ties, then newest first.",
    )
    return FilterTypes(filter_type, order)


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "__strawberry_definition__"):
        return filter_structure(value)
    return value


def filter_structure(value: Any) -> dict[str, Any]:
    """An input object of an operator type (`TextFilter`, ...) as the backend's plain filter."""
    plain: dict[str, Any] = {}
    for definition in value.__strawberry_definition__.fields:
        given = getattr(value, definition.python_name, None)
        if given is None or given is strawberry.UNSET:
            continue
        name = definition.python_name
        plain[name[:-1] if name[:-1] in KEYWORDS else name] = _plain(given)
    return plain


def order_structure(order: list[Any] | None) -> list[tuple[str, bool]]:
    return [(o.field.value, o.direction is OrderDirection.DESC) for o in order or []]
