"""Attachments in the API: `attachFile` (a multipart upload), `removeAttachment`, and on each
record type a `<field>Attachments` list per photo, audio, document and signature field.

The list reads the field's value as the read service handed it to the caller: a field the
caller may not read gives null (and its path in `extensions.redacted`), like any value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

import strawberry
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from strawberry.file_uploads import Upload
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from backend.attachments import services
from backend.attachments.links import Variant, link_seconds, sign_download
from backend.attachments.models import Attachment as StoredAttachment
from backend.errors import BadUserInput
from formengine import FieldDefinition
from formengine.model import ATTACHMENT_TYPES
from graphql_schema.context import RequestContext
from graphql_schema.naming import field_name
from graphql_schema.payloads import MutationPayload, mutation_payload
from graphql_schema.records.redaction import ATTACHMENT_LIST_SUFFIX as LIST_SUFFIX
from graphql_schema.scalars import DateTime

FIELD_DESCRIPTION = (
    "The attachment field: `photoProfile`, or `photos.photoFile` for one inside a subform "
    "entry (GraphQL or stored names)."
)
ENTRY_UID_DESCRIPTION = "The uid of the subform entry, for a field inside a subform."
EXPIRES_DESCRIPTION = "Seconds the link stays valid: 60 unless asked, at most 3600."


def _link(
    info: Info[RequestContext, None],
    stored: StoredAttachment,
    variant: Variant,
    expires_in_seconds: int | None,
) -> str:
    user = info.context.user
    token = sign_download(
        stored.pk, user.pk, user.tenant_id, variant, link_seconds(expires_in_seconds)
    )
    return info.context.request.build_absolute_uri(reverse("attachment-download", args=[token]))


@strawberry.type(description="A smaller copy of an image attachment.")
class AttachmentThumbnail:
    _stored: strawberry.Private[StoredAttachment]

    @strawberry.field(description="A signed download link, for you only, valid briefly.")
    def url(
        self,
        info: Info[RequestContext, None],
        expires_in_seconds: Annotated[
            int | None, strawberry.argument(description=EXPIRES_DESCRIPTION)
        ] = None,
    ) -> str:
        return _link(info, self._stored, "thumbnail", expires_in_seconds)


@strawberry.type(
    description="A file attached to a record's photo, audio, document or "
    "signature field. Its content type is sniffed from the bytes, not taken "
    "from the client; images are stored re-encoded, without EXIF or GPS."
)
class Attachment:
    _stored: strawberry.Private[StoredAttachment]
    id: strawberry.ID
    field: str = strawberry.field(
        description="The field it is attached to (stored path: `photos.photo_file` inside a "
        "subform entry)."
    )
    entry_uid: strawberry.ID | None = strawberry.field(
        description="The subform entry it is attached to; null for a top-level field."
    )
    file_name: str = strawberry.field(description="The name it was uploaded under.")
    description: str
    content_type: str
    size: int = strawberry.field(description="Bytes, as stored.")
    sha256: str = strawberry.field(description="Of the bytes as stored (hex).")
    width: int | None
    height: int | None
    duration_seconds: float | None
    created_at: DateTime
    removed_at: DateTime | None = strawberry.field(
        description="Set once removed: the file is kept as history, no longer attached."
    )

    @strawberry.field(description="Null for files other than images.")
    def thumbnail(self) -> AttachmentThumbnail | None:
        if not self._stored.thumbnail_name:
            return None
        return AttachmentThumbnail(_stored=self._stored)

    @strawberry.field(
        description="A signed download link, for you only: the server checks again, when it "
        "is used, that you may still read the field."
    )
    def url(
        self,
        info: Info[RequestContext, None],
        expires_in_seconds: Annotated[
            int | None, strawberry.argument(description=EXPIRES_DESCRIPTION)
        ] = None,
    ) -> str:
        return _link(info, self._stored, "file", expires_in_seconds)

    @classmethod
    def of(cls, stored: StoredAttachment) -> Attachment:
        return cls(
            _stored=stored,
            id=strawberry.ID(str(stored.pk)),
            field=stored.field_name,
            entry_uid=strawberry.ID(stored.entry_uid) if stored.entry_uid else None,
            file_name=stored.file_name,
            description=stored.description,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            width=stored.width,
            height=stored.height,
            duration_seconds=stored.duration_seconds,
            created_at=stored.created_at,
            removed_at=stored.removed_at,
        )


def _attachment_list(definition: FieldDefinition, subform: str | None) -> StrawberryField:
    name = definition.name
    path = (subform, name) if subform else (name,)
    stored = ".".join(path)

    # `root` is a record's values, or one subform entry's with its record's context.
    def attachments(root: strawberry.Parent[Any]) -> list[Attachment] | None:
        if not root["_access"].may_read(path):
            return None
        if not root.get(name):
            return []  # holds no file: the page's attachments need not be looked at
        page = root["_batch"].load("attachments", services.attachments_of_page, root["_record"].pk)
        return [Attachment.of(a) for a in services.attached_to(root.get(name), page, stored)]

    attachments.__name__ = name + "_attachments"
    return strawberry.field(
        attachments,
        name=field_name(name) + LIST_SUFFIX,
        description=f"The files attached to {field_name(name)}; null when you may not read it.",
        deprecation_reason=definition.deprecation_reason if definition.deprecated else None,
    )


def attachment_list_fields(
    fields: Iterable[FieldDefinition], subform: str | None = None
) -> list[StrawberryField]:
    """`<field>Attachments` for each attachment field of a record type, or of the entries
    of its top-level subform `subform`."""
    return [_attachment_list(d, subform) for d in fields if d.type in ATTACHMENT_TYPES]


@strawberry.type
class AttachFilePayload(MutationPayload):
    attachment: Attachment | None = None


@strawberry.type
class RemoveAttachmentPayload(MutationPayload):
    attachment: Attachment | None = None


def _upload(file: Any) -> services.Upload:
    if not isinstance(file, UploadedFile):
        raise BadUserInput(
            "Send the file as a multipart upload (the `file` variable).", field="file"
        )
    return services.Upload(file=file, size=file.size or 0, name=file.name or "")


def _attach(
    info: Info[RequestContext, None],
    record_type: str,
    record_id: str,
    field: str,
    file: Any,
    entry_uid: str,
    description: str,
    resend_key: str,
) -> AttachFilePayload:
    stored = services.attach_file(
        info.context.user,
        record_type,
        record_id,
        field,
        _upload(file),
        entry_uid=entry_uid,
        description=description,
        client_mutation_id=resend_key,
    )
    return AttachFilePayload(attachment=Attachment.of(stored))


# The clientMutationId is the key of a re-sent upload, not only echoed.
_attach_file: Any = mutation_payload(_attach)


@strawberry.type
class AttachmentsMutation:
    @strawberry.mutation(
        description="Attach a file to a record's photo, audio, document or signature field. "
        "Sent as multipart/form-data (the GraphQL multipart request spec). Re-sending with "
        "the same clientMutationId returns the first upload and stores nothing again."
    )
    def attach_file(
        self,
        info: Info[RequestContext, None],
        record_type: str,
        record_id: strawberry.ID,
        field: Annotated[str, strawberry.argument(description=FIELD_DESCRIPTION)],
        file: Upload,
        entry_uid: Annotated[
            strawberry.ID | None, strawberry.argument(description=ENTRY_UID_DESCRIPTION)
        ] = None,
        description: str | None = None,
        client_mutation_id: str | None = None,
    ) -> AttachFilePayload:
        return _attach_file(
            info,
            record_type,
            str(record_id),
            field,
            file,
            str(entry_uid or ""),
            description or "",
            resend_key=client_mutation_id or "",
            client_mutation_id=client_mutation_id,
        )

    @strawberry.mutation(
        description="Take a file off its record. It stays in the history, not attached."
    )
    @mutation_payload
    def remove_attachment(
        self,
        info: Info[RequestContext, None],
        id: strawberry.ID,
        client_mutation_id: str | None = None,
    ) -> RemoveAttachmentPayload:
        stored = services.remove_attachment(info.context.user, str(id))
        return RemoveAttachmentPayload(attachment=Attachment.of(stored))
