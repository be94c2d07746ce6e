"""Refusing hostile documents: nested fragment spreads that double at each level, and five
aliased pages of 100 cases selecting every field and workflow list.

Baseline in the same run: parsing and validating a small ordinary page query. Each document
goes through the demo schema's whole pipeline (the limits, the parse and validation caches);
a fresh operation name each run, so nothing comes from a cache. For scale, one row validates
the 18-level document with the limits bypassed, as the server did before them.

Run: .venv/bin/python -m bench.hostile_documents
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from itertools import count

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
django.setup()

from graphql import GraphQLObjectType, parse
from strawberry.schema.schema import validate_document

from bench.case_list import median_ms, selection
from bench.configurations import demo_configuration
from graphql_schema.registry import LIMIT_RULES, compile_schema

SMALL_PAGE = "cases(first: 20) { edges { node { id nameFirst age } } }"


def fragment_doubling(levels: int, name: str) -> str:
    fragments = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    fragments.append(f"fragment F{levels} on Query {{ __typename }}")
    return f"query {name} {{ ...F0 }}\n" + "\n".join(fragments)


def main() -> None:
    configuration = dataclasses.replace(demo_configuration(), workflow_record_types=("case",))
    schema = compile_schema(configuration)
    case_type = schema._schema.get_type("Case")
    assert isinstance(case_type, GraphQLObjectType)
    node = selection(case_type, skip=frozenset())
    pages = " ".join(
        f"page{n}: cases(first: 100) {{ edges {{ node {{ {node} }} }} }}" for n in range(5)
    )
    fresh = count()

    def baseline() -> None:
        document = parse(f"query Small{next(fresh)} {{ {SMALL_PAGE} }}")
        assert not validate_document(schema._schema, document, tuple(LIMIT_RULES))

    def refused(make: Callable[[str], str], code: str) -> Callable[[], None]:
        def run() -> None:
            result = schema.execute_sync(make(f"Q{next(fresh)}"))
            assert result.errors, "not refused"
            assert result.errors[0].extensions["code"] == code, result.errors[0].message

        return run

    baseline_ms = median_ms(baseline, repeat=30)
    rows = [("small page query, parse + validate (baseline)", baseline_ms)]
    for levels in (18, 20, 30):
        run = refused(lambda name, n=levels: fragment_doubling(n, name), "QUERY_TOO_COMPLEX")
        rows.append((f"fragment doubling, {levels} levels: refused", median_ms(run, repeat=30)))
    five = refused(lambda name: f"query {name} {{ {pages} }}", "QUERY_TOO_COMPLEX")
    rows.append(("five aliased pages of 100 full cases: refused", median_ms(five, repeat=10)))

    unprotected = parse(fragment_doubling(18, "Unprotected"))
    start = time.perf_counter()
    validate_document(schema._schema, unprotected, tuple(LIMIT_RULES))
    rows.append(
        ("fragment doubling, 18 levels: validated unbounded", (time.perf_counter() - start) * 1000)
    )

    print(f"{'document':<52}{'ms':>10}{'x baseline':>12}")
    for label, ms in rows:
        print(f"{label:<52}{ms:>10.2f}{ms / baseline_ms:>12.1f}")


if __name__ == "__main__":
    main()
