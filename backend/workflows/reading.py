"""A record's workflow as one caller may read it: everything with full access; with a
referral, only the caller's own transitions."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db.models import Model, Q

from backend.accounts.models import User
from backend.errors import NotFound
from backend.records.models import Record
from backend.records.services import get_any_record
from backend.workflows.models import Approval, Flag, Note, Transition
from permissions.plan import AccessKind, RecordAccess


def transitions(user: User, record: Record, access: RecordAccess) -> list[Transition]:
    steps = Transition.objects.filter(record=record).select_related("from_user", "to_user")
    if access.kind is AccessKind.FULL:
        return list(steps)
    if access.kind is AccessKind.REFERRAL:
        return list(steps.filter(Q(to_user=user) | Q(from_user=user)))
    return []


def approvals(user: User, record: Record, access: RecordAccess) -> list[Approval]:
    if access.kind is not AccessKind.FULL:
        return []
    return list(
        Approval.objects.filter(record=record).select_related("requested_by", "responded_by")
    )


def flags(user: User, record: Record, access: RecordAccess) -> list[Flag]:
    if access.kind is not AccessKind.FULL:
        return []
    return list(Flag.objects.filter(record=record).select_related("flagged_by"))


def notes(user: User, record: Record, access: RecordAccess) -> list[Note]:
    if access.kind is not AccessKind.FULL:
        return []
    return list(Note.objects.filter(record=record).select_related("author"))


Step = TypeVar("Step", Transition, Approval, Flag, Note)


def _seen(
    user: User,
    model: type[Step],
    key: uuid.UUID,
    listed: Callable[[User, Record, RecordAccess], Sequence[Model]],
) -> Step | None:
    """One transition, approval, flag or note by id, only where the caller sees it on its
    record; None otherwise, whether it exists or not."""
    found: Any = model.objects.filter(tenant_id=user.tenant_id, public_id=key).first()
    if found is None:
        return None
    try:
        visible = get_any_record(user, str(found.record_id))
    except NotFound:
        return None
    shown = {item.pk for item in listed(user, visible.record, visible.access)}
    return found if found.pk in shown else None


def seen_transition(user: User, key: uuid.UUID) -> Transition | None:
    return _seen(user, Transition, key, transitions)


def seen_approval(user: User, key: uuid.UUID) -> Approval | None:
    return _seen(user, Approval, key, approvals)


def seen_flag(user: User, key: uuid.UUID) -> Flag | None:
    return _seen(user, Flag, key, flags)


def seen_note(user: User, key: uuid.UUID) -> Note | None:
    return _seen(user, Note, key, notes)
