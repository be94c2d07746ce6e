"""The example operations in frontend_contract/ are valid against the served schema."""

from pathlib import Path

import pytest
from graphql import parse, validate

from graphql_schema.registry import base_schema as schema

CONTRACT = Path(__file__).resolve().parents[2] / "frontend_contract"


@pytest.mark.parametrize("path", sorted(CONTRACT.glob("*.graphql")), ids=lambda p: p.name)
def test_example_operations_validate(path: Path) -> None:
    errors = validate(schema._schema, parse(path.read_text()))

    assert errors == []
