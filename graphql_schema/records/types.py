"""Compile a record type's effective schema into Strawberry output and input types.

Field values are read from one prepared dict per record (see `record_values`), through the
schema's default resolver: no resolver per leaf.
"""

from __future__ import annotations

import types
from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import strawberry
from django.utils import timezone
from strawberry.tools import create_type
from strawberry.types.field import StrawberryField

from backend.notifications.overdue import is_overdue
from backend.workflows.config import ServiceSettings
from formengine import FieldDefinition, RecordSchema, ValueKind
from graphql_schema.attachments import attachment_list_fields
from graphql_schema.enums import RecordState
from graphql_schema.naming import field_name, type_name
from graphql_schema.node_interface import Node, is_record_values
from graphql_schema.payloads import payload_fields
from graphql_schema.records.fields import compiled_field
from graphql_schema.scalars import Date, DateTime

_SCALARS: dict[ValueKind, Any] = {
    ValueKind.STRING: str,
    ValueKind.INTEGER: int,
    ValueKind.DECIMAL: float,
    ValueKind.BOOLEAN: bool,
    ValueKind.DATE: Date,
    ValueKind.DATETIME: DateTime,
    ValueKind.STRING_LIST: list[str],
}


@strawberry.type(description="A count per option of a tally field.")
class TallyCount:
    key: str = strawberry.field(description="The option id.")
    count: int


@strawberry.input(description="A count per option of a tally field.")
class TallyCountInput:
    key: str = strawberry.field(description="The option id.")
    count: int


# Stored as {option id: count}: read through _tally_field, written through input_to_patch.
_INPUT_SCALARS = {**_SCALARS, ValueKind.TALLY: list[TallyCountInput]}


@strawberry.type(description="A user, as records show them.")
class UserRef(Node):
    id: strawberry.ID
    username: str
    full_name: str

    @classmethod
    def of(cls, user: Any) -> UserRef:
        return cls(
            id=strawberry.ID(str(user.public_id)), username=user.username, full_name=user.full_name
        )


