"""A record's workflow as one caller may read it: everything with full access; with a
referral, only the caller's own transitions. Batched: one query per kind for a whole page of
records, however many."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from backend.accounts.models import User
from backend.records.access import visible_among
from backend.workflows.models import Approval, Flag, Note, Transition
from permissions.plan import AccessKind, RecordAccess

M = TypeVar("M", bound=Model)
Accesses = Mapping[uuid.UUID, RecordAccess]


USER_COLUMNS = ("public_id", "username", "full_name")


def _with_users(rows: QuerySet[M], *relations: str) -> QuerySet[M]:
    """The rows with the users they name, each loaded with only what a UserRef shows: a
    page of 100 records names some 1,000 users."""
    own = [f.name for f in rows.model._meta.concrete_fields]
    shown = [f"{r}__{c}" for r in relations for c in USER_COLUMNS]
    return rows.select_related(*relations).only(*own, *shown)


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
    rows = _with_users(Transition.objects.filter(visible), "from_user", "to_user")
    return _grouped(rows, accesses)


def approvals(user: User, accesses: Accesses) -> dict[uuid.UUID, list[Approval]]:
    rows = _with_users(
        Approval.objects.filter(record_id__in=_full(accesses)), "requested_by", "responded_by"
    )
    return _grouped(rows, accesses)


def flags(user: User, accesses: Accesses) -> dict[uuid.UUID, list[Flag]]:
    rows = _with_users(Flag.objects.filter(record_id__in=_full(accesses)), "flagged_by")
    return _grouped(rows, accesses)


def notes(user: User, accesses: Accesses) -> dict[uuid.UUID, list[Note]]:
    rows = _with_users(Note.objects.filter(record_id__in=_full(accesses)), "author")
    return _grouped(rows, accesses)


LISTS: dict[str, Any] = {
    "transitions": transitions,
    "approvals": approvals,
    "flags": flags,
    "notes": notes,
}


Step = Transition | Approval | Flag | Note
STEP_LISTS: tuple[tuple[type[Model], Any], ...] = (
    (Transition, transitions),
    (Approval, approvals),
    (Flag, flags),
    (Note, notes),
)


def seen_steps(user: User, keys: Sequence[uuid.UUID]) -> dict[uuid.UUID, Step]:
    """Transitions, approvals, flags and notes by public id, each only where the caller sees
    it on its record; the others are left out, whether they exist or not. A fixed number of
    queries, however many ids."""
    found: dict[uuid.UUID, Step] = {}
    candidates: dict[type[Model], list[Any]] = {
        model: list(
            model._default_manager.filter(
                tenant_id=user.tenant_id, public_id__in=keys
            ).select_related("record")
        )
        for model, _ in STEP_LISTS
    }
    records = [step.record for rows in candidates.values() for step in rows]
    accesses = {pk: v.access for pk, v in visible_among(user, records).items()}
    for model, listed in STEP_LISTS:
        wanted = {s.pk for s in candidates[model] if s.record_id in accesses}
        if not wanted:
            continue
        rows = listed(
            user,
            {
                s.record_id: accesses[s.record_id]
                for s in candidates[model]
                if s.record_id in accesses
            },
        )
        for row in (r for shown in rows.values() for r in shown):
            if row.pk in wanted:
                found[row.public_id] = row
    return found
