"""A record's workflow as one caller may read it: everything with full access; with a
referral, only the caller's own transitions."""

from __future__ import annotations

from django.db.models import Q

from backend.accounts.models import User
from backend.records.models import Record
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
