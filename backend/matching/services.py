"""Proposing matches: `potential_matches` for a saved record (a tracing request's persons
sought, a case), `duplicate_candidates` for one not yet saved.

Candidates come from `candidates` (blocking keys and match profiles, one indexed query), the
best few are scored in full, and leave through the read service. Privacy:
- a comparison counts, and is explained, only where the caller may read a field it compares
  on both sides, so no score or explanation tells a value the caller may not read;
- a candidate outside the caller's scope comes without any data (its score band and owning
  agency), only where the pair reports such candidates, never for GBV record types.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from backend.accounts.models import User
from backend.audit.models import AccessLog
from backend.audit.services import log_access
from backend.errors import BadUserInput
from backend.matching.blocking import location_codes
from backend.matching.candidates import candidate_ids, scored
from backend.matching.comparing import Contribution, compare
from backend.matching.configuration import tenant_rules
from backend.matching.locations import LocationIndex
from backend.matching.models import MatchDecision
from backend.matching.profiles import MIN_COMPARISONS
from backend.matching.rules import PairRules
from backend.matching.subjects import (
    Readable,
    Subject,
    everything,
    reference_year,
    source_subjects,
    target_subject,
)
from backend.records.access import VisibleRecord, access_plan, get_record, visible_among
from backend.records.models import Record
from backend.records.reading import RecordView, permitted_values
from permissions.actions import require_action, role_allows

DEFAULT_FIRST = 10
MAX_FIRST = 50
STRONG = 0.85


@dataclass(frozen=True)
class Candidate:
    record: Record
    score: float
    band: str  # "strong" or "likely"
    source_entry: str | None
    contributions: list[Contribution] = field(default_factory=list)
    view: RecordView | None = None  # None: out of the caller's scope

    @property
    def out_of_scope(self) -> bool:
        return self.view is None

    @property
    def owning_agency(self) -> str | None:
        return self.record.agency.name if self.record.agency else None


# score, record, the subject it matched, contributions, how the caller sees it, threshold
Scored = tuple[float, Record, Subject, list[Contribution], VisibleRecord | None, float]


def _first(first: int | None) -> int:
    if first is None:
        return DEFAULT_FIRST
    if not 1 <= first <= MAX_FIRST:
        raise BadUserInput(f"first is 1 to {MAX_FIRST}.", field="first")
    return first


def _score(
    pair: PairRules, source: Subject, target: Subject, locations: LocationIndex
) -> tuple[float, list[Contribution]]:
    contributions = [
        c
        for comparison in pair.comparisons
        if (c := compare(comparison, source, target, locations)) is not None
    ]
    if len(contributions) < MIN_COMPARISONS:
        return 0.0, contributions
    weights = {c.name: c.weight for c in pair.comparisons}
    total = sum(weights[c.field] for c in contributions)
    return sum(weights[c.field] * c.score for c in contributions) / total, contributions


def _rejected(user: User, source_id: uuid.UUID | None) -> set[uuid.UUID]:
    if source_id is None:
        return set()
    rows = MatchDecision.objects.filter(
        Q(first_id=source_id) | Q(second_id=source_id),
        tenant_id=user.tenant_id,
        decision=MatchDecision.Decision.REJECTED,
    ).values_list("first_id", "second_id")
    return {b if a == source_id else a for a, b in rows}


def _match(
    user: User,
    pairs: list[PairRules],
    data: Mapping[str, Any],
    year: int,
    readable: Readable,
    *,
    source_id: uuid.UUID | None,
    first: int,
) -> list[Candidate]:
    rejected = _rejected(user, source_id)
    found: dict[uuid.UUID, Scored] = {}
    for pair in pairs:
        if not role_allows(user, "read", pair.target):
            continue
        subjects = source_subjects(pair, data, year, readable)
        if not subjects:
            continue
        locations = LocationIndex(user.tenant_id, location_codes(pair, subjects))
        excluded = rejected | ({source_id} if source_id is not None else set())
        ids = candidate_ids(user.tenant_id, pair, subjects, locations, excluded, scored(first))
        records = list(
            Record.objects.filter(
                tenant_id=user.tenant_id, pk__in=ids, deleted_at__isnull=True
            ).select_related("agency", "owner")
        )
        visible = visible_among(user, records)
        targets = {
            r.pk: target_subject(pair, r.data, reference_year(r.created_at), everything)
            for r in records
        }
        locations = locations.including(location_codes(pair, targets.values()))
        for record in records:
            seen = visible.get(record.pk)
            if seen is None and not pair.reports_out_of_scope:
                continue
            target = (
                targets[record.pk]
                if seen is None
                else target_subject(
                    pair, record.data, reference_year(record.created_at), seen.access.may_read
                )
            )
            for subject in subjects:
                score, contributions = _score(pair, subject, target, locations)
                best = found.get(record.pk)
                if score < pair.threshold or (best is not None and best[0] >= score):
                    continue
                found[record.pk] = (score, record, subject, contributions, seen, pair.threshold)
    # ranked on the unrounded score; views only for what is handed out
    ranked = sorted(found.values(), key=lambda f: (-f[0], str(f[1].pk)))[:first]
    candidates = sorted((_candidate(*entry) for entry in ranked), key=_shown_order)
    log_access(user, [c.record for c in candidates if c.view is not None], AccessLog.Action.LIST)
    return candidates


def _shown_order(candidate: Candidate) -> tuple[int, int, float, str]:
    """Strong before likely; within a band, in-scope candidates by score, then out-of-scope
    ones by id: where an out-of-scope candidate sits must not tell its score beyond its band."""
    hidden = candidate.out_of_scope
    return (
        0 if candidate.band == "strong" else 1,
        1 if hidden else 0,
        0.0 if hidden else -(candidate.score or 0.0),
        str(candidate.record.pk),
    )


def _candidate(
    score: float,
    record: Record,
    subject: Subject,
    contributions: list[Contribution],
    seen: VisibleRecord | None,
    threshold: float,
) -> Candidate:
    band = "strong" if score >= max(STRONG, threshold) else "likely"
    if seen is None:
        return Candidate(record, round(score, 3), band, subject.entry_uid)
    view = RecordView(record, seen.access, permitted_values(record.data, seen.access))
    return Candidate(record, round(score, 3), band, subject.entry_uid, contributions, view)


def potential_matches(
    user: User, record_type: str, record_id: str | uuid.UUID, first: int | None = None
) -> list[Candidate]:
    """Records that may be the one a saved record describes (each person sought of a
    tracing request; a case's duplicates), best first. NOT_FOUND for a record out of sight."""
    count = _first(first)
    source = get_record(user, record_type, record_id)
    pairs = tenant_rules(user.tenant).from_source(record_type)
    return _match(
        user,
        pairs,
        source.record.data,
        reference_year(source.record.created_at),
        source.access.may_read,
        source_id=source.record.pk,
        first=count,
    )


def duplicate_candidates(
    user: User, record_type: str, values: Mapping[str, Any], first: int | None = None
) -> list[Candidate]:
    """Records that a record about to be created (`values`, stored names) may duplicate:
    search before create. FORBIDDEN without the right to create that type."""
    count = _first(first)
    require_action(user, "create", record_type)
    access = access_plan(user, record_type).full_access
    pairs = tenant_rules(user.tenant).from_source(record_type)
    year = datetime.datetime.now(datetime.UTC).year
    return _match(user, pairs, values, year, access.may_read, source_id=None, first=count)
