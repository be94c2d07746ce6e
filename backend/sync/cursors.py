"""Sync cursors: signed, naming a device and the page they came with.

Presenting a page's cursor tells the server the device holds that page; a cursor is worth
nothing to another device, and one this server did not sign is INVALID_CURSOR.
"""

from __future__ import annotations

from django.core import signing

from backend.records.paging import InvalidCursor
from backend.sync.models import Device

SALT = "casework.sync.cursor"
MAX_CURSOR_LENGTH = 512


def cursor_for(device: Device, page: int) -> str:
    return signing.dumps([str(device.pk), page], salt=SALT)


def page_of(cursor: str, device: Device) -> int:
    """The page number the device acknowledges with `cursor`."""
    invalid = InvalidCursor("The cursor is not one this server gave this device.", field="since")
    if not isinstance(cursor, str) or not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        raise invalid
    try:
        device_id, page = signing.loads(cursor, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        raise invalid from None
    if device_id != str(device.pk) or not isinstance(page, int) or not 0 < page <= device.pages:
        raise invalid
    return page
