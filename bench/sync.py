"""Offline sync: a device's first pull of 2,000 cases with every permitted field, and a push
of 500 changes, over GraphQL over HTTP, against the floor: the same permitted values of the
same records fetched with psycopg (runtime role), written as JSON with orjson and gzipped.
Prints time and bytes (raw and gzip) of both, and the ratios.

Run: .venv/bin/python -m bench.sync [--cases N] [--repeat R] [--keep DATABASE]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import time
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
django.setup()

import orjson
import psycopg
from django.conf import settings
from django.test import Client
from graphql import GraphQLObjectType

from backend.accounts.models import User
from backend.collector import settle
from backend.demo.seed import seed_demo
from backend.records.access import access_plan
from backend.records.filtering.indexes import owner_connection
from backend.records.models import Record
from backend.request_state import request_scope
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant
from bench.case_list import PASSWORD, selection
from bench.database import bench_database
from bench.search_data import bench_caseworkers, load_cases
from graphql_schema.registry import schema_for_tenant
from permissions.plan import RecordAccess

TYPED_PAGE = 100  # every field of 100 cases: about 530,000 of the 1,000,000 cost limit
PAGE = 500  # syncPull's largest page: `values`, and the floor
SKIP = {"transitions", "approvals", "flags", "notes"}  # workflow lists: not form values

PULL = """query Pull($deviceId: ID!, $since: String, $first: Int) {
  syncPull(deviceId: $deviceId, since: $since, first: $first, recordTypes: ["case"]) {
    cursor hasMore formsDigest wipe
    tombstones { recordType id reason }
    items { recordType id revision fieldRevisions %s }
  }
}"""
TYPED = "record { ... on Case { %s } }"  # every field of the compiled type, selected
VALUES = "values"  # the same permitted values as one JSON object
PUSH = """mutation Push($deviceId: ID!, $changes: [SyncChangeInput!]!) {
  syncPush(deviceId: $deviceId, changes: $changes) {
    results { clientMutationId status revision errors { code message } }
    errors { code message }
  }
}"""


class Api:
    def __init__(self, username: str) -> None:
        self.client = Client()
        login = (
            f'mutation {{ login(tenant: "demo", username: "{username}", password: "{PASSWORD}")'
            " { accessToken } }"
        )
        answer = self.call(login, {}, bearer=None)
        self.bearer = f"Bearer {answer['data']['login']['accessToken']}"

    def call(
        self, document: str, variables: dict[str, Any], bearer: str | None = ""
    ) -> dict[str, Any]:
        answer: dict[str, Any] = orjson.loads(self.raw(document, variables, bearer))
        return answer

    def raw(self, document: str, variables: dict[str, Any], bearer: str | None = "") -> bytes:
        headers = {} if bearer is None else {"HTTP_AUTHORIZATION": bearer or self.bearer}
        response = self.client.post(
            "/graphql",
            json.dumps({"query": document, "variables": variables}),
            content_type="application/json",
            **headers,  # type: ignore[arg-type]
        )
        return bytes(response.content)


def new_device(api: Api) -> str:
    registered = api.call('mutation { registerDevice(name: "bench tablet") { device { id } } }', {})
    device: str = registered["data"]["registerDevice"]["device"]["id"]
    return device


def first_pull(api: Api, item: str, first: int) -> tuple[float, int, int, int]:
    """A new device's first pull; the device is revoked after it (a user has at most 20)."""
    device = new_device(api)
    try:
        return pull_all(api, device, item, first)
    finally:
        api.call("mutation($id: ID!) { revokeDevice(id: $id) { errors { code } } }", {"id": device})


def vacuum_device_rows() -> None:
    """Clear the rows of the devices revoked so far, as autovacuum does on a server left at
    its defaults: on one where it is off (as on the machine these figures come from), each
    pull would insert into indexes holding every earlier pull's dead rows."""
    with owner_connection() as conn:
        conn.execute("VACUUM (ANALYZE) sync_devicerecord")


def pull_all(api: Api, device: str, item: str, first: int) -> tuple[float, int, int, int]:
    """A first pull (since: null), page after page: seconds, items, raw and gzip bytes."""
    started = time.perf_counter()
    since, items, raw, packed = None, 0, 0, 0
    while True:
        body = api.raw(PULL % item, {"deviceId": device, "since": since, "first": first})
        raw += len(body)
        packed += len(gzip.compress(body, 6))
        page = orjson.loads(body)
        assert "errors" not in page, page["errors"]
        found = page["data"]["syncPull"]
        items += len(found["items"])
        since = found["cursor"]
        if not found["hasMore"]:
            return time.perf_counter() - started, items, raw, packed


def _permitted(data: Any, access: RecordAccess, parent: tuple[str, ...] = ()) -> Any:
    """`data` with only the fields `access` lets its user read, at every depth."""
    readable = access.readable_children(parent) if parent else access.readable
    kept = {}
    for name, value in data.items():
        if name not in readable:
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict):
            value = [_permitted(entry, access, (*parent, name)) for entry in value]
        kept[name] = value
    return kept


