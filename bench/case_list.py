"""A 50-case list returning every demo case field, against the floor: the same rows fetched
with psycopg and written with orjson. Prints milliseconds and the ratio to the floor.

Run: .venv/bin/python -m bench.case_list   (uses a throwaway database on the same server)
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
from django.test import Client
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType

from backend.accounts.models import User
from backend.demo.seed import seed_demo
from backend.forms.configuration import published_configuration
from backend.records.services import create_record
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant
from bench.database import bench_database
from bench.sample_values import sample_record
from graphql_schema.registry import schema_for_tenant

PASSWORD = "Bench-password-2026"  # noqa: S105 (a throwaway database)
ROWS = 50
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


def median_ms(run: Callable[[], object], repeat: int = 15) -> float:
    for _ in range(3):
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
        with tenant_transaction(demo.pk):
            admin = User.objects.select_related("tenant", "role", "agency").get(
                tenant=demo, username="admin"
            )
            schema = published_configuration(demo).schema_for("case")
            assert schema is not None
            for n in range(ROWS):
                result = create_record(admin, "case", sample_record(schema, n))
                assert result.record is not None, result.errors[:3]
            case_type = schema_for_tenant(demo)._schema.get_type("Case")
        query = f"{{ cases(first: {ROWS}) {{ edges {{ node {{ {selection(case_type)} }} }} }} }}"
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
        body = json.dumps({"query": query})

        def graphql() -> bytes:
            response = client.post(
                "/graphql",
                body,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            assert response.status_code == 200
            return response.content

        payload = json.loads(graphql())
        assert "errors" not in payload, payload.get("errors")
        nodes = payload["data"]["cases"]["edges"]
        values = sum(len(e["node"]) for e in nodes)

        db = settings.DATABASES["default"]
        conn = psycopg.connect(
            host=db["HOST"] or None,
            port=db.get("PORT") or None,
            user=db["USER"],
            password=db.get("PASSWORD") or None,
            dbname=db["NAME"],
        )

        def floor() -> bytes:
            with conn.transaction():
                conn.execute("SELECT set_config('app.tenant_id', %s, true)", [str(demo.pk)])
                rows = conn.execute(
                    "SELECT id, short_id, status, revision, created_at, updated_at, data "
                    "FROM records_record WHERE tenant_id = %s AND record_type = 'case' "
                    "AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT %s",
                    [demo.pk, ROWS],
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
                                for pk, short, status, revision, created, updated, data in rows
                            ]
                        }
                    }
                }
            )

        if os.environ.get("PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(lambda: [graphql() for _ in range(5)])
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        floor_ms = median_ms(floor)
        ours_ms = median_ms(graphql)
        conn.close()
    print(
        f"{ROWS} cases x {values // max(1, len(nodes))} top-level fields "
        f"({len(body)} bytes of query)"
    )
    print(f"{'path':<42}{'median ms':>10}{'x floor':>9}")
    print(f"{'floor: psycopg + orjson':<42}{floor_ms:>10.1f}{1.0:>9.1f}")
    print(
        f"{'GraphQL over HTTP (auth, plan, redaction)':<42}{ours_ms:>10.1f}"
        f"{ours_ms / floor_ms:>9.1f}"
    )


if __name__ == "__main__":
    main()
