"""Test runs at once on one machine (TEST_SHARD=N, as tests/shards.py starts them) keep apart.

Each run already has a test database of its own (named by its process). Two runs on one
Redis would share login throttles, caches and Celery queues, and one run's Celery worker
would take the other's tasks; two runs picking ports at once could start servers on the
same one. Shard N therefore takes the N-th Redis database below the one REDIS_URL names
(wrapping round Redis's 16) and the N-th block of ports (`shard_index`, tests.processes).

Loaded with `-p` (pyproject's addopts) so that it runs before Django reads its settings.
Without TEST_SHARD nothing changes.
"""

from __future__ import annotations

import os
import re


def shard_index() -> int:
    shard = os.environ.get("TEST_SHARD", "0")
    if not shard.isdigit():
        raise RuntimeError(f"TEST_SHARD must be a small number, not {shard!r}")
    return int(shard)


_redis = os.environ.get("REDIS_URL", "")
if shard_index() and _redis:
    _base = re.search(r"/(\d+)$", _redis)
    _db = ((int(_base.group(1)) if _base else 0) - shard_index()) % 16
    os.environ["REDIS_URL"] = (_redis[: _base.start()] if _base else _redis.rstrip("/")) + f"/{_db}"
