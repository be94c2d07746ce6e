"""A record's workflow as one caller may read it: everything with full access; with a
referral, only the caller's own transitions. Batched: one query per kind for a whole page of
records, however many."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from backend.accounts.models import User
from backend.errors import NotFound
from backend.records.access import get_any_record
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


Step = TypeVar("Step", Transition, Approval, Flag, Note)
StepLists = Callable[[User, Accesses], Mapping[uuid.UUID, Sequence[Model]]]


def _seen(user: User, model: type[Step], key: uuid.UUID, listed: StepLists) -> Step | None:
    """One transition, approval, flag or note by id, only where the caller sees it on its
    record; None otherwise, whether it exists or not."""
    found: Any = model.objects.filter(tenant_id=user.tenant_id, public_id=key).first()
    if found is None:
        return None
    try:
        visible = get_any_record(user, str(found.record_id))
    except NotFound:
        return None
    shown = listed(user, {visible.record.pk: visible.access}).get(visible.record.pk, ())
    return found if found.pk in {item.pk for item in shown} else None


def seen_transition(user: User, key: uuid.UUID) -> Transition | None:
    return _seen(user, Transition, key, transitions)


def seen_approval(user: User, key: uuid.UUID) -> Approval | None:
    return _seen(user, Approval, key, approvals)


def seen_flag(user: User, key: uuid.UUID) -> Flag | None:
    return _seen(user, Flag, key, flags)


def seen_note(user: User, key: uuid.UUID) -> Note | None:
    return _seen(user, Note, key, notes)
