"""Data for the load scenario: the demo tenant, `--users` caseworkers who sign in with
DEMO_PASSWORD (cp_worker, cp_worker_02, ...), and `--cases` cases spread over them.

Run it on the database the server will use, after `make run` has prepared it once (or with
DATABASE_URL set):

    DEMO_PASSWORD=Load-password-2026 .venv/bin/python -m bench.load.seed --users 40 --cases 4000

Safe to run again: users are kept (their password reset), cases are added.
"""

from __future__ import annotations

import argparse
import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
django.setup()

from django.conf import settings
from django.core.management import call_command

from backend.accounts.models import User
from backend.demo.seed import seed_demo
from backend.records.filtering.indexes import sync_indexes
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant
from bench.search_data import bench_caseworkers, load_cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=40, help="caseworkers who can sign in")
    parser.add_argument("--cases", type=int, default=4000, help="cases to add")
    args = parser.parse_args()
    password = settings.DEMO_PASSWORD
    if not password:
        raise SystemExit("Set DEMO_PASSWORD: the caseworkers sign in with it.")
    started = time.perf_counter()
    call_command("prepare_database", verbosity=0)
    seed_demo(password)
    demo = Tenant.objects.get(slug="demo")
    workers = bench_caseworkers(demo, args.users)
    with tenant_transaction(demo.pk):
        for user in User.objects.filter(pk__in=[w.user_id for w in workers]):
            if not user.check_password(password):
                user.set_password(password)
                user.save(update_fields=["password"])
    report, _ = load_cases(demo, workers, args.cases)
    sync_indexes(demo)
    print(
        f"{len(workers)} caseworkers (cp_worker, cp_worker_02..{args.users:02d}), "
        f"{report.cases} cases added in {time.perf_counter() - started:.0f}s"
    )


if __name__ == "__main__":
    main()
