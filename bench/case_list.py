"""The case list returning every demo case field, against the floor (the same rows fetched
with psycopg and written with orjson) and against the baseline (the same cases as Django
models served by strawberry-django with its optimizer, bench/baseline.py), in one run: at
10, 50 and 100 cases, and at 50 cases with 50, 150 and every field, and interpreted
(COMPILED_RECORD_EXECUTION off). Prints milliseconds,
both ratios and requests per second of one process.

Run: .venv/bin/python -m bench.case_list   (uses a throwaway database on the same server;
needs the `bench` extra)
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
django.setup()

import orjson
import psycopg
from django.conf import settings
from django.test import Client, override_settings
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType

from backend.accounts.models import User
from backend.collector import settle
from backend.demo.seed import seed_demo
from backend.forms.configuration import published_configuration
from backend.records.models import Record
from backend.records.services import create_record
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant
from bench import baseline as baseline_bench
from bench.database import bench_database
from bench.sample_values import sample_record
from graphql_schema.registry import schema_for_tenant

PASSWORD = "Bench-password-2026"  # noqa: S105 (a throwaway database)
PAGES = (10, 50, 100)
FIELD_COUNTS = (50, 150)
SKIP = {"transitions", "approvals", "flags", "notes"}  # workflow lists: not form fields


def _unwrap(graphql_type: object) -> object:
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    return graphql_type


def selection(object_type: GraphQLObjectType, skip: frozenset[str] | set[str] = SKIP) -> str:
    """Every field of a type, objects with all of theirs, but the fields in `skip`."""
    parts = []
    for name, field in object_type.fields.items():
        if name in skip:
            continue
        inner = _unwrap(field.type)
        parts.append(
            f"{name} {{ {selection(inner, skip)} }}"
            if isinstance(inner, GraphQLObjectType)
            else name
        )
    return " ".join(parts)


def leaf_selection(object_type: GraphQLObjectType, count: int) -> str:
    """The first `count` leaf fields of the type (system fields first)."""
    names = [
        name
        for name, field in object_type.fields.items()
        if name not in SKIP and not isinstance(_unwrap(field.type), GraphQLObjectType)
    ]
    return " ".join(names[:count])


def median_ms(
    run: Callable[[], object], repeat: int = int(os.environ.get("REPEAT", "15"))
) -> float:
    for _ in range(min(3, repeat)):
        run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    with bench_database():
        seed_demo(PASSWORD)
        demo = Tenant.objects.get(slug="demo")
        rows = max(PAGES)
        with tenant_transaction(demo.pk):
            admin = User.objects.select_related("tenant", "role", "agency").get(
                tenant=demo, username="admin"
            )
            schema = published_configuration(demo).schema_for("case")
            assert schema is not None
            for n in range(rows):
                result = create_record(admin, "case", sample_record(schema, n))
                assert result.record is not None, result.errors[:3]
            case_type = schema_for_tenant(demo)._schema.get_type("Case")
            records = list(Record.objects.filter(record_type="case").select_related("owner"))
        baseline = baseline_bench.Baseline(schema)
        baseline.create_tables()
        baseline.load(records)
        urls = type("urls", (), {"urlpatterns": [*baseline.urls(), *_our_urls()]})
        with override_settings(ROOT_URLCONF=urls):
            measured = _measure(demo, case_type, baseline)
    _report(*measured)


def _our_urls() -> list[object]:
    from backend import urls

    return list(urls.urlpatterns)


def _post(client: Client, url: str, body: str, token: str | None = None) -> bytes:
    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    response = client.post(url, body, content_type="application/json", **extra)
    assert response.status_code == 200, response.content[:500]
    # not decoded here (the floor's answer is not either): the first answers are, in _measure
    assert b'"errors"' not in response.content, response.content[:500]
    return response.content


def _measure(
    demo: Tenant, case_type: GraphQLObjectType, baseline: baseline_bench.Baseline
) -> tuple[
    list[tuple[str, int, float, float, float]],
    list[tuple[int, float, float]],
    tuple[float, float],
    int,
]:
    client = Client()
    login = client.post(
        "/graphql",
        json.dumps(
            {
                "query": (
                    'mutation { login(tenant: "demo", username: "admin", '
                    f'password: "{PASSWORD}") {{ accessToken }} }}'
                )
            }
        ),
        content_type="application/json",
    ).json()
    token = login["data"]["login"]["accessToken"]
    baseline_type = baseline.schema._schema.get_type(f"Baseline{baseline.root_name}Type")
    assert isinstance(baseline_type, GraphQLObjectType)
    every = selection(case_type)
    baseline_every = selection(baseline_type, set())

    db = settings.DATABASES["default"]
    conn = psycopg.connect(
        host=db["HOST"] or None,
        port=db.get("PORT") or None,
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        dbname=db["NAME"],
    )

    def floor(rows: int) -> bytes:
        with conn.transaction():
            conn.execute("SELECT set_config('app.tenant_id', %s, true)", [str(demo.pk)])
            found = conn.execute(
                "SELECT id, short_id, status, revision, created_at, updated_at, data "
                "FROM records_record WHERE tenant_id = %s AND record_type = 'case' "
                "AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT %s",
                [demo.pk, rows],
            ).fetchall()
        return orjson.dumps(
            {
                "data": {
                    "cases": {
                        "edges": [
                            {
                                "node": {
                                    **data,
                                    "id": str(pk),
                                    "shortId": short,
                                    "status": status,
                                    "revision": revision,
                                    "createdAt": created,
                                    "updatedAt": updated,
                                }
                            }
                            for pk, short, status, revision, created, updated, data in found
                        ]
                    }
                }
            }
        )

    def ours(rows: int, fields: str) -> Callable[[], bytes]:
        body = json.dumps(
            {"query": f"{{ cases(first: {rows}) {{ edges {{ node {{ {fields} }} }} }} }}"}
        )
        return lambda: _post(client, "/graphql", body, token)

    def theirs(rows: int) -> Callable[[], bytes]:
        query = f"{{ cases(first: {rows}) {{ edges {{ node {{ {baseline_every} }} }} }} }}"
        body = json.dumps({"query": query})
        return lambda: _post(client, "/" + baseline_bench.URL, body)

    first = json.loads(ours(max(PAGES), every)())["data"]["cases"]["edges"]
    check = json.loads(theirs(max(PAGES))())["data"]["cases"]["edges"]
    assert len(first) == len(check) == max(PAGES)
    top_level = len(first[0]["node"])
    settle()  # warmed up: the collector set as a web worker sets it (ops/gunicorn_conf.py)

    if os.environ.get("PROFILE"):
        import cProfile
        import pstats

        run = ours(50, every)
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [run() for _ in range(5)])
        # PROFILE=1: by own time; PROFILE=cumulative (or another pstats key) by that
        key = os.environ["PROFILE"]
        pstats.Stats(profiler).sort_stats("tottime" if key == "1" else key).print_stats(40)

    pages = []
    for rows in PAGES:
        floor_ms = median_ms(lambda rows=rows: floor(rows))
        ours_ms = median_ms(ours(rows, every))
        theirs_ms = median_ms(theirs(rows))
        pages.append((f"{rows} cases, every field", rows, floor_ms, ours_ms, theirs_ms))
    with override_settings(COMPILED_RECORD_EXECUTION=False):
        interpreted = (median_ms(lambda: floor(50)), median_ms(ours(50, every)))
    widths = []
    for count in FIELD_COUNTS:
        widths.append(
            (
                count,
                median_ms(lambda: floor(50)),
                median_ms(ours(50, leaf_selection(case_type, count))),
            )
        )
    conn.close()
    return pages, widths, interpreted, top_level


def _report(
    pages: list[tuple[str, int, float, float, float]],
    widths: list[tuple[int, float, float]],
    interpreted: tuple[float, float],
    top_level: int,
) -> None:
    print(f"Case: {top_level} top-level fields with every one selected (subforms with theirs)")
    print(
        f"{'page':<26}{'floor ms':>9}{'ours ms':>9}{'baseline ms':>12}"
        f"{'ours/floor':>11}{'ours/base':>10}{'ours req/s':>11}"
    )
    for label, _rows, floor_ms, ours_ms, theirs_ms in pages:
        print(
            f"{label:<26}{floor_ms:>9.1f}{ours_ms:>9.1f}{theirs_ms:>12.1f}"
            f"{ours_ms / floor_ms:>11.1f}{ours_ms / theirs_ms:>10.2f}{1000 / ours_ms:>11.0f}"
        )
    floor_ms, ours_ms = interpreted
    print(
        f"{'50 cases, interpreted':<26}{floor_ms:>9.1f}{ours_ms:>9.1f}{'':>12}"
        f"{ours_ms / floor_ms:>11.1f}{'':>10}{1000 / ours_ms:>11.0f}"
    )
    for count, floor_ms, ours_ms in widths:
        print(
            f"{f'50 cases, {count} leaf fields':<26}{floor_ms:>9.1f}{ours_ms:>9.1f}{'':>12}"
            f"{ours_ms / floor_ms:>11.1f}{'':>10}{1000 / ours_ms:>11.0f}"
        )


if __name__ == "__main__":
    main()
