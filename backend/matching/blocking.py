"""Blocking keys: kept by the write path for every record that a pair may propose (its
target), looked up for what is matched, so that candidates come from an index, never from
a scan. A key is one of the pair's blocking keys with its parts' values combined:
`1:MHMT|2016` (key 1 of the pair, a name's sound key and a birth year).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from backend.matching.comparing import key_values
from backend.matching.configuration import tenant_rules
from backend.matching.locations import LocationIndex
from backend.matching.models import MatchKey
from backend.matching.rules import PairRules
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


def subject_keys(
    pair: PairRules, subject: Subject, locations: LocationIndex, *, query: bool
) -> set[str]:
    keys: set[str] = set()
    for index, parts in enumerate(pair.blocking):
        choices: list[list[str]] = []
        for name in dict.fromkeys(parts):
            values = sorted(
                v[:MAX_PART_LENGTH]
                for v in key_values(pair.comparison(name), subject, locations, query=query)
            )
            if parts.count(name) == 2:  # two different words of one name, in either order
                choices.append(["|".join(c) for c in itertools.combinations(values, 2)])
            else:
                choices.append(values)
        for combination in itertools.product(*choices):
            keys.add(f"{index}:{'|'.join(combination)}")
            if len(keys) >= MAX_KEYS_PER_SUBJECT:
                return keys
    return keys


def _rows(records: list[Record], pairs: list[PairRules]) -> list[MatchKey]:
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
    return [
        MatchKey(tenant_id=record.tenant_id, record_id=record.pk, pair=pair.key, key=key)
        for record, pair, subject in subjects
        for key in subject_keys(pair, subject, locations, query=False)
    ]


def on_record_written(sender: object, *, record: Record, **_: object) -> None:
    """Replace the record's keys (in the writing transaction)."""
    tenant = record.tenant if Record.tenant.is_cached(record) else record.tenant_id
    pairs = tenant_rules(tenant).to_target(record.record_type)
    MatchKey.objects.filter(record_id=record.pk).delete()
    if pairs:
        MatchKey.objects.bulk_create(_rows([record], pairs))


def rebuild_tenant_keys(tenant: Tenant) -> int:
    """Rebuild a tenant's keys in one transaction (after its rules changed); how many."""
    written = 0
    with tenant_transaction(tenant.pk):
        pairs = list(tenant_rules(tenant.pk).pairs)
        MatchKey.objects.filter(tenant=tenant).delete()
        targets = sorted({p.target for p in pairs})
        records = Record.objects.filter(
            tenant=tenant, record_type__in=targets, deleted_at__isnull=True
        ).only("pk", "tenant_id", "record_type", "data", "created_at", "deleted_at")
        batch: list[Record] = []
        for record in records.iterator(chunk_size=BATCH_SIZE):
            batch.append(record)
            if len(batch) >= BATCH_SIZE:
                written += len(MatchKey.objects.bulk_create(_rows(batch, pairs)))
                batch = []
        written += len(MatchKey.objects.bulk_create(_rows(batch, pairs)))
    return written
