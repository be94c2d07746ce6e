"""Mark for offline: records beyond the user's own that their devices should hold."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from backend.accounts.models import User
from backend.errors import BadUserInput, NotFound
from backend.ids import parse_id
from backend.records.access import access_plan, visible_records
from backend.sync.models import OfflinePin
from permissions.plan import AccessKind

MAX_PIN_IDS = 100


def _ids(ids: Sequence[object]) -> list[uuid.UUID]:
    if not ids:
        raise BadUserInput("Name at least one record.", field="ids")
    if len(ids) > MAX_PIN_IDS:
        raise BadUserInput(f"Name at most {MAX_PIN_IDS} records at once.", field="ids")
    return list(dict.fromkeys(parse_id(value, field="ids") for value in ids))


def pin_for_offline(user: User, record_type: str, ids: Sequence[object]) -> list[uuid.UUID]:
    """Pin records the user may see; NOT_FOUND, pinning none, when any is out of sight
    (exactly as for an id that does not exist)."""
    wanted = _ids(ids)
    plan = access_plan(user, record_type)
    found = {
        record.pk
        for record in visible_records(user, record_type).filter(pk__in=wanted)
        if plan.access(record).kind is not AccessKind.NONE
    }
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise NotFound(f"No {record_type} with id {missing[0]}.", field="ids")
    OfflinePin.objects.bulk_create(
        [OfflinePin(tenant_id=user.tenant_id, user=user, record_id=pk) for pk in wanted],
        ignore_conflicts=True,
    )
    return wanted


def unpin_for_offline(user: User, record_type: str, ids: Sequence[object]) -> list[uuid.UUID]:
    """Unpin the user's own pins among `ids` (others are no concern of theirs: nothing
    happens); their devices get a tombstone for each record they no longer hold."""
    wanted = _ids(ids)
    access_plan(user, record_type)  # NOT_FOUND for a record type not in use
    OfflinePin.objects.filter(
        user=user, record_id__in=wanted, record__record_type=record_type
    ).delete()
    return wanted
