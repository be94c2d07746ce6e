"""Compile a record type's effective schema into Strawberry output and input types.

Field values are read from one prepared dict per record (see `record_values`), through the
schema's default resolver: no resolver per leaf.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import strawberry
from django.utils import timezone
from strawberry.types.arguments import InputContext
from strawberry.types.field import StrawberryField

from backend.notifications.overdue import is_overdue
from backend.workflows.config import ServiceSettings
from formengine import FieldDefinition, RecordSchema, ValueKind
from graphql_schema.attachments import attachment_list_fields
from graphql_schema.enums import RecordState
from graphql_schema.naming import field_name, type_name
from graphql_schema.node_interface import Node, is_record_values
from graphql_schema.payloads import payload_fields
from graphql_schema.records.definitions import (
    CompiledField,
    compiled_type,
    list_of,
    optional,
    optional_list,
    resolved,
    shared_resolver,
)
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


def _deprecation(definition: FieldDefinition) -> str | None:
    return definition.deprecation_reason if definition.deprecated else None


# Resolved once per process: a compiled field reuses these instead of an annotation each.
_OUTPUT_TYPES = {kind: resolved(annotation | None) for kind, annotation in _SCALARS.items()}
_INPUT_TYPES = {kind: resolved(annotation | None) for kind, annotation in _INPUT_SCALARS.items()}
_ID = resolved(strawberry.ID)
_OPTIONAL_ID = resolved(strawberry.ID | None)
_STRINGS = resolved(list[str])


def _overdue_field(services: ServiceSettings) -> StrawberryField:
    def overdue(root: strawberry.Parent[Any]) -> bool:
        return is_overdue(root, timezone.localdate(), services)

    return strawberry.field(
        overdue,
        name="overdue",
        description="Due before today and not implemented (derived, not stored).",
    )


def _tally(root: strawberry.Parent[Any], info: strawberry.Info) -> list[TallyCount] | None:
    counts = root.get(info.python_name)
    if counts is None:
        return None
    return [TallyCount(key=key, count=count) for key, count in counts.items()]


_TALLY = shared_resolver(_tally)
_TALLY_TYPE = resolved(list[TallyCount] | None)


def _tally_field(definition: FieldDefinition) -> StrawberryField:
    return CompiledField(
        definition.name,
        _TALLY_TYPE,
        description=_label(definition),
        deprecation_reason=_deprecation(definition),
        resolver=_TALLY,
    )


def _output_fields(
    fields: Sequence[FieldDefinition],
    prefix: str,
    services: ServiceSettings | None = None,
    *,
    top_level: bool = True,
) -> list[StrawberryField]:
    compiled: list[StrawberryField] = []
    for definition in fields:
        kind = definition.value_kind
        if kind == ValueKind.NONE:
            continue
        if kind == ValueKind.SUBFORM:
            entry_fields = [
                CompiledField("uid", _ID),
                _entry_redacted_field(),
                *_output_fields(
                    definition.fields, prefix + type_name(definition.name), top_level=False
                ),
            ]
            if top_level:  # files go to entries of top-level subforms (attachments/targets.py)
                entry_fields += attachment_list_fields(definition.fields, subform=definition.name)
            if services is not None and definition.name == services.field:
                entry_fields.append(_overdue_field(services))
            entry = compiled_type(
                prefix + type_name(definition.name), entry_fields, description=_label(definition)
            )
            field_type: Any = optional_list(entry)
        elif kind == ValueKind.TALLY:
            compiled.append(_tally_field(definition))
            continue
        else:
            field_type = _OUTPUT_TYPES[kind]
        compiled.append(
            CompiledField(
                definition.name,
                field_type,
                description=_label(definition),
                deprecation_reason=_deprecation(definition),
                default=None,
            )
        )
    return compiled


REDACTED_FIELDS_DESCRIPTION = (
    "Fields of this object you may not read: they are null here, whatever their stored "
    "value. Also listed by response path in `extensions.redacted`."
)


def _redacted_fields() -> StrawberryField:
    return CompiledField("redacted_fields", _STRINGS, description=REDACTED_FIELDS_DESCRIPTION)


def _entry_redacted_fields(root: strawberry.Parent[Any]) -> list[str]:
    # Entries the read service handed on uncopied withhold nothing, and carry no list.
    names: list[str] = root.get("redacted_fields") or []
    return names


_ENTRY_REDACTED_FIELDS = shared_resolver(_entry_redacted_fields)


def _entry_redacted_field() -> StrawberryField:
    return CompiledField(
        "redacted_fields",
        _STRINGS,
        description=REDACTED_FIELDS_DESCRIPTION,
        resolver=_ENTRY_REDACTED_FIELDS,
    )


def _writable(definition: FieldDefinition, kind: ValueKind) -> bool:
    return not (definition.deprecated or definition.is_calculated or kind == ValueKind.NONE)


_TALLY_METADATA = MappingProxyType({"tally": True})


class RecordPatch:
    """Builds the patch of a compiled input object (`from_input`): stored names, only the
    fields given; a tally as {option id: count}; a new entry without `uid`."""

    def __init__(self, fields: Sequence[StrawberryField]) -> None:
        self.fields = {str(f.graphql_name): f for f in fields}

    def __call__(
        self, cls: type, value: Mapping[str, Any], context: InputContext
    ) -> dict[str, Any]:
        patch: dict[str, Any] = {}
        for key, given in value.items():
            field = self.fields[key]
            name = field.python_name
            if name == "_empty" or (name == "uid" and given is None):
                continue
            if given is not None:
                if field.metadata.get("tally"):
                    given = {count["key"]: count["count"] for count in given}
                elif isinstance(given, list):
                    given = context.convert(given, field.type, key)
            patch[name] = given
        return patch


def _input_type(name: str, fields: list[StrawberryField]) -> type:
    return compiled_type(name, fields, is_input=True, from_input=RecordPatch(fields))


def _input_fields(fields: Sequence[FieldDefinition], prefix: str) -> list[StrawberryField]:
    compiled: list[StrawberryField] = []
    for definition in fields:
        kind = definition.value_kind
        if not _writable(definition, kind):
            continue
        if kind == ValueKind.SUBFORM:
            entry = _input_type(
                prefix + type_name(definition.name) + "Input",
                [
                    CompiledField(
                        "uid",
                        _OPTIONAL_ID,
                        description="Leave out for a new entry; keep to change one.",
                    ),
                    *_input_fields(definition.fields, prefix + type_name(definition.name)),
                ],
            )
            field_type: Any = optional_list(entry)
        else:
            field_type = _INPUT_TYPES[kind]
        compiled.append(
            CompiledField(
                definition.name,
                field_type,
                description=_label(definition),
                metadata=_TALLY_METADATA if kind == ValueKind.TALLY else None,
            )
        )
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
_SYSTEM_TYPES = [(n, resolved(t), d) for n, t, d in SYSTEM_FIELDS]
_NODE = Node.__strawberry_definition__  # type: ignore[attr-defined]


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
    system: list[StrawberryField] = [
        CompiledField(n, t, description=d) for n, t, d in _SYSTEM_TYPES
    ]
    system.append(_redacted_fields())
    system += extra_fields
    output = compiled_type(
        name,
        [*system, *dynamic],
        bases=(Node,),
        interfaces=[_NODE],
        is_type_of=is_record_values,
    )
    inputs = _input_fields(list(schema.fields.values()), name) or [
        CompiledField(
            "_empty",
            resolved(str | None),
            description="This record type has no writable field yet.",
        )
    ]
    input_type = _input_type(f"{name}Input", inputs)
    edge = compiled_type(
        f"{name}Edge", [CompiledField("cursor", resolved(str)), CompiledField("node", output)]
    )
    connection = compiled_type(
        f"{name}Connection",
        [
            CompiledField("edges", list_of(edge)),
            CompiledField("page_info", resolved(PageInfo)),
            CompiledField(
                "total_count", resolved(int), description="Records visible to you in all pages."
            ),
        ],
    )
    payload = compiled_type(
        f"{name}Payload",
        [
            CompiledField(
                "record",
                optional(output),
                graphql_name=field_name(schema.record_type),
                description="The record as saved; null when nothing was saved.",
            ),
            *payload_fields(),
        ],
    )
    return RecordTypes(schema.record_type, schema, output, input_type, connection, payload)
