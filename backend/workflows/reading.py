"""A record's workflow as one caller may read it: everything with full access; with a
referral, only the caller's own transitions. Batched: one query per kind for a whole page of
records, however many."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from backend.accounts.models import User
from backend.workflows.models import Approval, Flag, Note, Transition
from permissions.plan import AccessKind, RecordAccess

M = TypeVar("M", bound=Model)
Accesses = Mapping[uuid.UUID, RecordAccess]


def _grouped(rows: QuerySet[M], accesses: Accesses) -> dict[uuid.UUID, list[M]]:
    grouped: dict[uuid.UUID, list[M]] = {pk: [] for pk in accesses}
    for row in rows:
        grouped[row.record_id].append(row)  # type: ignore[attr-defined]
    return grouped


def _full(accesses: Accesses) -> list[uuid.UUID]:
    return [pk for pk, access in accesses.items() if access.kind is AccessKind.FULL]


def transitions(user: User, accesses: Accesses) -> dict[uuid.UUID, list[Transition]]:
    referred = [pk for pk, a in accesses.items() if a.kind is AccessKind.REFERRAL]
    visible = Q(record_id__in=_full(accesses)) | (
        Q(record_id__in=referred) & (Q(to_user=user) | Q(from_user=user))
    )
    rows = Transition.objects.filter(visible).select_related("from_user", "to_user")
    return _grouped(rows, accesses)


def approvals(user: User, accesses: Accesses) -> dict[uuid.UUID, list[Approval]]:
    rows = Approval.objects.filter(record_id__in=_full(accesses)).select_related(
        "requested_by", "responded_by"
    )
    return _grouped(rows, accesses)


def flags(user: User, accesses: Accesses) -> dict[uuid.UUID, list[Flag]]:
    rows = Flag.objects.filter(record_id__in=_full(accesses)).select_related("flagged_by")
    return _grouped(rows, accesses)


def notes(user: User, accesses: Accesses) -> dict[uuid.UUID, list[Note]]:
    rows = Note.objects.filter(record_id__in=_full(accesses)).select_related("author")
    return _grouped(rows, accesses)


LISTS: dict[str, Any] = {
    "transitions": transitions,
    "approvals": approvals,
    "flags": flags,
    "notes": notes,
}
