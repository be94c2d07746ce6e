"""Matching among 100,000 cases: planted true matches found in the top 10, against the
floor of exhaustive scoring (every case scored with the same rules), precision at the
threshold, and the latency of potentialMatches and duplicateCandidates (the services the
API calls).

The population is the search benchmark's synthetic cases (names in Arabic, French and
English, their spelling variants) with their blocking keys, both COPYed. Each planted match
copies a case with realistic variation: a spelling variant, a transliteration Arabic <->
Latin, first and last names swapped, a birth date off by days, an age instead of the date
(off by one or two years), fields left out. Half are asked as tracing requests (a person
sought, created through the write path), half as search-before-create (duplicateCandidates).

Run: .venv/bin/python -m bench.matching [--cases N] [--planted P] [--exhaustive E] [--keep DB]
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import random
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
django.setup()

import orjson
from psycopg.types.json import Jsonb, set_json_dumps

from backend.accounts.models import User
from backend.celery import app as celery_app
from backend.demo.seed import seed_demo
from backend.forms.configuration import published_configuration
from backend.locations.services import location_path
from backend.matching.blocking import match_rows
from backend.matching.configuration import tenant_rules
from backend.matching.demo_rules import DEMO_MATCHING_RULES
from backend.matching.locations import LocationIndex
from backend.matching.models import MatchingRules, MatchKey, MatchProfile
from backend.matching.rules import PairRules
from backend.matching.services import _score, duplicate_candidates, potential_matches
from backend.matching.subjects import (
    Subject,
    everything,
    reference_year,
    source_subjects,
    target_subject,
)
from backend.records.filtering.indexes import owner_connection
from backend.records.models import Record
from backend.records.services import create_record
from backend.request_state import request_scope
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant
from bench.case_list import PASSWORD
from bench.database import bench_database
from bench.search_data import (
    BOYS,
    DISTRICTS,
    GIRLS,
    RECORD_COLUMNS,
    _copy,
    bench_caseworkers,
    synthetic_case,
)

TOP = 10
TARGET_RECALL = 0.95
TARGET_P95_MS = 100.0
BATCH = 5_000
KEY_COLUMNS = ("tenant_id", "record_id", "pair", "key")
PROFILE_COLUMNS = ("tenant_id", "record_id", "pair", "features")
FAMILY_VARIANTS = [
    ["Haddad", "حداد"],
    ["Khoury", "El Khoury", "الخوري"],
    ["Nasser", "Nassar", "ناصر"],
    ["Saleh", "Salih", "صالح"],
    ["Mansour", "Mansur", "منصور"],
    ["Abdallah", "Abdullah", "عبد الله"],
    ["Ben Ali", "Benali"],
    ["Lefèvre", "Lefebvre"],
]
VARIANTS = {name: group for group in [*GIRLS, *BOYS, *FAMILY_VARIANTS] for name in group}


@dataclass
class Planted:
    """One planted match: the case it copies, what is asked, and what came back."""

    original: uuid.UUID
    how: list[str]
    values: dict[str, Any]  # the typed case (duplicates) or the person sought (tracing)
    tracing_id: uuid.UUID | None = None
    found: list[tuple[uuid.UUID, float]] = field(default_factory=list)
    seconds: float = 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def vary(rng: random.Random, data: dict[str, Any], today: dt.date) -> tuple[dict, list[str]]:
    """A copy of a case's matching values as someone else would write them down."""
    first, last = data["name_first"], data["name_last"]
    born = dt.date.fromisoformat(data["date_of_birth"])
    values: dict[str, Any] = {"sex": data["sex"], "location": data["location_current"]}
    how = rng.sample(["spelling", "script", "swapped", "days", "age", "missing"], rng.randint(1, 3))

    def variant(name: str, arabic: bool) -> str:
        group = [v for v in VARIANTS.get(name, [name]) if v != name]
        wanted = [v for v in group if v.isascii() != arabic] if arabic is not None else group
        return rng.choice(wanted or group or [name])

    if "spelling" in how:
        first = variant(first, first.isascii() is False)  # another spelling, same script
    if "script" in how:
        first, last = variant(first, first.isascii()), variant(last, last.isascii())
    if "swapped" in how:
        first, last = last, first
    values["first"], values["last"] = first, last
    if "age" in how:
        values["age"] = max(0, today.year - born.year + rng.choice((-2, -1, 1, 2)))
    else:
        shift = rng.randint(1, 25) if "days" in how else 0
        values["born"] = (born + dt.timedelta(days=rng.choice((-1, 1)) * shift)).isoformat()
    if "missing" in how:
        values.pop(rng.choice(["location", "sex", "last"]), None)
    return values, how


