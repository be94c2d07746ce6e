"""Attaching files to records, removing them, and handing them out.

Every attach and removal is a write of the record (through the write guard and the one
revision writer, so it is in the history); every download goes through the read service
and the access log.
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
from backend.attachments.errors import FileTooLarge, NotAnAttachmentField, TooManyFiles
from backend.attachments.images import prepare_image
from backend.attachments.links import DownloadGrant
from backend.attachments.models import Attachment
from backend.attachments.scanning import scan
from backend.attachments.sniffing import CHUNK, IMAGE_TYPES, sniff
from backend.attachments.storage import discard, store
from backend.audit.models import AccessLog
from backend.audit.services import log_access
from backend.errors import DomainError, NotFound, check_text_length
from backend.ids import parse_id
from backend.records.access import VisibleRecord, get_record, record_schema
from backend.records.models import Record
from backend.records.reading import RecordView, view_of
from backend.records.revisions import append_revision
from backend.records.signals import record_changed
from backend.records.write_guard import forbidden_changes
from backend.tenancy.context import activate_tenant
from formengine import FieldDefinition, RecordSchema
from formengine.model import ATTACHMENT_TYPES, graphql_name
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


def attachment_field(schema: RecordSchema, field: str) -> FieldDefinition:
    """A top-level attachment field, by its stored or its GraphQL name."""
    for definition in schema.fields.values():
        if definition.type in ATTACHMENT_TYPES and field in (
            definition.name,
            graphql_name(definition.name),
        ):
            return definition
    raise NotAnAttachmentField(
        f"{field!r} is not a photo, audio, document or signature field of {schema.record_type}.",
        field="field",
    )


def _file_name(name: str) -> str:
    cleaned = _UNSAFE_NAME.sub("", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip()
    return cleaned[-FILE_NAME_MAX_LENGTH:] or "file"


def _sha256(file: IO[bytes]) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    while chunk := file.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _room_left(record: Record, definition: FieldDefinition) -> bool:
    """Whether one more file fits; a file that replaces a single field's file takes no room."""
    live = Attachment.objects.filter(record_id=record.pk, removed_at__isnull=True)
    if not definition.multiple and record.data.get(definition.name):
        live = live.exclude(field_name=definition.name)
    return live.count() < settings.ATTACHMENT_MAX_PER_RECORD


def _attached_value(definition: FieldDefinition, current: Any, attachment_id: str) -> Any:
    if definition.multiple:
        return [*(current if isinstance(current, list) else []), attachment_id]
    return attachment_id


def _check_writable(
    visible: VisibleRecord, schema: RecordSchema, name: str, value: Any, source: str
) -> None:
    data = visible.record.data
    refused = forbidden_changes(
        visible.access, schema, {name: value}, data, {**data, name: value}, source=source
    )
    if refused:
        raise ForbiddenAttachmentField(
            refused[0].message,
            errors=[{"code": e.code, "message": e.message, "path": ["field"]} for e in refused],
        )


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


