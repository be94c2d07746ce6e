"""Where a file goes: a top-level attachment field (`photo_profile`), or an attachment field of
one entry of a top-level subform (`photos.photo_file` with the entry's uid).

An attachment's `field_name` is the stored path (`photos.photo_file`), its `entry_uid` the
entry's. Writing the file is a write of the top-level value (the whole subform list, the one
entry changed), so the write guard and the history see it like any other subform edit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from backend.attachments.errors import NotAnAttachmentField, UnknownSubformEntry
from formengine import FieldDefinition, FieldPath, RecordSchema
from formengine.model import ATTACHMENT_TYPES, FieldType, graphql_name


@dataclass(frozen=True)
class AttachmentTarget:
    definition: FieldDefinition  # the photo, audio, document or signature field
    subform: str | None = None  # the top-level subform holding it, if any
    entry_uid: str = ""

    @property
    def top(self) -> str:
        """The top-level field whose value a write of this target changes."""
        return self.subform or self.definition.name

    @property
    def path(self) -> FieldPath:
        return (self.subform, self.definition.name) if self.subform else (self.definition.name,)

    @property
    def field_name(self) -> str:
        return ".".join(self.path)

    def value_in(self, data: Mapping[str, Any]) -> Any:
        """The target's value in a record's data (stored, or as the read service handed it)."""
        if self.subform is None:
            return data.get(self.definition.name)
        entry = _entry(data.get(self.subform), self.entry_uid)
        return entry.get(self.definition.name) if entry is not None else None

    def with_value(self, data: Mapping[str, Any], value: Any) -> Any:
        """The new top-level value holding `value` at the target (other entries as they are)."""
        if self.subform is None:
            return value
        entries = data.get(self.subform)
        return [
            {**e, self.definition.name: value} if _is_entry(e, self.entry_uid) else e
            for e in (entries if isinstance(entries, list) else [])
        ]

    def exists_in(self, data: Mapping[str, Any]) -> bool:
        return self.subform is None or _entry(data.get(self.subform), self.entry_uid) is not None


def _is_entry(entry: Any, uid: str) -> bool:
    return isinstance(entry, Mapping) and entry.get("uid") == uid


def _entry(entries: Any, uid: str) -> Mapping[str, Any] | None:
    if not isinstance(entries, list):
        return None
    return next((e for e in entries if _is_entry(e, uid)), None)


def _named(fields: Iterable[FieldDefinition], name: str) -> FieldDefinition | None:
    return next((d for d in fields if name in (d.name, graphql_name(d.name))), None)


def _not_attachment(schema: RecordSchema, field: str) -> NotAnAttachmentField:
    return NotAnAttachmentField(
        f"{field!r} is not a photo, audio, document or signature field of "
        f"{schema.record_type}, nor one inside a subform (`subform.field`).",
        field="field",
    )


def attachment_target(schema: RecordSchema, field: str, entry_uid: str = "") -> AttachmentTarget:
    """The target named by `field` (GraphQL or stored names, `subform.field` inside a
    subform entry, which `entry_uid` names)."""
    parts = field.split(".")
    if len(parts) > 2:
        raise _not_attachment(schema, field)
    top = _named(schema.fields.values(), parts[0])
    if len(parts) == 1:
        if top is None or top.type not in ATTACHMENT_TYPES:
            raise _not_attachment(schema, field)
        if entry_uid:
            raise UnknownSubformEntry(
                "entryUid is for a field inside a subform entry.", field="entryUid"
            )
        return AttachmentTarget(top)
    if top is None or top.type != FieldType.SUBFORM:
        raise _not_attachment(schema, field)
    child = _named(top.fields, parts[1])
    if child is None or child.type not in ATTACHMENT_TYPES:
        raise _not_attachment(schema, field)
    if not entry_uid:
        raise UnknownSubformEntry(
            "Name the subform entry the file goes to (entryUid).", field="entryUid"
        )
    return AttachmentTarget(child, subform=top.name, entry_uid=entry_uid)


def stored_target(field_name: str, entry_uid: str, schema: RecordSchema) -> AttachmentTarget:
    """The target of a stored attachment (its field may since have left the form)."""
    subform, _, name = field_name.rpartition(".")
    fields: Iterable[FieldDefinition] = schema.fields.values()
    if subform:
        holder = _named(fields, subform)
        fields = holder.fields if holder is not None else ()
    definition = _named(fields, name) or FieldDefinition(name=name, type=FieldType.PHOTO)
    return AttachmentTarget(definition, subform=subform or None, entry_uid=entry_uid)
