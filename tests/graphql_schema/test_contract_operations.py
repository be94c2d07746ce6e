"""frontend_contract/: the committed SDL is the demo tenant's schema, and the example
operations are valid against it. A breaking change fails unless the SDL is updated with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from graphql import build_schema, find_breaking_changes, parse, validate

from backend.tenancy.context import activate_tenant
from backend.tenancy.models import Tenant
from graphql_schema.registry import schema_for_tenant

CONTRACT = Path(__file__).resolve().parents[2] / "frontend_contract"
SDL = CONTRACT / "schema.graphql"
EXPORT = "python manage.py export_schema --tenant demo --output frontend_contract/schema.graphql"

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", sorted(CONTRACT.glob("operations/*.graphql")), ids=lambda p: p.name
)
def test_example_operations_validate_against_the_committed_sdl(path: Path) -> None:
    errors = validate(build_schema(SDL.read_text()), parse(path.read_text()))

    assert [e.message for e in errors] == []


def _demo_schema() -> Any:
    demo = Tenant.objects.get(slug="demo")
    activate_tenant(demo.pk)
    return schema_for_tenant(demo)


def test_the_demo_schema_has_no_breaking_change_from_the_committed_sdl() -> None:
    committed = build_schema(SDL.read_text())
    current = _demo_schema()._schema

    breaking = find_breaking_changes(committed, current)

    assert [f"{c.type.name}: {c.description}" for c in breaking] == [], (
        f"Breaking API change. If intended, update the contract in the same change: {EXPORT}"
    )


def test_the_committed_sdl_is_current() -> None:
    current = _demo_schema().as_str() + "\n"

    assert SDL.read_text() == current, f"frontend_contract/schema.graphql is stale: {EXPORT}"
