"""Run the caseworker day (bench/load/locustfile.py) headless at stepped user counts and
print, per step, requests per second, median and p95 latency of the day's requests (each
user's opening sign-in apart, reported on its own), and failures.

    DEMO_PASSWORD=Load-password-2026 .venv/bin/python -m bench.load.steps \\
        --host http://127.0.0.1:8000 --users 5,10,20,40 --seconds 60

Each step is its own locust run (users start at 5 a second); the CSV and JSON files are
left under bench/.results/load/.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent / ".results" / "load"


def run_step(
    host: str, users: int, seconds: int
) -> tuple[dict[str, object] | None, dict[str, str]]:
    """The day's figures (see the locustfile's summary; None when no user got past signing
    in) and locust's row for sign-ins."""
    prefix = RESULTS / f"users_{users}"
    summary = prefix.with_suffix(".json")
    summary.unlink(missing_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(HERE / "locustfile.py"),
            "--headless",
            "--host",
            host,
            "--users",
            str(users),
            "--spawn-rate",
            "5",
            "--run-time",
            f"{seconds + users // 5}s",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        check=False,  # locust exits 1 when any request failed: that is a finding, not an error
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "LOAD_SUMMARY": str(summary)},
    )
    with open(f"{prefix}_stats.csv", newline="") as stats:
        login = next(row for row in csv.DictReader(stats) if row["Name"] == "login")
    return (json.loads(summary.read_text()) if summary.exists() else None), login


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="http://127.0.0.1:8000")
    parser.add_argument("--users", default="5,10,20,40", help="user counts, comma-separated")
    parser.add_argument("--seconds", type=int, default=60, help="measured seconds per step")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    print(
        f"{'users':>6}{'req/s':>7}{'median ms':>10}{'p95 ms':>8}{'max ms':>8}{'failed':>12}"
        f"{'sign-in p95 ms':>16}"
    )
    for users in (int(n) for n in args.users.split(",")):
        day, login = run_step(args.host, users, args.seconds)
        if day is None:
            print(f"{users:>6}  broken: no user got past signing in (p95 {login['95%']} ms)")
            continue
        print(
            f"{users:>6}{day['rps']:>7.1f}{day['p50_ms']:>10.0f}{day['p95_ms']:>8.0f}"
            f"{day['max_ms']:>8.0f}{day['failures']:>6}/{day['requests']:<5}{login['95%']:>16}",
            flush=True,
        )
        print("       p95 by request:", json.dumps(day["p95_ms_by_name"]), flush=True)


if __name__ == "__main__":
    main()
