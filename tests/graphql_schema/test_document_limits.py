"""Every document is bounded before it runs: its size before validation, its cost before
execution, and every answer says what it cost."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    get_introspection_query,
)

from backend.tenancy.models import Tenant
from graphql_schema.limits.document import MAX_TOKENS
from graphql_schema.registry import schema_for_tenant
from tests.graphql_client import error_codes, gql, login

pytestmark = pytest.mark.django_db

PAGE_OF_IDS = """
query Page($first: Int) {
  cases(first: $first) { edges { node { id } } }
}
"""
GRAPHIQL_INTROSPECTION = get_introspection_query(
    descriptions=True,
    specified_by_url=True,
    directive_is_repeatable=True,
    schema_description=True,
    input_value_deprecation=True,
)


def fragment_doubling(levels: int, leaf: str = "__typename") -> str:
    """Each fragment spreads the next twice: 2**levels selections from ~40 bytes a level."""
    fragments = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    fragments.append(f"fragment F{levels} on Query {{ {leaf} }}")
    return "query Doubling { ...F0 }\n" + "\n".join(fragments)


def _unwrap(graphql_type: Any) -> Any:
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    return graphql_type


def every_field(object_type: GraphQLObjectType) -> str:
    parts = []
    for name, field in object_type.fields.items():
        inner = _unwrap(field.type)
        if isinstance(inner, GraphQLObjectType):
            parts.append(f"{name} {{ {every_field(inner)} }}")
        else:
            parts.append(name)
    return " ".join(parts)


def full_pages(count: int, first: int = 100) -> str:
    """`count` aliased pages of cases, each selecting every field and workflow list."""
    case_type = schema_for_tenant(Tenant.objects.get(slug="demo"))._schema.get_type("Case")
    assert isinstance(case_type, GraphQLObjectType)
    node = every_field(case_type)
    assert "transitions" in node
    pages = " ".join(
        f"page{n}: cases(first: {first}) {{ edges {{ node {{ {node} }} }} }}" for n in range(count)
    )
    return f"{{ {pages} }}"


@pytest.mark.parametrize("levels", [20, 30])
def test_fragment_doubling_is_refused_before_validation(levels: int) -> None:
    # given: signed in, and a leaf field that does not exist, so validation would fail
    document = fragment_doubling(levels, leaf="noSuchField")

    # when
    body = gql(document, token=login("cp_worker")["accessToken"])

    # then: refused for its size, not for the invalid field
    assert error_codes(body) == ["QUERY_TOO_COMPLEX"]
    assert body["data"] is None


@pytest.mark.parametrize("levels", [20, 30])
def test_anonymous_fragment_doubling_is_refused_before_validation(levels: int) -> None:
    body = gql(fragment_doubling(levels, leaf="__typename"))

    assert error_codes(body) == ["QUERY_TOO_COMPLEX"]


def test_a_small_fragment_chain_is_validated_as_usual() -> None:
    body = gql(fragment_doubling(3, leaf="noSuchField"), token=login("cp_worker")["accessToken"])

    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]


def test_a_document_over_the_token_limit_is_refused() -> None:
    document = "{ " + "__typename " * (MAX_TOKENS + 1) + "}"

    body = gql(document)

    assert error_codes(body) == ["DOCUMENT_TOO_LARGE"]


def test_a_document_nested_past_the_parser_depth_is_refused() -> None:
    document = "{ a " * 1500 + "}" * 1500

    body = gql(document)

    assert error_codes(body) == ["DOCUMENT_TOO_LARGE"]


def test_a_long_chain_of_fragments_is_refused_not_walked() -> None:
    # ~4,400 tokens: each fragment spreads the next once, 550 levels deep
    fragments = [f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(550)]
    document = "query Chain { ...F0 }\n" + "\n".join(fragments)
    document += "\nfragment F550 on Query { __typename }"

    body = gql(document)

    assert error_codes(body) == ["QUERY_TOO_COMPLEX"]


def test_five_aliased_full_pages_are_too_complex() -> None:
    # given
    token = login("admin")["accessToken"]

    # when
    body = gql(full_pages(5), token=token)

    # then
    assert error_codes(body) == ["QUERY_TOO_COMPLEX"]
    assert body["data"] is None
    cost = body["extensions"]["cost"]
    assert cost["requested"] > cost["maximum"] == settings.QUERY_COST_LIMIT


def test_one_full_page_passes_and_reports_its_cost() -> None:
    token = login("admin")["accessToken"]

    body = gql(full_pages(1), token=token)

    assert "errors" not in body, body.get("errors")
    assert body["data"]["page0"] == {"edges": []}  # the demo tenant starts with no cases
    cost = body["extensions"]["cost"]
    assert 0 < cost["requested"] <= cost["maximum"] == settings.QUERY_COST_LIMIT


def test_cost_multiplies_by_the_page_size_given_in_variables() -> None:
    token = login("admin")["accessToken"]

    small = gql(PAGE_OF_IDS, {"first": 10}, token=token)
    large = gql(PAGE_OF_IDS, {"first": 100}, token=token)
    default = gql(PAGE_OF_IDS, token=token)

    # cases 1 + first x (edges 1 + node 1 + id 1)
    assert small["extensions"]["cost"]["requested"] == 31
    assert large["extensions"]["cost"]["requested"] == 301
    assert default["extensions"]["cost"]["requested"] == 61


def test_graphiql_introspection_passes_and_costs_nothing() -> None:
    token = login("admin")["accessToken"]

    body = gql(GRAPHIQL_INTROSPECTION, token=token)

    assert "errors" not in body, body.get("errors")
    assert any(t["name"] == "Case" for t in body["data"]["__schema"]["types"])
    assert body["extensions"]["cost"]["requested"] == 0


def test_a_tenant_budget_overrides_the_setting() -> None:
    # given: the page passes under the default budget
    token = login("admin")["accessToken"]
    assert "errors" not in gql(PAGE_OF_IDS, {"first": 20}, token=token)

    # when: the tenant sets a budget below its cost (61)
    Tenant.objects.filter(slug="demo").update(query_cost_limit=50)
    body = gql(PAGE_OF_IDS, {"first": 20}, token=token)

    # then
    assert error_codes(body) == ["QUERY_TOO_COMPLEX"]
    assert body["extensions"]["cost"] == {"requested": 61, "maximum": 50}


def test_a_tenant_budget_can_allow_more_than_the_setting() -> None:
    token = login("admin")["accessToken"]
    document = full_pages(1)
    requested = gql(document, token=token)["extensions"]["cost"]["requested"]

    with override_settings(QUERY_COST_LIMIT=requested - 1):
        refused = gql(document, token=token)
        Tenant.objects.filter(slug="demo").update(query_cost_limit=requested)
        allowed = gql(document, token=token)

    assert error_codes(refused) == ["QUERY_TOO_COMPLEX"]
    assert "errors" not in allowed, allowed.get("errors")
    assert allowed["extensions"]["cost"]["maximum"] == requested


def test_remembered_costs_do_not_keep_a_dropped_schema_alive() -> None:
    import gc
    import weakref

    from graphql import build_schema, parse

    from graphql_schema.limits.cost import query_cost

    schema = build_schema("type Query { hello: String }")
    document = parse("{ hello }")
    assert query_cost(schema, document, None, {}) == query_cost(schema, document, None, {})
    dropped = weakref.ref(schema)
    del schema
    gc.collect()
    assert dropped() is None
