"""Attaching files to records and removing them.

Every attach and removal is a write of the record (through the write guard and the one
revision writer, so it is in the history). A file goes to a top-level attachment field or to
one inside a subform entry (targets.py); downloads are in downloads.py.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.attachments.allow_list import allowed_types
from backend.attachments.audio import duration_seconds
from backend.attachments.errors import FileTooLarge, TooManyFiles, UnknownSubformEntry
from backend.attachments.images import prepare_image
from backend.attachments.models import Attachment
from backend.attachments.scanning import scan
from backend.attachments.sniffing import CHUNK, IMAGE_TYPES, sniff
from backend.attachments.storage import discard, store
from backend.attachments.targets import AttachmentTarget, attachment_target, stored_target
from backend.errors import DomainError, NotFound, check_text_length
from backend.ids import parse_id
from backend.records.access import VisibleRecord, get_record, record_schema
from backend.records.models import Record
from backend.records.reading import RecordView
from backend.records.revisions import append_revision
from backend.records.signals import record_changed
from backend.records.write_guard import forbidden_changes
from formengine import FieldType, RecordSchema
from permissions.actions import require_action

DESCRIPTION_MAX_LENGTH = 2000
FILE_NAME_MAX_LENGTH = 255
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass(frozen=True)
class Upload:
    """A received file: its bytes (a temporary file), size, and the name the client gave."""

    file: IO[bytes]
    size: int
    name: str


class ForbiddenAttachmentField(DomainError):
    pass


def _file_name(name: str) -> str:
    cleaned = _UNSAFE_NAME.sub("", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip()
    return cleaned[-FILE_NAME_MAX_LENGTH:] or "file"


def _sha256(file: IO[bytes]) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    while chunk := file.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _replaced(target: AttachmentTarget, data: Mapping[str, Any]) -> str | None:
    """The attachment a new file replaces: a single field's current one."""
    current = target.value_in(data)
    if target.definition.multiple or not isinstance(current, str) or not _is_uuid(current):
        return None
    return current


def _room_left(record: Record, target: AttachmentTarget) -> bool:
    """Whether one more file fits; a file that replaces a single field's file takes no room."""
    live = Attachment.objects.filter(record_id=record.pk, removed_at__isnull=True)
    replaced = _replaced(target, record.data)
    if replaced is not None:
        live = live.exclude(pk=replaced)
    return live.count() < settings.ATTACHMENT_MAX_PER_RECORD


def _attached_value(target: AttachmentTarget, current: Any, attachment_id: str) -> Any:
    if target.definition.multiple:
        return [*(current if isinstance(current, list) else []), attachment_id]
    return attachment_id


def _check_writable(
    visible: VisibleRecord, schema: RecordSchema, target: AttachmentTarget, value: Any, source: str
) -> Any:
    """The new top-level value with `value` at the target, if the caller may write it."""
    data = visible.record.data
    new = target.with_value(data, value)
    refused = forbidden_changes(
        visible.access, schema, {target.top: new}, data, {**data, target.top: new}, source=source
    )
    if refused:
        raise ForbiddenAttachmentField(
            refused[0].message,
            errors=[{"code": e.code, "message": e.message, "path": ["field"]} for e in refused],
        )
    return new


def _earlier_upload(user: User, client_mutation_id: str) -> Attachment | None:
    if not client_mutation_id:
        return None
    earlier = (
        Attachment.objects.filter(
            tenant_id=user.tenant_id, created_by=user, client_mutation_id=client_mutation_id
        )
        .select_related("record")
        .first()
    )
    if earlier is not None:
        get_record(user, earlier.record.record_type, earlier.record_id)  # still in sight
    return earlier


def _check_entry(visible: VisibleRecord, target: AttachmentTarget) -> None:
    """A subform target's entry must exist, in a subform the caller may read."""
    if target.subform is None:
        return
    if not target.exists_in(visible.record.data) or not visible.access.may_read((target.subform,)):
        raise UnknownSubformEntry(
            f"No entry {target.entry_uid!r} in {target.subform}: save the entry first.",
            field="entryUid",
        )


