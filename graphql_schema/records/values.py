"""Read-service views to the dicts the compiled types read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from backend.records.reading import RecordView
from formengine import FieldDefinition, FieldPath, RecordSchema, ValueKind
from formengine.model import ATTACHMENT_TYPES
from graphql_schema.naming import field_name
from graphql_schema.records.batch import PageBatch
from graphql_schema.records.types import UserRef
from permissions.plan import RecordAccess


class RedactedNames:
    """For one record type: the GraphQL names of the fields, at each level, that an access
    does not let its caller read (`redactedFields`), computed once per access and level."""

    def __init__(self, schema: RecordSchema) -> None:
        self.levels: dict[FieldPath, list[FieldDefinition]] = {}
        self._collect(schema.fields.values(), ())
        # Keyed by what decides the answer: the readable paths (a frozenset hashes once).
        self._cache: dict[tuple[frozenset[FieldPath], FieldPath], list[str]] = {}

    def _collect(self, fields: Iterable[FieldDefinition], parent: FieldPath) -> None:
        level = self.levels.setdefault(parent, [])
        for definition in fields:
            if definition.stores_value:
                level.append(definition)
            if definition.fields:
                self._collect(definition.fields, (*parent, definition.name))

    def at(self, access: RecordAccess, parent: FieldPath) -> list[str]:
        key = (access.readable_paths, parent)
        names = self._cache.get(key)
        if names is None:
            names = sorted(
                field_name(d.name)
                for d in self.levels.get(parent, ())
                if not access.may_read((*parent, d.name))
            )
            if len(self._cache) > 4096:
                self._cache.clear()
            self._cache[key] = names
        return names

    def mark_entries(self, values: Mapping[str, Any], access: RecordAccess, parent: FieldPath):
        """Give each subform entry under `values` its `redacted_fields`, at every depth where
        the read service withheld something (and so handed out copies); elsewhere the entries
        are the stored ones, with nothing to list. Walks the few hiding subforms, not every
        value of the record."""
        depth = len(parent) + 1
        for path in access.hiding:
            if len(path) != depth or path[:-1] != parent or path not in self.levels:
                continue
            value = values.get(path[-1])
            if isinstance(value, list):
                names = self.at(access, path)
                for entry in value:
                    if isinstance(entry, dict):
                        entry["redacted_fields"] = names
                        self.mark_entries(entry, access, path)


def file_subforms(schema: RecordSchema) -> frozenset[str]:
    """The top-level subforms whose entries hold attachment fields."""
    return frozenset(
        d.name
        for d in schema.fields.values()
        if d.value_kind == ValueKind.SUBFORM and any(f.type in ATTACHMENT_TYPES for f in d.fields)
    )


def record_values(
    view: RecordView,
    batch: PageBatch,
    redacted: RedactedNames,
    subforms_with_files: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The record as the compiled types read it, holding only what the caller may read.
    Entries of `subforms_with_files` are copies that also carry the record's context, for
    their `<field>Attachments`."""
    record = view.record
    values: dict[str, Any] = dict(view.values)
    for name in subforms_with_files:
        entries = values.get(name)
        if isinstance(entries, list):
            values[name] = [
                {**e, "_record": record, "_access": view.access, "_batch": batch}
                if isinstance(e, dict)
                else e
                for e in entries
            ]
    redacted.mark_entries(values, view.access, ())
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
        module=record.module,
        redacted_fields=redacted.at(view.access, ()),
        _record=record,
        _access=view.access,
        _batch=batch,
    )
    return values
