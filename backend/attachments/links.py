"""Signed download links: short-lived, bound to one user, tenant, object and variant.

The object is an attachment (variants `file`, `thumbnail`) or an export job's file
(`export`, backend/exports/views.py); each download view accepts only its own variants.

The link only says who asked and until when; the download view decides again, at download
time, whether that user may still read the field (a transfer in between refuses it).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.core import signing

SALT = "attachments.download"
MAX_SECONDS = 3600
Variant = Literal["file", "thumbnail", "export"]
VARIANTS = ("file", "thumbnail", "export")


class LinkRefused(Exception):
    """The link is altered, expired or not a link at all."""


@dataclass(frozen=True)
class DownloadGrant:
    object_id: uuid.UUID  # the attachment's, or the export job's
    user_id: int
    tenant_id: int
    variant: Variant


def link_seconds(requested: int | None) -> int:
    """The lifetime of a link: the default, or what the client asked within 1 s .. 1 h."""
    if requested is None:
        return int(settings.ATTACHMENT_LINK_SECONDS)
    return max(1, min(int(requested), MAX_SECONDS))


def sign_download(
    object_id: uuid.UUID, user_id: int, tenant_id: int, variant: Variant, seconds: int
) -> str:
    expires = int(time.time()) + seconds
    payload = [object_id.hex, user_id, tenant_id, variant, expires]
    return signing.dumps(payload, salt=SALT, compress=False)


def verify_download(token: str) -> DownloadGrant:
    try:
        payload = signing.loads(token, salt=SALT)
        found, user_id, tenant_id, variant, expires = payload
        grant = DownloadGrant(uuid.UUID(hex=found), int(user_id), int(tenant_id), variant)
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkRefused("This download link is not valid.") from None
    if variant not in VARIANTS:
        raise LinkRefused("This download link is not valid.")
    if time.time() > int(expires):
        raise LinkRefused("This download link has expired: ask for a new one.")
    return grant
