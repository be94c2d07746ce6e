"""Run the caseworker day (bench/load/locustfile.py) headless at stepped user counts and
print, per step, requests per second, median and p95 latency over all requests, and failures.

    DEMO_PASSWORD=Load-password-2026 .venv/bin/python -m bench.load.steps \\
        --host http://127.0.0.1:8000 --users 5,10,20,40 --seconds 60

Each step is its own locust run (users start at 5 a second, then the step's time is
measured); the CSV files are left under bench/.results/load/.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent / ".results" / "load"


def run_step(host: str, users: int, seconds: int) -> dict[str, str]:
    prefix = RESULTS / f"users_{users}"
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
            "--reset-stats",  # measured once every user has started
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        check=False,  # locust exits 1 when any request failed: that is a finding, not an error
        stdout=subprocess.DEVNULL,
    )
    with open(f"{prefix}_stats.csv", newline="") as stats:
        return next(row for row in csv.DictReader(stats) if row["Name"] == "Aggregated")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="http://127.0.0.1:8000")
    parser.add_argument("--users", default="5,10,20,40", help="user counts, comma-separated")
    parser.add_argument("--seconds", type=int, default=60, help="measured seconds per step")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    print(f"{'users':>6}{'req/s':>8}{'median ms':>11}{'p95 ms':>8}{'max ms':>8}{'failures':>10}")
    for users in (int(n) for n in args.users.split(",")):
        row = run_step(args.host, users, args.seconds)
        print(
            f"{users:>6}{float(row['Requests/s']):>8.1f}{row['50%']:>11}{row['95%']:>8}"
            f"{float(row['Max Response Time']):>8.0f}"
            f"{row['Failure Count']:>5}/{row['Request Count']}",
            flush=True,
        )


if __name__ == "__main__":
    main()
