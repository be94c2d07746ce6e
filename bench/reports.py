"""Dashboard indicators on 100,000 cases: p50 / p95 of each indicator of each demo role's
dashboard, through the service the API uses (plan, filter compiler, one GROUP BY query,
suppression), against a floor measured in the same run (a plain count of the tenant's cases
by psycopg as the runtime role); and the whole dashboard of each role over GraphQL over HTTP.

Run: .venv/bin/python -m bench.reports [--cases N] [--repeat R] [--keep DATABASE]
     (a throwaway database on the same server; 100,000 cases by default; target: every
     indicator under one second at p95)
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
django.setup()

import psycopg
from django.conf import settings
from django.test import Client
from django.utils import timezone

from backend.accounts.models import User
from backend.demo.seed import seed_demo
from backend.records.filtering.indexes import owner_connection, sync_indexes
from backend.records.models import Record
from backend.reports.dashboards import indicator_result
from backend.reports.indicators import role_indicators
from backend.request_state import request_scope
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant
from backend.workflows.models import Approval, Transition
from bench.case_list import PASSWORD
from bench.database import bench_database
from bench.search import percentile
from bench.search_data import bench_caseworkers, load_cases

TARGET_P95_MS = 1000.0
ROLES = ("cp_worker", "cp_supervisor", "cp_monitor", "admin", "referral_worker")
DASHBOARD = "query { dashboard { key aggregate { total { display } } error { code } } }"


def load(cases: int) -> None:
    """Seed the demo, COPY the synthetic cases, add pending approvals and referrals (2% each,
    open cases), build the filter indexes, ANALYZE."""
    seed_demo(PASSWORD)
    demo = Tenant.objects.get(slug="demo")
    workers = bench_caseworkers(demo, 20)
    started = time.perf_counter()
    _, records = load_cases(demo, workers, cases)
    rng = random.Random(17)
    with tenant_transaction(demo.pk):
        users = {u.username: u for u in User.objects.filter(tenant=demo)}
        owners = dict(Record.objects.filter(tenant=demo).values_list("pk", "owner_id"))
        open_ids = [r.pk for r in records if r.status != "closed"]
        Approval.objects.bulk_create(
            Approval(
                tenant=demo,
                record_id=pk,
                approval_type="assessment",
                requested_by_id=owners[pk],
            )
            for pk in open_ids
            if rng.random() < 0.02
        )
        Transition.objects.bulk_create(
            Transition(
                tenant=demo,
                record_id=pk,
                kind="referral",
                status=rng.choice(("pending", "pending", "accepted")),
                from_user_id=owners[pk],
                to_user=users["referral_worker"],
                forms=["basic_identity"],
            )
            for pk in open_ids
            if rng.random() < 0.02
        )
    sync_indexes(demo)
    with owner_connection() as conn:
        conn.execute(
            "ANALYZE records_record, workflows_flag, workflows_approval, workflows_transition,"
            " locations_location"
        )
    took = time.perf_counter() - started
    print(f"loaded {cases:,} cases with approvals and referrals in {took:.0f} s")


def loaded(tenant: Tenant) -> bool:
    with tenant_transaction(tenant.pk):
        return Record.objects.filter(tenant=tenant, record_type="case").count() > 1000


def floor(tenant: Tenant, repeat: int) -> list[float]:
    """A plain count of the tenant's cases, psycopg, runtime role, RLS on."""
    app = settings.DATABASES["default"]
    times = []
    with psycopg.connect(
        host=app["HOST"] or None,
        port=app.get("PORT") or None,
        user=app["USER"],
        password=app.get("PASSWORD") or None,
        dbname=app["NAME"],
    ) as conn:
        for _ in range(repeat):
            with conn.transaction():
                conn.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant.pk)])
                start = time.perf_counter()
                conn.execute(
                    "SELECT count(*) FROM records_record WHERE tenant_id = %s"
                    " AND record_type = 'case' AND deleted_at IS NULL",
                    [tenant.pk],
                ).fetchone()
                times.append(time.perf_counter() - start)
    return times


def indicators(tenant: Tenant, repeat: int) -> list[tuple[str, str, str, list[float]]]:
    """(role, indicator, what it answered, run times) for each indicator of each role."""
    today = timezone.localdate()
    found = []
    with tenant_transaction(tenant.pk):
        users = {
            u.username: u
            for u in User.objects.select_related("tenant", "role", "agency").filter(
                tenant=tenant, username__in=ROLES
            )
        }
    for username in ROLES:
        user = users[username]
        for indicator in role_indicators(user):
            times, answer = [], ""
            for _ in range(repeat):
                with request_scope(), tenant_transaction(tenant.pk):
                    start = time.perf_counter()
                    result = indicator_result(user, indicator, "en", today)
                    times.append(time.perf_counter() - start)
                if result.table is None:
                    answer = f"error {result.error_code}"
                else:
                    total = result.table.total
                    answer = f"{len(result.table.cells)} cells, total {total.display}"
            found.append((username, indicator.key, answer, times))
    return found


def over_http(repeat: int) -> list[tuple[str, list[float]]]:
    client = Client()
    found = []
    for username in ROLES:
        login = (
            f'mutation {{ login(tenant: "demo", username: "{username}", '
            f'password: "{PASSWORD}") {{ accessToken }} }}'
        )
        body = client.post("/graphql", {"query": login}, content_type="application/json").json()
        headers = {"HTTP_AUTHORIZATION": f"Bearer {body['data']['login']['accessToken']}"}
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            response = client.post(
                "/graphql",
                data=json.dumps({"query": DASHBOARD}),
                content_type="application/json",
                **headers,  # type: ignore[arg-type]
            )
            times.append(time.perf_counter() - start)
            assert "errors" not in response.json(), response.content[:500]
        found.append((username, times))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20, help="runs of each indicator")
    parser.add_argument(
        "--keep", metavar="DATABASE", help="load into DATABASE and keep it; reuse it when loaded"
    )
    args = parser.parse_args()
    logging.getLogger("celery").setLevel(logging.WARNING)
    with bench_database(args.keep):
        demo = Tenant.objects.filter(slug="demo").first()
        if demo is None or not loaded(demo):
            load(args.cases)
            demo = Tenant.objects.get(slug="demo")
        else:
            seed_demo(PASSWORD)  # the dashboards as the code defines them now
            print(f"reusing the cases loaded in {args.keep}")
        base = floor(demo, args.repeat)
        timings = indicators(demo, args.repeat)
        http = over_http(max(5, args.repeat // 4))
    base_p50, base_p95 = percentile(base, 0.5), percentile(base, 0.95)
    print(
        f"\n{args.repeat} runs each; ms; target p95 < {TARGET_P95_MS:.0f}; floor (count of the"
        f" tenant's cases) p50 {base_p50:.1f}, p95 {base_p95:.1f}"
    )
    print(f"{'role':<16}{'indicator':<34}{'answer':<26}{'p50':>8}{'p95':>8}{'x fl':>7}  met")
    for username, key, answer, times in timings:
        p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
        met = "yes" if p95 < TARGET_P95_MS else "NO"
        ratio = p95 / base_p95
        print(f"{username:<16}{key:<34}{answer:<26}{p50:>8.1f}{p95:>8.1f}{ratio:>7.1f}  {met}")
    print("\nwhole dashboard over GraphQL over HTTP (login once, then each run)")
    for username, times in http:
        print(
            f"{username:<16}p50 {percentile(times, 0.5):>8.1f}  p95 {percentile(times, 0.95):>8.1f}"
        )


if __name__ == "__main__":
    main()
