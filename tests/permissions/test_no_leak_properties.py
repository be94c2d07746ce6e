"""Property-based: across users, roles, scopes and both tenants, no generated operation
(get, list, count, history) ever shows a record or a field outside what the rules allow.

The oracle below restates the demo roles independently of permissions/: if the plan and
the oracle disagree, one of them is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.graphql_client import error_codes, gql, login

pytestmark = pytest.mark.django_db

USERS = [
    ("demo", u)
    for u in ("admin", "cp_worker", "cp_supervisor", "cp_monitor", "gbv_worker", "referral_worker")
] + [("sandbox", "cp_worker"), ("sandbox", "admin")]
# graphql name -> tag that hides it from some roles (None: no tag rule applies)
FIELDS = {
    "nameFirst": "pii",
    "nameLast": "pii",
    "dateOfBirth": "pii",
    "sex": None,
    "registrationDate": None,
    "riskLevel": None,
    "protectionConcerns": "sensitive",
}
HIDDEN_TAGS = {"cp_monitor": {"pii"}, "referral_worker": {"sensitive"}}
SCOPE = {
    "admin": "all",
    "cp_worker": "own",
    "cp_supervisor": "group",
    "cp_monitor": "agency",
    "gbv_worker": None,
    "referral_worker": "own",
}
SAME_GROUP = {"admin", "cp_worker", "cp_supervisor", "cp_monitor"}  # cp_team_north
SAME_AGENCY = {"admin", "cp_worker", "cp_supervisor", "cp_monitor", "gbv_worker"}
SNAKE = {
    "nameFirst": "name_first",
    "nameLast": "name_last",
    "dateOfBirth": "date_of_birth",
    "sex": "sex",
    "registrationDate": "registration_date",
    "riskLevel": "risk_level",
    "protectionConcerns": "protection_concerns",
}


@dataclass(frozen=True)
class Case:
    id: str
    tenant: str
    owner: str


def may_see(tenant: str, user: str, case: Case) -> bool:
    scope = SCOPE[user]
    if case.tenant != tenant or scope is None:
        return False
    if case.owner == user or scope == "all":
        return True
    if scope == "group":
        return user in SAME_GROUP and case.owner in SAME_GROUP
    if scope == "agency":
        return user in SAME_AGENCY and case.owner in SAME_AGENCY
    return False


def may_read(user: str, field: str) -> bool:
    return FIELDS[field] not in HIDDEN_TAGS.get(user, set())


@pytest.fixture
def world() -> tuple[list[Case], dict[tuple[str, str], str]]:
    tokens = {key: login(key[1], tenant=key[0])["accessToken"] for key in USERS}
    cases = []
    for tenant, owner in [
        ("demo", "cp_worker"),
        ("demo", "cp_supervisor"),
        ("demo", "admin"),
        ("demo", "cp_worker"),
        ("sandbox", "cp_worker"),
    ]:
        body = gql(
            "mutation($i: CaseInput!) { createCase(input: $i) { case { id } errors { code } } }",
            {
                "i": {
                    "registrationDate": "2026-01-10",
                    "nameFirst": f"N-{owner}",
                    "nameLast": "L",
                    "sex": "female",
                    "dateOfBirth": "2015-04-02",
                    "riskLevel": "high",
                    "protectionConcerns": ["separated"],
                }
            },
            tokens[(tenant, owner)],
        )
        cases.append(Case(body["data"]["createCase"]["case"]["id"], tenant, owner))
    return cases, tokens


fields_strategy = st.lists(st.sampled_from(sorted(FIELDS)), min_size=1, unique=True)


def check_node(user: str, node: dict[str, Any], selected: list[str]) -> None:
    for name in selected:
        if not may_read(user, name):
            assert node[name] is None, f"{user} read {name}"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    who=st.sampled_from(USERS),
    pick=st.integers(0, 4),
    selected=fields_strategy,
    operation=st.sampled_from(["get", "list", "count", "history"]),
)
def test_no_operation_reveals_a_record_or_field_outside_the_rules(
    world: tuple[list[Case], dict[tuple[str, str], str]],
    who: tuple[str, str],
    pick: int,
    selected: list[str],
    operation: str,
) -> None:
    cases, tokens = world
    tenant, user = who
    token = tokens[who]
    target = cases[pick]
    visible = {c.id for c in cases if may_see(tenant, user, c)}
    selection = " ".join(["id", *selected])

    if operation == "get":
        body = gql(
            f"query($id: ID!) {{ case(id: $id) {{ {selection} }} }}", {"id": target.id}, token
        )
        if target.id in visible:
            check_node(user, body["data"]["case"], selected)
        else:
            assert error_codes(body) in (
                ["NOT_FOUND"],
                ["FORBIDDEN"],
                ["GRAPHQL_VALIDATION_FAILED"],
            )
            assert not any((body.get("data") or {}).values())
    elif operation in ("list", "count"):
        body = gql(
            f"{{ cases(first: 100) {{ totalCount edges {{ node {{ {selection} }} }} }} }}",
            token=token,
        )
        if SCOPE[user] is None:
            assert error_codes(body) == ["FORBIDDEN"]
            return
        listed = body["data"]["cases"]
        ids = {edge["node"]["id"] for edge in listed["edges"]}
        assert ids == visible
        assert listed["totalCount"] == len(ids)
        for edge in listed["edges"]:
            check_node(user, edge["node"], selected)
    else:
        body = gql(
            "query($id: ID!) { recordHistory(id: $id) { changes { field new } } }",
            {"id": target.id},
            token,
        )
        if target.id not in visible:
            assert error_codes(body) == ["NOT_FOUND"]
            return
        for entry in body["data"]["recordHistory"]:
            for change in entry["changes"]:
                graphql = next((g for g, s in SNAKE.items() if s == change["field"]), None)
                if graphql is not None:
                    assert may_read(user, graphql), f"{user} saw {change['field']} in history"
