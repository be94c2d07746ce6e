"""Candidate generation: which records are worth scoring in full, without a scan.

One query: the records sharing blocking keys with what is matched, ranked by the summed
weights of the keys they share (index-only on `match_key_lookup`), the first FIRST_PASS of
them with their match profiles. The quick score over the profiles ranks those (the rules'
own methods and weights), and only the best `scored(first)` are read and scored in full.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from django.db import connection

from backend.matching.blocking import weighted_keys
from backend.matching.locations import LocationIndex
from backend.matching.models import MatchKey, MatchProfile
from backend.matching.profiles import decode, quick_score, subject_features
from backend.matching.rules import PairRules
from backend.matching.subjects import Subject

FIRST_PASS = 1000
# Beyond the page: candidates out of the caller's scope (dropped where the pair does not
# report them) and fields the caller may not read change the full score.
SCORED_EXTRA = 20

_KEYS = MatchKey._meta.db_table
_PROFILES = MatchProfile._meta.db_table
# Table names come from the models, never from input.
CANDIDATES_SQL = f"""
WITH wanted(key, weight) AS (SELECT * FROM unnest(%s::text[], %s::float8[])),
shared AS (
    SELECT k.record_id, sum(wanted.weight) AS weight
    FROM {_KEYS} k JOIN wanted ON k.key = wanted.key
    WHERE k.tenant_id = %s AND k.pair = %s AND k.record_id <> ALL(%s::uuid[])
    GROUP BY k.record_id
    ORDER BY weight DESC, k.record_id
    LIMIT %s
)
SELECT p.record_id, p.features
FROM shared JOIN {_PROFILES} p ON p.record_id = shared.record_id AND p.pair = %s
WHERE p.tenant_id = %s
"""  # noqa: S608


def scored(first: int) -> int:
    return first + SCORED_EXTRA


def candidate_ids(
    tenant_id: int,
    pair: PairRules,
    subjects: list[Subject],
    locations: LocationIndex,
    excluded: Collection[uuid.UUID],
    limit: int,
) -> list[uuid.UUID]:
    """The `limit` records likeliest to match one of the subjects, best first."""
    weights: dict[str, float] = {}
    for subject in subjects:
        for key, weight in weighted_keys(pair, subject, locations, query=True).items():
            weights[key] = max(weights.get(key, 0.0), weight)
    if not weights:
        return []
    params: list[Any] = [
        list(weights),
        list(weights.values()),
        tenant_id,
        pair.key,
        sorted(excluded),
        FIRST_PASS,
        pair.key,
        tenant_id,
    ]
    with connection.cursor() as cursor:
        cursor.execute(CANDIDATES_SQL, params)
        rows = cursor.fetchall()
    wanted = [subject_features(pair, s, locations) for s in subjects]
    ranked = []
    for record_id, stored in rows:
        target = decode(stored)
        ranked.append((max(quick_score(pair, f, target) for f in wanted), str(record_id)))
    ranked.sort(key=lambda item: (-item[0], item[1]))
    return [uuid.UUID(record_id) for _, record_id in ranked[:limit]]