def as_case(values: dict[str, Any]) -> dict[str, Any]:
    names = {"first": "name_first", "last": "name_last", "sex": "sex", "born": "date_of_birth"}
    names |= {"age": "age_approximate", "location": "location_current"}
    return {names[k]: v for k, v in values.items()}


def as_sought(values: dict[str, Any], uid: str) -> dict[str, Any]:
    names = {"first": "sought_name_first", "last": "sought_name_last", "sex": "sought_sex"}
    names |= {
        "born": "sought_date_of_birth",
        "age": "sought_age",
        "location": "sought_last_seen_location",
    }
    return {"uid": uid, **{names[k]: v for k, v in values.items()}}


def load(tenant: Tenant, count: int, seed: int = 17) -> tuple[list[Record], float, float]:
    """`count` cases and their blocking keys, COPYed; seconds for each."""
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    workers = bench_caseworkers(tenant, 20)
    with tenant_transaction(tenant.pk):
        paths = {code: location_path(tenant.pk, code) for code in DISTRICTS}
        configuration = published_configuration(tenant)
        schema = configuration.schema_for("case")
        assert schema is not None
        versions = {
            f.key: configuration.form_versions[f.key]
            for f in schema.forms
            if f.key in configuration.form_versions
        }
        pairs = tenant_rules(tenant).to_target("case")
    started = time.perf_counter()
    records: list[Record] = []
    rows: list[tuple[Any, ...]] = []
    for n in range(count):
        worker = workers[n % len(workers)]
        data, status = synthetic_case(rng, n, now.date(), worker.agency_code)
        created = now - dt.timedelta(seconds=rng.randint(60, 3 * 365 * 86400))
        record = Record(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            tenant_id=tenant.pk,
            record_type="case",
            short_id=f"m{n:09d}",
            data=data,
            created_at=created,
        )
        records.append(record)
        rows.append(
            (
                record.pk, tenant.pk, "case", record.short_id, status, "", "", "cp",
                worker.user_id, worker.agency_id, worker.group_ids, [],
                paths.get(data["location_current"], ""), Jsonb(data), Jsonb(dict.fromkeys(data, 1)),
                Jsonb(versions), 1, worker.user_id, created, created,
            )
        )  # fmt: skip
    keys, profiles = match_tuples(tenant, records, pairs)
    computed = time.perf_counter()
    with owner_connection() as conn:
        set_json_dumps(lambda o: orjson.dumps(o).decode(), context=conn)
        with conn.transaction():
            conn.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant.pk)])
            _copy(conn, "records_record", RECORD_COLUMNS, rows)
            _copy(conn, MatchKey._meta.db_table, KEY_COLUMNS, keys)
            _copy(conn, MatchProfile._meta.db_table, PROFILE_COLUMNS, profiles)
        vacuum(conn, "records_record")
    print(f"{len(keys):,} blocking keys ({len(keys) / count:.1f} a case)")
    return records, computed - started, time.perf_counter() - computed


