"""Blocking keys: kept by the write path for every record that a pair may propose (its
target), looked up for what is matched, so that candidates come from an index, never from
a scan. A key is one of the pair's blocking keys with its parts' values combined:
`1:MHMT|2016` (key 1 of the pair, a name's sound key and a birth year).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from backend.matching.comparing import _scaled, key_values
from backend.matching.configuration import tenant_rules
from backend.matching.locations import LocationIndex
from backend.matching.models import MatchKey, MatchProfile
from backend.matching.profiles import encode, subject_features
from backend.matching.rules import Comparison, PairRules
from backend.matching.subjects import Subject, everything, reference_year, target_subject
from backend.records.models import Record
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant

MAX_PART_LENGTH = 24
MAX_KEYS_PER_SUBJECT = 400
BATCH_SIZE = 500


def location_codes(pair: PairRules, subjects: Iterable[Subject]) -> set[str]:
    names = {c.name for c in pair.comparisons if c.method == "location_subtree"}
    return {
        str(value)
        for subject in subjects
        for name in names
        for _, value in subject.values.get(name, ())
    }


def _part_weight(comparison: Comparison, value: str, exact: set[str]) -> float:
    """What sharing one value of a key part says: the comparison's weight, less for a
    birth year the query widened to (as `age_within` scores it)."""
    if comparison.method == "age_within" and exact and value not in exact:
        gap = min(abs(int(value) - int(y)) for y in exact)
        return comparison.weight * _scaled(gap, comparison.parameter)
    return comparison.weight


def weighted_keys(
    pair: PairRules, subject: Subject, locations: LocationIndex, *, query: bool
) -> dict[str, float]:
    """The subject's keys, each with the weight of what a record sharing it shares: on the
    query side, candidates are ranked by the sum of their shared keys' weights."""
    keys: dict[str, float] = {}
    for index, parts in enumerate(pair.blocking):
        choices: list[list[tuple[str, float]]] = []
        for name in dict.fromkeys(parts):
            comparison = pair.comparison(name)
            exact = key_values(comparison, subject, locations, query=False)
            values = sorted(
                (v[:MAX_PART_LENGTH], _part_weight(comparison, v, exact))
                for v in key_values(comparison, subject, locations, query=query)
            )
            if parts.count(name) == 2:  # two different words of one name, in either order
                choices.append(
                    [
                        (f"{a}|{b}", wa + wb)
                        for (a, wa), (b, wb) in itertools.combinations(values, 2)
                    ]
                )
            else:
                choices.append(values)
        for combination in itertools.product(*choices):
            key = f"{index}:{'|'.join(v for v, _ in combination)}"
            keys[key] = max(keys.get(key, 0.0), sum(w for _, w in combination))
            if len(keys) >= MAX_KEYS_PER_SUBJECT:
                return keys
    return keys


def subject_keys(
    pair: PairRules, subject: Subject, locations: LocationIndex, *, query: bool
) -> set[str]:
    return set(weighted_keys(pair, subject, locations, query=query))


MatchRows = tuple[list[MatchKey], list[MatchProfile]]


def match_rows(records: list[Record], pairs: list[PairRules]) -> MatchRows:
    """The blocking keys and the match profiles of records that pairs may propose."""
    subjects = [
        (
            record,
            pair,
            target_subject(pair, record.data, reference_year(record.created_at), everything),
        )
        for record in records
        if record.deleted_at is None
        for pair in pairs
        if pair.target == record.record_type
    ]
    codes = set().union(*(location_codes(p, [s]) for _, p, s in subjects)) if subjects else set()
    locations = LocationIndex(records[0].tenant_id, codes) if records else LocationIndex(0, ())
    keys = [
        MatchKey(tenant_id=record.tenant_id, record_id=record.pk, pair=pair.key, key=key)
        for record, pair, subject in subjects
        for key in subject_keys(pair, subject, locations, query=False)
    ]
    profiles = [
        MatchProfile(
            tenant_id=record.tenant_id,
            record_id=record.pk,
            pair=pair.key,
            features=encode(subject_features(pair, subject, locations)),
        )
        for record, pair, subject in subjects
    ]
    return keys, profiles


def _write(rows: MatchRows) -> int:
    keys, profiles = rows
    MatchProfile.objects.bulk_create(profiles)
    return len(MatchKey.objects.bulk_create(keys))


def on_record_written(sender: object, *, record: Record, **_: object) -> None:
    """Replace the record's keys (in the writing transaction)."""
    tenant = record.tenant if Record.tenant.is_cached(record) else record.tenant_id
    pairs = tenant_rules(tenant).to_target(record.record_type)
    MatchKey.objects.filter(record_id=record.pk).delete()
    MatchProfile.objects.filter(record_id=record.pk).delete()
    if pairs:
        _write(match_rows([record], pairs))


def rebuild_tenant_keys(tenant: Tenant) -> int:
    """Rebuild a tenant's keys in one transaction (after its rules changed); how many."""
    written = 0
    with tenant_transaction(tenant.pk):
        pairs = list(tenant_rules(tenant.pk).pairs)
        MatchKey.objects.filter(tenant=tenant).delete()
        MatchProfile.objects.filter(tenant=tenant).delete()
        targets = sorted({p.target for p in pairs})
        records = Record.objects.filter(
            tenant=tenant, record_type__in=targets, deleted_at__isnull=True
        ).only("pk", "tenant_id", "record_type", "data", "created_at", "deleted_at")
        batch: list[Record] = []
        for record in records.iterator(chunk_size=BATCH_SIZE):
            batch.append(record)
            if len(batch) >= BATCH_SIZE:
                written += _write(match_rows(batch, pairs))
                batch = []
        written += _write(match_rows(batch, pairs))
    return written
