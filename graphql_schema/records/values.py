"""Records to the dicts the compiled types read, and input objects to form-engine patches."""

from __future__ import annotations

import dataclasses
from typing import Any

import strawberry

from backend.records.models import Record
from graphql_schema.records.types import UserRef
from permissions.plan import RecordAccess


def record_values(
    record: Record, access: RecordAccess, hidden_children: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The record as the compiled types read it, holding only what the caller may read."""
    data = record.data
    values = {name: data[name] for name in access.readable if name in data}
    for path in hidden_children:
        name, _, child = path.partition(".")
        if isinstance(values.get(name), list):
            values[name] = [
                {k: v for k, v in entry.items() if k != child} for entry in values[name]
            ]
    values.update(
        id=str(record.pk),
        short_id=record.short_id,
        status=record.status,
        revision=record.revision,
        created_at=record.created_at,
        updated_at=record.updated_at,
        owner=UserRef.of(record.owner) if record.owner_id and record.owner else None,
        workflow_stage=record.workflow_stage,
        status_reason=record.status_reason,
        status_changed_at=record.status_changed_at,
        _record=record,
        _access=access,
    )
    return values


def input_to_patch(value: Any) -> Any:
    """A compiled input object to a patch: fields left out (UNSET) are not in the patch."""
    if isinstance(value, list):
        return [input_to_patch(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        patch = {}
        for field in dataclasses.fields(value):
            item = getattr(value, field.name)
            if item is strawberry.UNSET or field.name == "_empty":
                continue
            if field.name == "uid" and item is None:
                continue
            patch[field.name] = input_to_patch(item)
        return patch
    return value
