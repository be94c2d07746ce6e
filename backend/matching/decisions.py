"""Decisions people take on a proposed pair: confirmed (the person sought is found),
rejected (never proposed again), duplicate (one person registered twice).

The caller must see both records; a duplicate also needs the right to write their type.
One `MatchDecision` row per pair (a later decision replaces an earlier one), and each
decision is a revision in both records' history, naming the other record.
"""

from __future__ import annotations

import uuid

from django.db import transaction

from backend.accounts.models import User
from backend.error_codes import ErrorCode
from backend.errors import BadUserInput, DomainError, check_text_length
from backend.matching.configuration import tenant_rules
from backend.matching.models import MatchDecision
from backend.records.access import VisibleRecord, get_any_record
from backend.records.models import Record
from backend.records.revisions import append_revision
from permissions.actions import require_action

MAX_REASON = 2000
Decision = MatchDecision.Decision


class InvalidMatchPair(DomainError):
    code = ErrorCode.INVALID_MATCH_PAIR


def visible_pair(user: User, a: str | uuid.UUID, b: str | uuid.UUID) -> tuple[VisibleRecord, ...]:
    """Both records as the caller sees them, locked in id order (NOT_FOUND for either out of
    sight: the two answer alike); INVALID_MATCH_PAIR for a record and itself."""
    seen = (get_any_record(user, a), get_any_record(user, b))
    if seen[0].record.pk == seen[1].record.pk:
        raise InvalidMatchPair("A record cannot match itself.", field="b")
    locked = Record.objects.select_for_update(no_key=True).in_bulk([v.record.pk for v in seen])
    return tuple(VisibleRecord(locked[v.record.pk], v.access) for v in seen)


def _related(user: User, a: Record, b: Record) -> bool:
    types = {a.record_type, b.record_type}
    return any({p.source, p.target} == types for p in tenant_rules(user.tenant).pairs)


def store_decision(
    user: User, a: Record, b: Record, decision: str, reason: str = ""
) -> MatchDecision:
    """Keep the pair's decision (one row whichever way round) and write it to both records'
    history, in the caller's transaction."""
    first, second = sorted((a, b), key=lambda r: str(r.pk))
    row, _ = MatchDecision.objects.update_or_create(
        tenant_id=user.tenant_id,
        first=first,
        second=second,
        defaults={"decision": decision, "reason": reason, "actor": user},
    )
    for record, other in ((a, b), (b, a)):
        entry = {"decision": decision, "record": str(other.pk), "record_type": other.record_type}
        if reason:
            entry["reason"] = reason
        append_revision(
            record, {"match": [None, entry]}, actor=user, source="web", action=f"match_{decision}"
        )
    return row


def _decide(
    user: User, a: str | uuid.UUID, b: str | uuid.UUID, decision: str, reason: str = ""
) -> MatchDecision:
    with transaction.atomic():
        first, second = visible_pair(user, a, b)
        if decision == Decision.DUPLICATE:
            if first.record.record_type != second.record.record_type:
                raise InvalidMatchPair("Duplicates are two records of one type.", field="b")
            require_action(user, "write", first.record.record_type)
        if not _related(user, first.record, second.record):
            raise InvalidMatchPair(
                f"No matching rules relate {first.record.record_type} and "
                f"{second.record.record_type} records.",
                field="b",
            )
        return store_decision(user, first.record, second.record, decision, reason)


def confirm_match(user: User, a: str | uuid.UUID, b: str | uuid.UUID) -> MatchDecision:
    """The two records are about the same person (a tracing request's person found)."""
    return _decide(user, a, b, Decision.CONFIRMED)


def reject_match(user: User, a: str | uuid.UUID, b: str | uuid.UUID, reason: str) -> MatchDecision:
    """The two records are about different people: the pair is never proposed again."""
    if not reason.strip():
        raise BadUserInput("Say why the records do not match.", field="reason")
    check_text_length("reason", reason, MAX_REASON)
    return _decide(user, a, b, Decision.REJECTED, reason.strip())


def mark_duplicate(user: User, a: str | uuid.UUID, b: str | uuid.UUID) -> MatchDecision:
    """The two records register the same person twice (to be merged)."""
    return _decide(user, a, b, Decision.DUPLICATE)
