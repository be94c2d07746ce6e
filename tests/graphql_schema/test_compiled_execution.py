"""Differential: compiled execution of record selections answers exactly as the interpreted
(graphql-core) execution does, for generated documents over the demo Case type -- fields,
aliases, inline and named fragments, @include/@skip with variables, nested subforms,
__typename -- and for users whose roles redact different fields."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import override_settings
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.accounts.models import User
from backend.forms.configuration import published_configuration
from backend.records.services import create_record
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant
from bench.sample_values import sample_record
from graphql_schema.registry import schema_for_tenant
from tests.graphql_client import gql, login

pytestmark = pytest.mark.django_db

USERS = ["admin", "cp_worker", "cp_monitor", "referral_worker"]
DIRECTIVES = ["", "", "", "@include(if: $yes)", "@skip(if: $yes)", "@include(if: $no)"]


def _unwrap(graphql_type: Any) -> Any:
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    return graphql_type


@pytest.fixture
def world() -> tuple[GraphQLObjectType, dict[str, str]]:
    demo = Tenant.objects.get(slug="demo")
    with tenant_transaction(demo.pk):
        schema = published_configuration(demo).schema_for("case")
        assert schema is not None
        for n, owner in enumerate(["cp_worker", "admin", "cp_worker"]):
            user = User.objects.select_related("tenant", "role", "agency").get(
                tenant=demo, username=owner
            )
            assert create_record(user, "case", sample_record(schema, n)).record is not None
        case_type = schema_for_tenant(demo)._schema.get_type("Case")
    assert isinstance(case_type, GraphQLObjectType)
    return case_type, Tokens()


class Tokens(dict[str, str]):
    """Access tokens, signed in again when older than a minute (a slow run outlives one)."""

    def __init__(self) -> None:
        super().__init__()
        self.issued: dict[str, float] = {}

    def __missing__(self, user: str) -> str:
        self[user] = login(user)["accessToken"]
        self.issued[user] = time.monotonic()
        return self[user]

    def __getitem__(self, user: str) -> str:
        if time.monotonic() - self.issued.get(user, 0.0) > 60:
            self.pop(user, None)
        return super().__getitem__(user)


@st.composite
def selections(
    draw: st.DrawFn, object_type: GraphQLObjectType, depth: int = 0, prefix: str = "a"
) -> str:
    names = sorted(
        name
        for name, field in object_type.fields.items()
        if not any(isinstance(a.type, GraphQLNonNull) for a in field.args.values())
    )
    picked = draw(st.lists(st.sampled_from(["__typename", *names]), min_size=1, max_size=7))
    parts = []
    for index, name in enumerate(picked):
        alias = f"{prefix}{depth}_{index}: " if draw(st.booleans()) else ""
        field = object_type.fields.get(name)
        inner = _unwrap(field.type) if field is not None else None
        sub = ""
        if isinstance(inner, GraphQLObjectType):
            sub = (
                # the child prefix carries the parent's path: two selections of one field merge,
                # and their children's aliases must not collide
                "{ " + draw(selections(inner, depth + 1, f"{prefix}{depth}_{index}_")) + " }"
                if depth < 2
                else "{ __typename }"
            )
        part = f"{alias}{name} {draw(st.sampled_from(DIRECTIVES))} {sub}"
        wrap = draw(st.sampled_from(["plain", "plain", "typed", "directive"]))
        if wrap == "typed":
            part = f"... on {object_type.name} {{ {part} }}"
        elif wrap == "directive":
            part = f"... @skip(if: $no) {{ {part} }}"
        parts.append(part)
    return " ".join(parts)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.data(),
    user=st.sampled_from(USERS),
    yes=st.booleans(),
    named=st.booleans(),
)
def test_compiled_execution_answers_as_the_interpreted(
    world: tuple[GraphQLObjectType, dict[str, str]],
    data: st.DataObject,
    user: str,
    yes: bool,
    named: bool,
) -> None:
    case_type, tokens = world
    node = data.draw(selections(case_type))
    if named:
        fragment = data.draw(selections(case_type, prefix="f"))
        query = (
            "query($yes: Boolean!, $no: Boolean!) { __typename @include(if: $yes) @skip(if: $no) "
            "cases(first: 10) { edges { cursor "
            f"node {{ ...Picked {node} }} }} }} }} fragment Picked on Case {{ {fragment} }}"
        )
    else:
        query = (
            "query($yes: Boolean!, $no: Boolean!) { __typename @include(if: $yes) @skip(if: $no) "
            f"cases(first: 10) {{ edges {{ node {{ {node} }} }} }} }}"
        )
    variables = {"yes": yes, "no": not yes}
    with override_settings(COMPILED_RECORD_EXECUTION=False):
        interpreted = gql(query, variables, tokens[user])
    with override_settings(COMPILED_RECORD_EXECUTION=True):
        compiled = gql(query, variables, tokens[user])
    assert compiled == interpreted
    assert interpreted.get("data") is not None, interpreted


def test_every_case_field_with_redactions_answers_as_the_interpreted(
    world: tuple[GraphQLObjectType, dict[str, str]],
) -> None:
    """Every field, every user: the page the bench measures."""
    from bench.case_list import selection

    case_type, tokens = world
    query = f"{{ cases(first: 10) {{ edges {{ node {{ {selection(case_type)} }} }} }} }}"
    redacted = {}
    for user in USERS:
        with override_settings(COMPILED_RECORD_EXECUTION=False):
            interpreted = gql(query, token=tokens[user])
        with override_settings(COMPILED_RECORD_EXECUTION=True):
            compiled = gql(query, token=tokens[user])
        assert compiled == interpreted
        assert "errors" not in interpreted, interpreted["errors"][:3]
        redacted[user] = {p[-1] for p in interpreted.get("extensions", {}).get("redacted", [])}
    # cp_monitor may not read pii: its names are null and listed as redacted, on both paths
    assert "nameFirst" in redacted["cp_monitor"]
    assert "nameFirst" not in redacted["admin"]


def test_compiled_execution_resolves_record_fields_without_graphql_core(
    world: tuple[GraphQLObjectType, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast path is taken: a page of every case field sends only a handful of fields per
    record through graphql-core's per-field execution (Strawberry always hands the executor
    a middleware manager, empty unless an extension wraps resolvers)."""
    from bench.case_list import selection
    from graphql_schema.execution import CompiledRecordExecutionContext

    case_type, tokens = world
    calls: list[str] = []
    execute_field = CompiledRecordExecutionContext.execute_field

    def counted(self: Any, parent_type: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(parent_type.name)
        return execute_field(self, parent_type, *args, **kwargs)

    monkeypatch.setattr(CompiledRecordExecutionContext, "execute_field", counted)
    query = f"{{ cases(first: 10) {{ edges {{ node {{ {selection(case_type)} }} }} }} }}"
    executed = {}
    for compiled in (False, True):
        calls.clear()
        with override_settings(COMPILED_RECORD_EXECUTION=compiled):
            assert "errors" not in gql(query, token=tokens["admin"])
        executed[compiled] = calls.count("Case")
    assert executed[False] > 100 * 3  # every field of the three cases
    assert executed[True] <= executed[False] / 20


def test_one_document_with_other_variables_answers_by_its_variables(
    world: tuple[GraphQLObjectType, dict[str, str]],
) -> None:
    """Plans outlive a request (the same document comes again): the Boolean variables that
    include or skip fields further down are part of what a plan is for."""
    _, tokens = world
    query = (
        "query($yes: Boolean!) { cases(first: 5) { edges { node { id "
        "services { uid serviceType @skip(if: $yes) "
        "... @include(if: $yes) { redactedFields } } } } } }"
    )
    answers = {}
    for yes in (True, False, True):
        with override_settings(COMPILED_RECORD_EXECUTION=False):
            interpreted = gql(query, {"yes": yes}, tokens["cp_worker"])
        with override_settings(COMPILED_RECORD_EXECUTION=True):
            compiled = gql(query, {"yes": yes}, tokens["cp_worker"])
        assert compiled == interpreted
        answers[yes] = compiled
    nodes = [e["node"] for e in answers[True]["data"]["cases"]["edges"]]
    entries = [s for n in nodes for s in n["services"] or []]
    assert entries
    assert all("redactedFields" in s and "serviceType" not in s for s in entries)
    skipped = [e["node"] for e in answers[False]["data"]["cases"]["edges"]]
    assert all("serviceType" in s for n in skipped for s in n["services"] or [])


def test_a_stored_value_its_type_refuses_errors_at_its_path_as_interpreted(
    world: tuple[GraphQLObjectType, dict[str, str]],
) -> None:
    """Data written outside the API (an import, an old version): the generated leaf code
    hands the value graphql-core cannot serialize back to it, with the same error and path."""
    from backend.records.models import Record

    _, tokens = world
    demo = Tenant.objects.get(slug="demo")
    with tenant_transaction(demo.pk):
        record = Record.objects.filter(record_type="case").order_by("created_at").first()
        assert record is not None
        record.data = {**record.data, "income_from_work": "a lot", "assessment_date": 17}
        record.save(update_fields=["data"])
    query = "{ cases(first: 10) { edges { node { id incomeFromWork assessmentDate nameFirst } } } }"
    with override_settings(COMPILED_RECORD_EXECUTION=False):
        interpreted = gql(query, {}, tokens["admin"])
    with override_settings(COMPILED_RECORD_EXECUTION=True):
        compiled = gql(query, {}, tokens["admin"])
    assert compiled == interpreted
    paths = sorted(str(e["path"][-1]) for e in compiled["errors"])
    assert paths == ["assessmentDate", "incomeFromWork"], compiled["errors"]