@strawberry.type(description="Where a page sits in its list (Relay connections).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@dataclass(frozen=True)
class RecordTypes:
    """The Strawberry types compiled for one record type."""

    record_type: str
    schema: RecordSchema
    output: type
    input: type
    connection: type
    payload: type


def _label(definition: FieldDefinition) -> str | None:
    return definition.label.get("en") or next(iter(definition.label.values()), None)


def _overduecompiled_field(services: ServiceSettings) -> StrawberryField:
    def overdue(root: strawberry.Parent[Any]) -> bool:
        return is_overdue(root, timezone.localdate(), services)

    return strawberry.field(
        overdue,
        name="overdue",
        description="Due before today and not implemented (derived, not stored).",
    )


def _tallycompiled_field(definition: FieldDefinition) -> StrawberryField:
    name = definition.name

    def tally(root: strawberry.Parent[Any]) -> list[TallyCount] | None:
        counts = root.get(name)
        if counts is None:
            return None
        return [TallyCount(key=key, count=count) for key, count in counts.items()]

    tally.__name__ = name
    return strawberry.field(
        tally,
        name=field_name(name),
        description=_label(definition),
        deprecation_reason=definition.deprecation_reason if definition.deprecated else None,
    )


def _output_fields(
    fields: Sequence[FieldDefinition],
    prefix: str,
    services: ServiceSettings | None = None,
    *,
    top_level: bool = True,
) -> list[StrawberryField]:
    compiled = []
    for definition in fields:
        kind = definition.value_kind
        if kind == ValueKind.NONE:
            continue
        if kind == ValueKind.SUBFORM:
            entry_fields = [
                compiled_field("uid", strawberry.ID),
                _entry_redacted_fieldscompiled_field(),
                *_output_fields(
                    definition.fields, prefix + type_name(definition.name), top_level=False
                ),
            ]
            if top_level:  # files go to entries of top-level subforms (attachments/targets.py)
                entry_fields += attachment_list_fields(definition.fields, subform=definition.name)
            if services is not None and definition.name == services.field:
                entry_fields.append(_overduecompiled_field(services))
            entry = create_type(
                prefix + type_name(definition.name), entry_fields, description=_label(definition)
            )
            annotation: Any = list[entry] | None  # type: ignore[valid-type]
        elif kind == ValueKind.TALLY:
            compiled.append(_tallycompiled_field(definition))
            continue
        else:
            annotation = _SCALARS[kind] | None
        compiled.append(
            compiled_field(
                definition.name,
                annotation,
                description=_label(definition),
                deprecation_reason=definition.deprecation_reason if definition.deprecated else None,
                default=None,
            )
        )
    return compiled


REDACTED_FIELDS_DESCRIPTION = (
    "Fields of this object you may not read: they are null here, whatever their stored "
    "value. Also listed by response path in `extensions.redacted`."
)


def _redacted_fields() -> StrawberryField:
    return compiled_field("redacted_fields", list[str], description=REDACTED_FIELDS_DESCRIPTION)


def _entry_redacted_fields(root: strawberry.Parent[Any]) -> list[str]:
    # Entries the read service handed on uncopied withhold nothing, and carry no list.
    names: list[str] = root.get("redacted_fields") or []
    return names


def _entry_redacted_fieldscompiled_field() -> StrawberryField:
    return strawberry.field(
        _entry_redacted_fields, name="redactedFields", description=REDACTED_FIELDS_DESCRIPTION
    )


def _writable(definition: FieldDefinition) -> bool:
    return not (
        definition.deprecated or definition.is_calculated or definition.value_kind == ValueKind.NONE
    )


def _input_fields(fields: Sequence[FieldDefinition], prefix: str) -> list[StrawberryField]:
    compiled = []
    for definition in fields:
        if not _writable(definition):
            continue
        if definition.value_kind == ValueKind.SUBFORM:
            entry_name = prefix + type_name(definition.name) + "Input"
            entry = create_type(
                entry_name,
                [
                    compiled_field(
                        "uid",
                        strawberry.ID | None,
                        description="Leave out for a new entry; keep to change one.",
                    ),
                    *_input_fields(definition.fields, prefix + type_name(definition.name)),
                ],
                is_input=True,
            )
            annotation: Any = list[entry] | None  # type: ignore[valid-type]
        else:
            annotation = _INPUT_SCALARS[definition.value_kind] | None
        field = compiled_field(definition.name, annotation, description=_label(definition))
        if definition.value_kind == ValueKind.TALLY:
            field.metadata = MappingProxyType({"tally": True})
        compiled.append(field)
    return compiled


SYSTEM_FIELDS: list[tuple[str, Any, str]] = [
    ("id", strawberry.ID, "Stable identifier."),
    ("short_id", str, "Short identifier people read out."),
    ("status", RecordState, "Open until closed; reopened after that."),
    ("revision", int, "Bumped on every write; send it back as baseRevision."),
    ("created_at", DateTime, "When the record was registered."),
    ("updated_at", DateTime, "When the record last changed."),
    ("owner", UserRef | None, "The user responsible for the record."),
    ("workflow_stage", str, "Where the record is in the tenant's workflow."),
    ("status_reason", str, "Why the record was last closed or reopened."),
    ("status_changed_at", DateTime | None, "When the record was last closed or reopened."),
    ("module", str | None, "The key of the module (programme) the record belongs to, if any."),
]


def _node_type(name: str, fields: list[StrawberryField]) -> type:
    """A record type implementing Node (create_type, with the interface as base)."""
    namespace: dict[str, Any] = {str(f.python_name or f.graphql_name): f for f in fields}
    namespace["__annotations__"] = {name: f.type for name, f in namespace.items()}
    namespace["is_type_of"] = staticmethod(is_record_values)
    cls = types.new_class(name, (Node,), {}, lambda ns: ns.update(namespace))
    return strawberry.type(cls)


def compile_record_types(
    schema: RecordSchema,
    *,
    extra_fields: Sequence[StrawberryField] = (),
    services: ServiceSettings | None = None,
) -> RecordTypes:
    """`extra_fields` are added to the record type as they are (e.g. its workflow lists);
    `services` names the subform whose entries get the derived `overdue`."""
    name = type_name(schema.record_type)
    if services is not None and services.record_type != schema.record_type:
        services = None
    dynamic = _output_fields(list(schema.fields.values()), name, services)
    dynamic += attachment_list_fields(schema.fields.values())
    system = [compiled_field(n, t, description=d) for n, t, d in SYSTEM_FIELDS]
    system.append(_redacted_fields())
    system += extra_fields
    output = _node_type(name, [*system, *dynamic])
    inputs = _input_fields(list(schema.fields.values()), name) or [
        compiled_field(
            "_empty", str | None, description="This record type has no writable field yet."
        )
    ]
    input_type = create_type(f"{name}Input", inputs, is_input=True)
    edge = create_type(
        f"{name}Edge", [compiled_field("cursor", str), compiled_field("node", output)]
    )
    connection = create_type(
        f"{name}Connection",
        [
            compiled_field("edges", list[edge]),  # type: ignore[valid-type]
            compiled_field("page_info", PageInfo),
            compiled_field("total_count", int, description="Records visible to you in all pages."),
        ],
    )
    payload = create_type(
        f"{name}Payload",
        [
            compiled_field(
                "record",
                output | None,
                graphql=field_name(schema.record_type),
                description="The record as saved; null when nothing was saved.",
            ),
            *payload_fields(),
        ],
    )
    return RecordTypes(schema.record_type, schema, output, input_type, connection, payload)