def attach_file(
    user: User,
    record_type: str,
    record_id: str,
    field: str,
    upload: Upload,
    *,
    description: str = "",
    client_mutation_id: str = "",
    source: str = "web",
) -> Attachment:
    """Check, store and attach one file to a record's attachment field. A re-sent upload
    (same user and clientMutationId) returns the attachment stored the first time."""
    earlier = _earlier_upload(user, client_mutation_id)
    if earlier is not None:
        return earlier
    check_text_length("description", description, DESCRIPTION_MAX_LENGTH)
    check_text_length("clientMutationId", client_mutation_id, 100)
    _, schema = record_schema(user, record_type)
    definition = attachment_field(schema, field)
    visible = get_record(user, record_type, record_id)
    require_action(user, "write", record_type)
    placeholder = _attached_value(definition, visible.record.data.get(definition.name), "x")
    _check_writable(visible, schema, definition.name, placeholder, source)
    limit = int(settings.ATTACHMENT_MAX_FILE_BYTES)
    if upload.size > limit:
        raise FileTooLarge(f"The file is over the limit of {limit} bytes.", field="file")
    if not _room_left(visible.record, definition):
        raise _too_many()
    file_name = _file_name(upload.name)
    sniffed = sniff(upload.file, upload.size, definition.type, file_name)
    scan(upload.file)
    image = None
    if sniffed.content_type in IMAGE_TYPES:
        image = prepare_image(
            upload.file, sniffed.content_type, settings.ATTACHMENT_MAX_IMAGE_PIXELS
        )
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
            record = Record.objects.select_for_update().get(pk=visible.record.pk)
            if not _room_left(record, definition):
                raise _too_many()
            attachment = Attachment.objects.create(
                tenant_id=user.tenant_id,
                record=record,
                field_name=definition.name,
                storage_name=stored[0],
                thumbnail_name=stored[1] if len(stored) > 1 else "",
                file_name=file_name,
                description=description,
                content_type=sniffed.content_type,
                size=size,
                sha256=sha256,
                width=image.width if image else None,
                height=image.height if image else None,
                created_by=user,
                client_mutation_id=client_mutation_id,
            )
            old = record.data.get(definition.name)
            new = _attached_value(definition, old, str(attachment.pk))
            if not definition.multiple and old:
                _mark_removed(record, [str(old)], user)
            _write(record, user, definition.name, old, new, "attach", source, client_mutation_id)
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
    name: str,
    old: Any,
    new: Any,
    action: str,
    source: str,
    client_mutation_id: str,
) -> None:
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
    if not visible.access.may_read((attachment.field_name,)):
        raise missing
    require_action(user, "write", record_type)
    _, schema = record_schema(user, record_type)
    with transaction.atomic():
        record = Record.objects.select_for_update().get(pk=attachment.record_id)
        old = record.data.get(attachment.field_name)
        if isinstance(old, list):
            new: Any = [i for i in old if i != str(attachment.pk)] or None
        else:
            new = None if old == str(attachment.pk) else old
        _check_writable(
            VisibleRecord(record, visible.access), schema, attachment.field_name, new, source
        )
        _mark_removed(record, [str(attachment.pk)], user)
        if new != old:
            _write(
                record,
                user,
                attachment.field_name,
                old,
                new,
                "remove_attachment",
                source,
                client_mutation_id,
            )
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
    the caller) holds, in the order it holds them."""
    ids = value if isinstance(value, list) else [value] if value else []
    by_id = {str(a.pk): a for a in attachments if a.field_name == field_name}
    return [by_id[i] for i in ids if isinstance(i, str) and i in by_id]


@dataclass(frozen=True)
class Download:
    attachment: Attachment
    storage_name: str
    content_type: str
    file_name: str


class DownloadRefused(Exception):
    pass


def open_download(grant: DownloadGrant) -> Download:
    """What a signed link may fetch now: the link's user must still read the field, on a
    record still in sight, and the file must still be attached. Logged as a download."""
    refused = DownloadRefused("You may not download this file (any more).")
    with transaction.atomic():
        activate_tenant(grant.tenant_id)
        user = User.objects.filter(
            pk=grant.user_id, tenant_id=grant.tenant_id, is_active=True
        ).first()
        attachment = (
            Attachment.objects.filter(
                pk=grant.object_id, tenant_id=grant.tenant_id, removed_at__isnull=True
            )
            .select_related("record")
            .first()
        )
        if user is None or attachment is None:
            raise refused
        try:
            view = view_of(get_record(user, attachment.record.record_type, attachment.record_id))
        except NotFound:
            raise refused from None
        readable = attached_to(
            view.values.get(attachment.field_name), [attachment], attachment.field_name
        )
        if not readable:
            raise refused
        name = (
            attachment.thumbnail_name if grant.variant == "thumbnail" else attachment.storage_name
        )
        if not name:
            raise refused
        log_access(user, [attachment.record], AccessLog.Action.DOWNLOAD)
    return Download(attachment, name, attachment.content_type, attachment.file_name)