def attach_file(
    user: User,
    record_type: str,
    record_id: str,
    field: str,
    upload: Upload,
    *,
    entry_uid: str = "",
    description: str = "",
    client_mutation_id: str = "",
    source: str = "web",
) -> Attachment:
    """Check, store and attach one file to a record's attachment field, or to one inside a
    subform entry (`field` "photos.photoFile" with the entry's uid). A re-sent upload (same
    user and clientMutationId) returns the attachment stored the first time."""
    earlier = _earlier_upload(user, client_mutation_id)
    if earlier is not None:
        return earlier
    check_text_length("description", description, DESCRIPTION_MAX_LENGTH)
    check_text_length("clientMutationId", client_mutation_id, 100)
    _, schema = record_schema(user, record_type)
    target = attachment_target(schema, field, entry_uid)
    visible = get_record(user, record_type, record_id)
    _check_entry(visible, target)
    require_action(user, "write", record_type)
    placeholder = _attached_value(target, target.value_in(visible.record.data), "x")
    _check_writable(visible, schema, target, placeholder, source)
    limit = int(settings.ATTACHMENT_MAX_FILE_BYTES)
    if upload.size > limit:
        raise FileTooLarge(f"The file is over the limit of {limit} bytes.", field="file")
    if not _room_left(visible.record, target):
        raise _too_many()
    file_name = _file_name(upload.name)
    field_type = target.definition.type
    allowed = allowed_types(user.tenant, field_type)
    sniffed = sniff(upload.file, upload.size, field_type, file_name, allowed)
    scan(upload.file)
    image = None
    if sniffed.content_type in IMAGE_TYPES:
        image = prepare_image(
            upload.file, sniffed.content_type, settings.ATTACHMENT_MAX_IMAGE_PIXELS
        )
    duration = duration_seconds(upload.file) if field_type == FieldType.AUDIO else None
    stored: list[str] = []
    try:
        if image is not None:
            stored.append(store(user.tenant_id, image.content))
            stored.append(store(user.tenant_id, image.thumbnail))
            size, sha256 = len(image.content), hashlib.sha256(image.content).hexdigest()
        else:
            stored.append(store(user.tenant_id, upload.file))
            size, sha256 = upload.size, _sha256(upload.file)
        with transaction.atomic():
            record = Record.objects.select_for_update(no_key=True).get(pk=visible.record.pk)
            if not target.exists_in(record.data):
                raise UnknownSubformEntry(
                    f"The entry {entry_uid!r} was removed meanwhile.", field="entryUid"
                )
            if not _room_left(record, target):
                raise _too_many()
            attachment = Attachment.objects.create(
                tenant_id=user.tenant_id,
                record=record,
                field_name=target.field_name,
                entry_uid=target.entry_uid,
                storage_name=stored[0],
                thumbnail_name=stored[1] if len(stored) > 1 else "",
                file_name=file_name,
                description=description,
                content_type=sniffed.content_type,
                size=size,
                sha256=sha256,
                width=image.width if image else None,
                height=image.height if image else None,
                duration_seconds=duration,
                created_by=user,
                client_mutation_id=client_mutation_id,
            )
            replaced = _replaced(target, record.data)
            value = _attached_value(target, target.value_in(record.data), str(attachment.pk))
            if replaced is not None:
                _mark_removed(record, [replaced], user)
            _write(record, user, target, value, "attach", source, client_mutation_id)
    except IntegrityError:
        discard(*stored)
        again = _earlier_upload(user, client_mutation_id)  # a concurrent re-send won
        if again is None:
            raise
        return again
    except BaseException:
        discard(*stored)
        raise
    return attachment


def _too_many() -> TooManyFiles:
    limit = settings.ATTACHMENT_MAX_PER_RECORD
    return TooManyFiles(f"The record already holds {limit} attachments.", field="recordId")


def _mark_removed(record: Record, ids: Sequence[str], user: User) -> None:
    Attachment.objects.filter(
        record=record, pk__in=[i for i in ids if _is_uuid(i)], removed_at__isnull=True
    ).update(removed_at=timezone.now(), removed_by=user)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _write(
    record: Record,
    user: User,
    target: AttachmentTarget,
    value: Any,
    action: str,
    source: str,
    client_mutation_id: str,
) -> None:
    """Store `value` at the target: a write of its top-level field, in the history."""
    name = target.top
    old, new = record.data.get(name), target.with_value(record.data, value)
    record.data = {**record.data, name: new}
    append_revision(
        record,
        {name: (old, new)},
        actor=user,
        source=source,
        action=action,
        client_mutation_id=client_mutation_id,
        data_fields=[name],
    )
    record_changed.send(sender=Record, record=record, actor=user)


def remove_attachment(
    user: User, attachment_id: str, *, source: str = "web", client_mutation_id: str = ""
) -> Attachment:
    """Take a file off its record. The row and the file stay, as history."""
    pk = parse_id(attachment_id)
    missing = NotFound(f"No attachment with id {attachment_id}.")
    attachment = (
        Attachment.objects.filter(tenant_id=user.tenant_id, pk=pk, removed_at__isnull=True)
        .select_related("record")
        .first()
    )
    if attachment is None:
        raise missing
    record_type = attachment.record.record_type
    try:
        visible = get_record(user, record_type, attachment.record_id)
    except NotFound:
        raise missing from None
    _, schema = record_schema(user, record_type)
    target = stored_target(attachment.field_name, attachment.entry_uid, schema)
    if not visible.access.may_read(target.path):
        raise missing
    require_action(user, "write", record_type)
    with transaction.atomic():
        record = Record.objects.select_for_update(no_key=True).get(pk=attachment.record_id)
        old = target.value_in(record.data)
        if isinstance(old, list):
            new: Any = [i for i in old if i != str(attachment.pk)] or None
        else:
            new = None if old == str(attachment.pk) else old
        _check_writable(VisibleRecord(record, visible.access), schema, target, new, source)
        _mark_removed(record, [str(attachment.pk)], user)
        if new != old:
            _write(record, user, target, new, "remove_attachment", source, client_mutation_id)
    attachment.refresh_from_db()
    return attachment


def attachments_of_page(
    user: User, views: Sequence[RecordView]
) -> Mapping[uuid.UUID, list[Attachment]]:
    """The attached files of a page of records, in one query (read them through
    `attached_to`, which keeps to what the caller may read)."""
    found: dict[uuid.UUID, list[Attachment]] = {}
    rows = Attachment.objects.filter(
        tenant_id=user.tenant_id,
        record_id__in=[v.record.pk for v in views],
        removed_at__isnull=True,
    )
    for attachment in rows:
        found.setdefault(attachment.record_id, []).append(attachment)
    return found


def attached_to(value: Any, attachments: Sequence[Attachment], field_name: str) -> list[Attachment]:
    """Of a record's attachments, those a field's value (as the read service handed it to
    the caller) holds, in the order it holds them. `field_name` is the stored path
    (`photo_profile`, `photos.photo_file`)."""
    ids = value if isinstance(value, list) else [value] if value else []
    by_id = {str(a.pk): a for a in attachments if a.field_name == field_name}
    return [by_id[i] for i in ids if isinstance(i, str) and i in by_id]
