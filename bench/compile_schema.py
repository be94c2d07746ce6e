"""Compile time and memory of the demo schema and of a synthetic 1,000-field configuration.

Baseline in the same run: compiling the static schema alone (auth, forms, admin).
Run: .venv/bin/python -m bench.compile_schema
"""

from __future__ import annotations

import os
import statistics
import time
import tracemalloc
from collections.abc import Callable

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
django.setup()

from bench.configurations import demo_configuration, synthetic_configuration
from graphql_schema.registry import (
    Mutation,
    Query,
    _static_fields,
    build_schema,
    compile_schema,
)


def measure(build: Callable[[], object], repeat: int = 5) -> tuple[float, float]:
    """Median seconds, and peak MiB allocated while building once."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        build()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    build()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak / 2**20


def main() -> None:
    demo = demo_configuration()
    synthetic = synthetic_configuration(1000)
    baseline_s, baseline_mb = measure(
        lambda: build_schema(_static_fields(Query), _static_fields(Mutation))
    )
    rows = [("static schema (baseline)", baseline_s, baseline_mb, 0)]
    for label, config in (("demo tenant", demo), ("synthetic 1,000 fields", synthetic)):
        fields = sum(len(s.fields) for s in config.record_types.values())
        seconds, mb = measure(lambda config=config: compile_schema(config))
        rows.append((label, seconds, mb, fields))
    print(f"{'schema':<26}{'fields':>8}{'compile ms':>12}{'x baseline':>12}{'peak MiB':>10}")
    for label, seconds, mb, fields in rows:
        print(
            f"{label:<26}{fields:>8}{seconds * 1000:>12.1f}{seconds / baseline_s:>12.1f}{mb:>10.1f}"
        )


if __name__ == "__main__":
    main()
