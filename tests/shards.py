"""The whole suite as two serial pytest runs at once (`make test`, and CI's second pass).

Each shard is a plain pytest run with a test database of its own (named by its process), a
Redis database and a block of ports of its own (TEST_SHARD, `tests/shard_isolation.py`).
The second shard takes the directories below; the first takes every other test, so a new
directory is never left out. The first shard's output shows as it runs, the second's once
both have ended; the exit status is the first failing shard's (5, no tests, fails too).

Run: python -m tests.shards [PYTEST ARGS...]  (arguments go to both shards)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO

SECOND = ("tests/graphql_schema", "tests/formengine", "tests/permissions")
ROOT = Path(__file__).resolve().parent.parent


def shard_paths(shard: int) -> list[str]:
    if shard == 1:
        return list(SECOND)
    return ["tests", *(f"--ignore={path}" for path in SECOND)]


def main(extra: list[str]) -> int:
    # The first shard writes as it goes; the second's output follows once both have ended.
    with tempfile.TemporaryFile() as second_log:
        runs = [
            _start(0, extra, None),
            _start(1, extra, second_log),
        ]
        codes = [process.wait() for process in runs]
        second_log.seek(0)
        sys.stdout.write(f"\n---- shard 1 ({' '.join(shard_paths(1))})\n")
        sys.stdout.flush()
        sys.stdout.buffer.write(second_log.read())
    for shard, code in enumerate(codes):
        sys.stdout.write(f"---- shard {shard}: exit {code}\n")
    return next((code for code in codes if code), 0)


def _start(shard: int, extra: list[str], log: IO[bytes] | None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", *shard_paths(shard), *extra],
        cwd=ROOT,
        env={**os.environ, "TEST_SHARD": str(shard)},
        stdout=log,
        stderr=None if log is None else subprocess.STDOUT,
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
