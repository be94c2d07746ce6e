"""What a signed link may fetch, decided again at download time."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from backend.accounts.models import User
from backend.attachments.links import DownloadGrant
from backend.attachments.models import Attachment
from backend.attachments.services import attached_to
from backend.attachments.targets import stored_target
from backend.audit.models import AccessLog
from backend.audit.services import log_access
from backend.errors import NotFound
from backend.records.access import get_record, record_schema
from backend.records.reading import view_of
from backend.tenancy.context import activate_tenant


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
        record_type = attachment.record.record_type
        try:
            view = view_of(get_record(user, record_type, attachment.record_id))
            _, schema = record_schema(user, record_type)
        except NotFound:
            raise refused from None
        target = stored_target(attachment.field_name, attachment.entry_uid, schema)
        readable = attached_to(target.value_in(view.values), [attachment], attachment.field_name)
        if not readable:
            raise refused
        name = (
            attachment.thumbnail_name if grant.variant == "thumbnail" else attachment.storage_name
        )
        if not name:
            raise refused
        log_access(user, [attachment.record], AccessLog.Action.DOWNLOAD)
    return Download(attachment, name, attachment.content_type, attachment.file_name)
