"""Where attachment files live: the "attachments" storage (settings.STORAGES), under random
names grouped by tenant. Never the user's file name."""

from __future__ import annotations

import uuid
from typing import IO

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages


def attachment_storage() -> Storage:
    return storages["attachments"]


def store(tenant_id: int, content: bytes | IO[bytes]) -> str:
    """Save `content` under a fresh random name; the name the storage gave it."""
    name = f"{int(tenant_id)}/{uuid.uuid4().hex}"
    if isinstance(content, bytes):
        return attachment_storage().save(name, ContentFile(content))
    content.seek(0)
    return attachment_storage().save(name, File(content))


def discard(*names: str) -> None:
    for name in names:
        if name:
            attachment_storage().delete(name)
