"""Compile time and memory of the demo schema and of synthetic 1,000- and 3,000-field
configurations; then the memory of a registry holding 100 tenants of distinct configurations.

Baseline in the same run: compiling the static schema alone (auth, forms, admin). Times are
the median of `--repeat` compiles, wall clock and CPU (the CPU time of this process, steadier
on a shared machine); peak and retained memory are traced by tracemalloc on one more compile.
Run: .venv/bin/python -m bench.compile_schema [--repeat 7] [--tenants 100]
"""

from __future__ import annotations

import argparse
import gc
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
    _compile_measured,
    _static_fields,
    build_schema,
    compile_schema,
)
from graphql_schema.schema_cache import SchemaCache


def measure(build: Callable[[], object], repeat: int) -> tuple[float, float, float, float]:
    """Median wall and CPU seconds; peak and retained MiB allocated while building once."""
    build()  # first compile of a shape warms caches every later one shares
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        build()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    gc.collect()
    tracemalloc.start()
    built = build()
    gc.collect()
    retained, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del built
    return statistics.median(wall), statistics.median(cpu), peak / 2**20, retained / 2**20


def registry_of(tenants: int) -> None:
    """`tenants` distinct configurations of 300-399 fields, each compiled once into one
    registry: time, memory the schemas retain, and the registry's own estimate."""
    configurations = [synthetic_configuration(300 + n % 100) for n in range(tenants)]
    cache = SchemaCache(max_bytes=2**40, max_count=10_000)
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    for configuration in configurations:
        cache.get_or_compile(configuration.digest, lambda c=configuration: _compile_measured(c))
    seconds = time.perf_counter() - start
    gc.collect()
    retained, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"\nregistry of {tenants} tenants (300-399 fields each, distinct configurations): "
        f"{len(cache)} schemas compiled in {seconds:.1f} s under tracemalloc; "
        f"retained {retained / 2**20:.1f} MiB ({retained / 2**20 / len(cache):.2f} MiB each), "
        f"peak {peak / 2**20:.1f} MiB; registry estimate {cache.total_bytes / 2**20:.1f} MiB"
    )
    bounded = SchemaCache(max_bytes=64 * 2**20, max_count=10_000)
    for configuration in configurations:
        bounded.get_or_compile(configuration.digest, lambda c=configuration: _compile_measured(c))
    print(
        f"the same with SCHEMA_REGISTRY_MAX_MB=64: keeps the {len(bounded)} most recently "
        f"used ({bounded.total_bytes / 2**20:.1f} MiB estimated)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--tenants", type=int, default=100)
    args = parser.parse_args()
    rows = []
    baseline = measure(
        lambda: build_schema(_static_fields(Query), _static_fields(Mutation)), args.repeat
    )
    rows.append(("static schema (baseline)", 0, baseline))
    for label, config in (
        ("demo tenant", demo_configuration()),
        ("synthetic 1,000 fields", synthetic_configuration(1000)),
        ("synthetic 3,000 fields", synthetic_configuration(3000)),
    ):
        fields = sum(len(s.fields) for s in config.record_types.values())
        rows.append(
            (label, fields, measure(lambda config=config: compile_schema(config), args.repeat))
        )
    print(
        f"{'schema':<26}{'fields':>7}{'wall ms':>9}{'cpu ms':>8}{'x baseline':>11}"
        f"{'peak MiB':>10}{'kept MiB':>10}"
    )
    for label, fields, (wall, cpu, peak, retained) in rows:
        print(
            f"{label:<26}{fields:>7}{wall * 1000:>9.1f}{cpu * 1000:>8.1f}"
            f"{cpu / baseline[1]:>11.1f}{peak:>10.2f}{retained:>10.2f}"
        )
    if args.tenants:
        registry_of(args.tenants)


if __name__ == "__main__":
    main()
