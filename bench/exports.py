"""Export time and peak memory as the number of cases grows: 10,000, 50,000, 100,000.

Synthetic cases (bench/search_data.py) are COPYed into a fresh database in steps; after
each step `admin` exports every case to XLSX and to CSV through the export runner (keyset
batches, read service, access log, storage), traced by tracemalloc. Flat memory means the
peak at 100,000 stays within 1.5x of the peak at 10,000.

    .venv/bin/python -m bench.exports [--sizes 10000,50000,100000]
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
import tracemalloc
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
django.setup()

from django.conf import settings
from django.utils import timezone

from backend.accounts.models import User
from backend.demo.seed import seed_demo
from backend.exports.models import ExportJob
from backend.exports.running import run_export
from backend.records.models import Record
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant
from bench.case_list import PASSWORD
from bench.database import bench_database
from bench.search_data import bench_caseworkers, load_cases

FORMATS = ("xlsx", "csv")


def export_once(tenant: Tenant, user: User, format: str) -> tuple[float, float, int, int]:
    """Seconds, peak MiB traced, rows and bytes of one export of every case."""
    with tenant_transaction(tenant.pk):
        job = ExportJob.objects.create(
            tenant=tenant,
            user=user,
            record_type="case",
            format=format,
            locale="ar",
            expires_at=timezone.now() + timedelta(days=1),
        )
    tracemalloc.start()
    started = time.perf_counter()
    outcome = run_export(tenant.pk, str(job.pk))
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    with tenant_transaction(tenant.pk):
        job.refresh_from_db()
    assert outcome == "completed", (outcome, job.error)
    return seconds, peak / 2**20, job.row_count, int(job.size or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000,100000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    logging.getLogger("celery").setLevel(logging.WARNING)
    results: list[tuple[int, str, float, float, int, int]] = []
    with tempfile.TemporaryDirectory() as files, bench_database():
        settings.STORAGES = {
            **settings.STORAGES,
            "attachments": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": files},
            },
        }
        seed_demo(PASSWORD)
        demo = Tenant.objects.get(slug="demo")
        workers = bench_caseworkers(demo, 20)
        with tenant_transaction(demo.pk):
            admin = User.objects.select_related("tenant", "role").get(tenant=demo, username="admin")
        loaded = 0
        for step, size in enumerate(sizes):
            started = time.perf_counter()
            load_cases(demo, workers, size - loaded, seed=100 + step)
            loaded = size
            with tenant_transaction(demo.pk):
                count = Record.objects.filter(tenant=demo, record_type="case").count()
            print(f"{count:,} cases loaded ({time.perf_counter() - started:.0f} s)", flush=True)
            for format in FORMATS:
                seconds, peak, rows, size_bytes = export_once(demo, admin, format)
                results.append((count, format, seconds, peak, rows, size_bytes))
                print(
                    f"  {format}: {rows:,} rows, {size_bytes / 2**20:.1f} MiB file,"
                    f" {seconds:.1f} s, peak {peak:.1f} MiB traced",
                    flush=True,
                )
    header = ("cases", "format", "seconds", "rows/s", "peak MiB", "x first")
    print("\n" + " ".join(f"{h:>8}" for h in header))
    first = {f: next(r[3] for r in results if r[1] == f) for f in FORMATS}
    for count, format, seconds, peak, rows, _ in results:
        print(
            f"{count:>8,} {format:>6} {seconds:>8.1f} {rows / seconds:>8.0f} {peak:>9.1f}"
            f" {peak / first[format]:>7.2f}x"
        )


if __name__ == "__main__":
    main()