def match_tuples(
    tenant: Tenant, records: list[Record], pairs: list[PairRules]
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The blocking keys and match profiles of `records`, as rows to COPY."""
    keys: list[tuple[Any, ...]] = []
    profiles: list[tuple[Any, ...]] = []
    with tenant_transaction(tenant.pk):
        for start in range(0, len(records), BATCH):
            found, made = match_rows(records[start : start + BATCH], pairs)
            keys += [(k.tenant_id, k.record_id, k.pair, k.key) for k in found]
            profiles += [(p.tenant_id, p.record_id, p.pair, p.features) for p in made]
    return keys, profiles


def vacuum(conn: Any, *tables: str) -> None:
    """VACUUM ANALYZE: the candidates query reads the key index alone once pages are
    all-visible."""
    for table in (*tables, MatchKey._meta.db_table, MatchProfile._meta.db_table):
        conn.execute(f"VACUUM ANALYZE {table}")


def rekey(tenant: Tenant, records: list[Record]) -> None:
    """Blocking keys and profiles of loaded cases computed again (after the rules or the
    key code changed), COPYed in place of the old ones."""
    with tenant_transaction(tenant.pk):  # the demo rules as they are now in the code
        MatchingRules.objects.update_or_create(
            tenant=tenant, defaults={"document": DEMO_MATCHING_RULES}
        )
        pairs = tenant_rules(tenant).to_target("case")
    started = time.perf_counter()
    keys, profiles = match_tuples(tenant, records, pairs)
    ids = [r.pk for r in records]
    with owner_connection() as conn:
        with conn.transaction():
            conn.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant.pk)])
            for model in (MatchKey, MatchProfile):
                conn.execute(f"DELETE FROM {model._meta.db_table} WHERE record_id = ANY(%s)", [ids])
            _copy(conn, MatchKey._meta.db_table, KEY_COLUMNS, keys)
            _copy(conn, MatchProfile._meta.db_table, PROFILE_COLUMNS, profiles)
        vacuum(conn)
    print(f"rekeyed: {len(keys):,} blocking keys in {time.perf_counter() - started:.1f} s")


class Exhaustive:
    """Every case scored with the same rules, in Python: the quality floor."""

    def __init__(self, tenant: Tenant, records: list[Record]) -> None:
        rules = tenant_rules(tenant)
        self.pairs = {p.key: p for p in rules.pairs}
        self.targets = {
            key: [
                (r.pk, target_subject(p, r.data, reference_year(r.created_at), everything))
                for r in records
            ]
            for key, p in self.pairs.items()
        }
        self.locations = LocationIndex(tenant.pk, DISTRICTS)

    def top(self, pair: PairRules, subjects: list[Subject]) -> list[tuple[uuid.UUID, float]]:
        best: dict[uuid.UUID, float] = {}
        for record_id, target in self.targets[pair.key]:
            for subject in subjects:
                score, _ = _score(pair, subject, target, self.locations)
                if score >= pair.threshold and score > best.get(record_id, 0.0):
                    best[record_id] = score
        return sorted(best.items(), key=lambda item: (-item[1], str(item[0])))[:TOP]


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def plant(
    tenant: Tenant, admin: User, records: list[Record], count: int, seed: int = 29
) -> tuple[list[Planted], list[Planted]]:
    rng = random.Random(seed)
    today = dt.date.today()
    chosen = rng.sample(records, count)
    tracing, duplicates = [], []
    for index, record in enumerate(chosen):
        values, how = vary(rng, record.data, today)
        planted = Planted(record.pk, how, values)
        if index % 2:
            duplicates.append(planted)
            continue
        data = {
            "inquiry_date": today.isoformat(),
            "inquirer_name_first": "Bench",
            "persons_sought": [as_sought(values, uuid.uuid4().hex[:12])],
        }
        with request_scope():
            written = create_record(admin, "tracing_request", data, source="import")
        assert written.record is not None, written.errors
        planted.tracing_id = written.record.pk
        tracing.append(planted)
    return tracing, duplicates


def measure(admin: User, tracing: list[Planted], duplicates: list[Planted]) -> None:
    for planted in tracing:
        with request_scope():
            source = planted.tracing_id
            assert source is not None
            planted.seconds, found = timed(
                partial(potential_matches, admin, "tracing_request", source, TOP)
            )
        planted.found = [(c.record.pk, c.score) for c in found]
    for planted in duplicates:
        with request_scope():
            planted.seconds, found = timed(
                partial(duplicate_candidates, admin, "case", as_case(planted.values), TOP)
            )
        planted.found = [(c.record.pk, c.score) for c in found]


def floor(
    exhaustive: Exhaustive, admin: User, planted: list[Planted], tracing: bool
) -> list[list[tuple[uuid.UUID, float]]]:
    pair = exhaustive.pairs["tracing_request>case" if tracing else "case>case"]
    tops = []
    for p in planted:
        data = {"persons_sought": [as_sought(p.values, "x")]} if tracing else as_case(p.values)
        subjects = source_subjects(pair, data, dt.date.today().year, everything)
        tops.append(exhaustive.top(pair, subjects))
    return tops


def print_misses(
    planted: list[Planted],
    tops: list[list[tuple[uuid.UUID, float]]],
    records: dict[uuid.UUID, Record],
    limit: int,
) -> None:
    """A sample of what exhaustive scoring ranks in the top 10 and the system does not."""
    shown = 0
    for p, top in zip(planted, tops, strict=False):
        found = {r for r, _ in p.found}
        for record_id, score in top:
            if record_id in found or shown >= limit:
                continue
            shown += 1
            data = records[record_id].data
            held = ", ".join(
                str(data.get(k)) for k in ("name_first", "name_last", "sex", "date_of_birth")
            )
            last = p.found[-1][1] if p.found else None
            print(
                f"    missed {score:.3f} ({held}, {data.get('location_current')}) for "
                f"{p.values} ({'/'.join(p.how)}); system's 10th {last}"
            )


def report(label: str, planted: list[Planted], tops: list[list[tuple[uuid.UUID, float]]]) -> None:
    found = sum(p.original in {r for r, _ in p.found} for p in planted)
    returned = sum(len(p.found) for p in planted)
    sample = list(zip(planted[: len(tops)], tops, strict=True))
    floor_found = sum(p.original in {r for r, _ in top} for p, top in sample)
    system_found = sum(p.original in {r for r, _ in p.found} for p, _ in sample)
    overlap = sum(len({r for r, _ in top} & {r for r, _ in p.found}) for p, top in sample)
    floor_size = sum(len(top) for top in tops)
    times = [p.seconds * 1000 for p in planted]
    print(f"\n{label}: {len(planted)} planted matches")
    print(f"  recall@{TOP} of planted matches: {found / len(planted):.3f}")
    if tops:
        print(
            f"  on {len(tops)} of them scored exhaustively: planted in the top {TOP} "
            f"{system_found}/{len(tops)} (exhaustive floor {floor_found}/{len(tops)}); "
            f"recall@{TOP} of the exhaustive top {TOP} {overlap / max(1, floor_size):.3f}"
        )
    print(
        f"  precision at the threshold: {found}/{returned} = {found / max(1, returned):.3f} "
        f"of candidates returned are the planted match"
    )
    print(
        f"  latency ms: p50 {percentile(times, 0.5):.1f}, p95 {percentile(times, 0.95):.1f}, "
        f"max {max(times):.1f} (target p95 < {TARGET_P95_MS:.0f})"
    )
    missed: dict[str, int] = {}
    for p in planted:
        if p.original not in {r for r, _ in p.found}:
            for how in p.how:
                missed[how] = missed.get(how, 0) + 1
    if missed:
        print(f"  variations among the misses: {missed}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--planted", type=int, default=400, help="half tracing, half duplicates")
    parser.add_argument(
        "--exhaustive", type=int, default=10, help="planted matches of each kind scored in full"
    )
    parser.add_argument("--misses", type=int, default=0, help="print a sample of N misses")
    parser.add_argument(
        "--rekey", action="store_true", help="with --keep: compute keys and profiles again"
    )
    parser.add_argument("--keep", metavar="DATABASE", help="load into DATABASE and keep it")
    args = parser.parse_args()
    logging.getLogger("celery").setLevel(logging.WARNING)
    celery_app.conf.task_always_eager = True  # background matching of the tracing requests
    with bench_database(args.keep):
        if not Tenant.objects.filter(slug="demo").exists():
            seed_demo(PASSWORD)
        demo = Tenant.objects.get(slug="demo")
        with tenant_transaction(demo.pk):
            loaded = Record.objects.filter(tenant=demo, short_id__startswith="m").count()
        if loaded:
            print(f"reusing {loaded:,} cases in {args.keep}")
            with tenant_transaction(demo.pk):
                records = list(
                    Record.objects.filter(tenant=demo, short_id__startswith="m").only(
                        "pk", "tenant_id", "record_type", "data", "created_at", "deleted_at"
                    )
                )
            if args.rekey:
                rekey(demo, records)
        else:
            records, generate_s, copy_s = load(demo, args.cases)
            print(f"{args.cases:,} cases: data and keys {generate_s:.1f} s, COPY {copy_s:.1f} s")
        with tenant_transaction(demo.pk):
            admin = User.objects.select_related("tenant", "role", "agency").get(
                tenant=demo, username="admin"
            )
            tracing, duplicates = plant(demo, admin, records, args.planted)
            measure(admin, tracing, duplicates)
            exhaustive_s, exhaustive = timed(lambda: Exhaustive(demo, records))
            started = time.perf_counter()
            tracing_tops = floor(exhaustive, admin, tracing[: args.exhaustive], True)
            duplicate_tops = floor(exhaustive, admin, duplicates[: args.exhaustive], False)
            per_query = (time.perf_counter() - started) / max(
                1, len(tracing_tops) + len(duplicate_tops)
            )
    load_average = os.getloadavg()
    print(
        f"\n{len(records):,} cases; load average {load_average[0]:.2f} {load_average[1]:.2f} "
        f"{load_average[2]:.2f}; exhaustive scoring {per_query:.1f} s a query "
        f"(+{exhaustive_s:.1f} s to read every case once)"
    )
    report("potentialMatches (tracing request -> cases)", tracing, tracing_tops)
    report("duplicateCandidates (case typed -> cases)", duplicates, duplicate_tops)
    if args.misses:
        by_id = {r.pk: r for r in records}
        print("\nexhaustive top-10 entries the system missed (a sample):")
        print_misses(tracing, tracing_tops, by_id, args.misses)
        print_misses(duplicates, duplicate_tops, by_id, args.misses)
    everything_found = [*tracing, *duplicates]
    recall = sum(p.original in {r for r, _ in p.found} for p in everything_found) / len(
        everything_found
    )
    p95 = percentile([p.seconds * 1000 for p in everything_found], 0.95)
    p50 = statistics.median(p.seconds for p in everything_found) * 1000
    print(
        f"\noverall recall@{TOP} {recall:.3f} (target >= {TARGET_RECALL}), p50 {p50:.1f} ms, "
        f"p95 {p95:.1f} ms (target < {TARGET_P95_MS:.0f})"
    )


if __name__ == "__main__":
    main()
