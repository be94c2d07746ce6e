"""Export time and peak memory as the number of cases grows: 10,000, 50,000, 100,000.

Synthetic cases (bench/search_data.py) are COPYed into a fresh database in steps; after
each step `admin` exports every case to XLSX and to CSV through the export runner (keyset
batches, read service, access log, storage), each export in a fresh process that reports
its peak resident memory (what the operating system counts, C allocations of psycopg and
the zip writer included) and, with `--traced`, tracemalloc's peak of Python allocations
(which slows Python 2-3x). Flat memory means the peak at 100,000 stays within 1.5x of the
peak at 10,000.

    .venv/bin/python -m bench.exports [--sizes 10000,50000,100000] [--formats xlsx,csv] [--traced]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
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
from bench.database import bench_database, use_database
from bench.search_data import bench_caseworkers, load_cases

FORMATS = ("xlsx", "csv")


def export_once(tenant: Tenant, user: User, format: str, traced: bool) -> dict[str, float]:
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
    before = _status_mib("VmRSS")
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    outcome = run_export(tenant.pk, str(job.pk))
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    tracemalloc.stop()
    with tenant_transaction(tenant.pk):
        job.refresh_from_db()
    assert outcome == "completed", (outcome, job.error)
    return {
        "seconds": seconds,
        "traced": peak / 2**20,
        "rss": _status_mib("VmHWM"),
        "before": before,
        "rows": job.row_count,
        "bytes": int(job.size or 0),
    }


def _status_mib(key: str) -> float:
    # VmHWM belongs to the address space, so it starts afresh at exec; ru_maxrss would keep
    # the parent's peak from before the fork.
    with open("/proc/self/status") as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith(f"{key}:"))
    return kib / 2**10


def _use_files(files: str) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": files},
        },
    }


def _admin(tenant: Tenant) -> User:
    with tenant_transaction(tenant.pk):
        return User.objects.select_related("tenant", "role").get(tenant=tenant, username="admin")


def export_in_process(database: str, files: str, format: str, traced: bool) -> dict[str, float]:
    """One export in a fresh interpreter, so its peak resident memory is its own."""
    command = [sys.executable, "-m", "bench.exports", "--one", format]
    command += ["--database", database, "--files", files] + (["--traced"] if traced else [])
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{format} export failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _one(args: argparse.Namespace) -> None:
    # A CSV of every field of 100,000 cases is about 56 MiB, over the 50 MiB a tenant gets.
    settings.EXPORT_MAX_BYTES = 2**30
    use_database(args.database)
    _use_files(args.files)
    demo = Tenant.objects.get(slug="demo")
    print(json.dumps(export_once(demo, _admin(demo), args.one, args.traced)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--traced", action="store_true", help="tracemalloc's peak as well")
    parser.add_argument("--one", choices=FORMATS, help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--files", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        _one(args)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    formats = [f for f in args.formats.split(",") if f in FORMATS]
    logging.getLogger("celery").setLevel(logging.WARNING)
    results: list[tuple[int, str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as files, bench_database() as database:
        _use_files(files)
        seed_demo(PASSWORD)
        demo = Tenant.objects.get(slug="demo")
        workers = bench_caseworkers(demo, 20)
        loaded = 0
        for step, size in enumerate(sizes):
            started = time.perf_counter()
            load_cases(demo, workers, size - loaded, seed=100 + step)
            loaded = size
            with tenant_transaction(demo.pk):
                count = Record.objects.filter(tenant=demo, record_type="case").count()
            print(f"{count:,} cases loaded ({time.perf_counter() - started:.0f} s)", flush=True)
            for format in formats:
                one = export_in_process(database, files, format, args.traced)
                results.append((count, format, one))
                print(
                    f"  {format}: {one['rows']:,.0f} rows, {one['bytes'] / 2**20:.1f} MiB file,"
                    f" {one['seconds']:.1f} s, peak {one['rss']:.1f} MiB resident"
                    f" ({one['before']:.1f} before it started),"
                    f" {one['traced']:.1f} MiB traced",
                    flush=True,
                )
    header = ("cases", "format", "seconds", "rows/s", "RSS MiB", "x first", "traced", "x first")
    print("\n" + " ".join(f"{h:>8}" for h in header))
    first = {f: next(r[2] for r in results if r[1] == f) for f in formats}
    for count, format, one in results:
        traced_ratio = one["traced"] / first[format]["traced"] if args.traced else 0.0
        print(
            f"{count:>8,} {format:>8} {one['seconds']:>8.1f} {one['rows'] / one['seconds']:>8.0f}"
            f" {one['rss']:>8.1f} {one['rss'] / first[format]['rss']:>7.2f}x"
            f" {one['traced']:>8.1f} {traced_ratio:>7.2f}x"
        )


if __name__ == "__main__":
    main()