def floor_pull(tenant: Tenant, access: RecordAccess, owner_id: int) -> tuple[float, int, int]:
    """The same records' permitted values by psycopg and orjson, gzipped, by pages of PAGE."""
    db = settings.DATABASES["default"]
    started = time.perf_counter()
    raw = packed = 0
    with psycopg.connect(
        host=db["HOST"] or None,
        port=db.get("PORT") or None,
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        dbname=db["NAME"],
    ) as conn:
        conn.execute("SELECT set_config('app.tenant_id', %s, false)", [str(tenant.pk)])
        last = -1
        while True:
            rows = conn.execute(
                "SELECT id, revision, field_revs, data, change_seq FROM records_record"
                " WHERE tenant_id = %s AND record_type = 'case' AND owner_id = %s"
                " AND deleted_at IS NULL AND change_seq > %s ORDER BY change_seq LIMIT %s",
                [tenant.pk, owner_id, last, PAGE],
            ).fetchall()
            if not rows:
                break
            page = [
                {
                    "id": str(pk),
                    "revision": revision,
                    "fieldRevisions": {k: v for k, v in revs.items() if k in access.readable},
                    "record": _permitted(data, access),
                }
                for pk, revision, revs, data, _ in rows
            ]
            body = orjson.dumps({"data": {"items": page}})
            raw += len(body)
            packed += len(gzip.compress(body, 6))
            last = rows[-1][4]
    return time.perf_counter() - started, raw, packed


def push_changes(api: Api, device: str, tenant: Tenant, owner: User, count: int) -> float:
    """One syncPush of `count` changes, each to one case's risk level at its revision."""
    with tenant_transaction(tenant.pk):
        cases = list(
            Record.objects.filter(tenant=tenant, record_type="case", owner=owner)
            .order_by("change_seq")
            .values_list("pk", "revision", "data")[:count]
        )
    changes = [
        {
            "clientMutationId": f"bench-{time.time_ns()}-{n}",
            "recordType": "case",
            "id": str(pk),
            "baseRevision": revision,
            "values": {"riskLevel": "low" if data.get("risk_level") == "high" else "high"},
        }
        for n, (pk, revision, data) in enumerate(cases)
    ]
    started = time.perf_counter()
    answer = api.call(PUSH, {"deviceId": device, "changes": changes})
    seconds = time.perf_counter() - started
    results = answer["data"]["syncPush"]["results"]
    statuses = {r["status"] for r in results}
    assert len(results) == count, len(results)
    assert statuses <= {"APPLIED", "MERGED"}, statuses
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pushes", type=int, default=500)
    parser.add_argument("--keep", metavar="DATABASE", help="load into DATABASE and keep it")
    args = parser.parse_args()
    with bench_database(args.keep):
        demo = Tenant.objects.filter(slug="demo").first()
        if demo is None:
            seed_demo(PASSWORD)
            demo = Tenant.objects.get(slug="demo")
            load_cases(demo, bench_caseworkers(demo, 1), args.cases)
            with owner_connection() as conn:
                conn.execute("ANALYZE records_record")
        with tenant_transaction(demo.pk):
            worker = User.objects.select_related("tenant", "role", "agency").get(
                tenant=demo, username="cp_worker"
            )
            with request_scope():
                access = access_plan(worker, "case").module_access("cp")
        with tenant_transaction(demo.pk):
            case_type = schema_for_tenant(demo)._schema.get_type("Case")
        assert isinstance(case_type, GraphQLObjectType)
        fields = selection(case_type, SKIP)
        api = Api("cp_worker")
        # warm-up, then settled as a web worker is (ops/gunicorn_conf.py)
        first_pull(api, VALUES, PAGE)
        settle()
        pulls, by_values, floors = [], [], []
        for _ in range(args.repeat):  # interleaved: all see the same load
            vacuum_device_rows()
            # a first pull is a new device's: it holds nothing yet
            pulls.append(first_pull(api, TYPED % fields, TYPED_PAGE))
            by_values.append(first_pull(api, VALUES, PAGE))
            floors.append(floor_pull(demo, access, worker.pk))
        push_s = push_changes(api, new_device(api), demo, worker, args.pushes)

    floor = statistics.median(f[0] for f in floors) * 1000
    _, floor_raw, floor_packed = floors[-1]
    variants = (("record, every field selected", pulls, TYPED_PAGE), ("values", by_values, PAGE))
    for label, runs, size in variants:
        ours = statistics.median(p[0] for p in runs) * 1000
        _, items, raw, packed = runs[-1]
        print(f"first pull of {items:,} cases as `{label}`, pages of {size}, median of"
              f" {args.repeat}:")  # fmt: skip
        print(f"  time: {ours:.0f} ms against {floor:.0f} ms for the floor ({ours / floor:.1f}x)")
        print(
            f"  bytes: {raw:,} raw / {packed:,} gzip against {floor_raw:,} / {floor_packed:,}"
            f" ({raw / floor_raw:.2f}x / {packed / floor_packed:.2f}x)"
        )
    print(
        f"push of {args.pushes} changes in one syncPush: {push_s * 1000:.0f} ms"
        f" ({push_s * 1000 / args.pushes:.1f} ms a change)"
    )


if __name__ == "__main__":
    main()
