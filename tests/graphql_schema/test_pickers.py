"""Pickers for agency and user fields: `agencies` and `userDirectory` list a tenant's agencies
and active users to the tenant's own signed-in users only, searchable and paged; `user`
fields take only active users of the tenant on write."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client

from backend.accounts.models import User
from backend.tenancy.models import Agency
from tests.graphql_client import error_codes, gql, login, payload_codes, use_tenant
from tests.graphql_schema.test_query_counts import counted
from tests.graphql_schema.test_records_api import publish
from tests.tenants import ScratchTenant, make_tenant

pytestmark = pytest.mark.django_db

AGENCIES = """
query($search: String, $first: Int, $after: String) {
  agencies(search: $search, first: $first, after: $after) {
    edges { cursor node { code name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
USERS = """
query($search: String, $agency: String, $first: Int, $after: String) {
  userDirectory(search: $search, agency: $agency, first: $first, after: $after) {
    edges { cursor node { username fullName agency } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


def _people(scratch: ScratchTenant, prefix: str) -> None:
    """Agencies and users besides make_tenant's (`agency`; `admin` and `worker`, no names)."""
    use_tenant(scratch.slug)
    tenant = scratch.tenant
    juba = Agency.objects.create(tenant=tenant, code=f"{prefix}_juba", name="Juba Child Care")
    Agency.objects.create(tenant=tenant, code=f"{prefix}_wau", name="Wau Family Services")
    for username, full_name, agency in (
        (f"{prefix}_amina", "Amina Deng", juba),
        (f"{prefix}_bol", "Bol Garang", juba),
        (f"{prefix}_chol", "Chol Majok", None),
    ):
        User.objects.create_user(tenant, username, None, full_name=full_name, agency=agency)
    User.objects.create_user(
        tenant, f"{prefix}_gone", None, full_name="Gone Away", agency=juba, is_active=False
    )


@pytest.fixture
def tenant_a() -> ScratchTenant:
    scratch = make_tenant()
    _people(scratch, "a")
    return scratch


@pytest.fixture
def tenant_b() -> ScratchTenant:
    scratch = make_tenant()
    _people(scratch, "b")
    return scratch


@pytest.fixture
def worker_a(tenant_a: ScratchTenant) -> str:
    token: str = login("worker", tenant=tenant_a.slug)["accessToken"]
    return token


def nodes(body: dict[str, Any], root: str) -> list[dict[str, Any]]:
    assert "errors" not in body, body
    return [edge["node"] for edge in body["data"][root]["edges"]]


# agencies


def test_a_caseworker_lists_the_agencies_of_their_tenant_by_name(
    worker_a: str, tenant_b: ScratchTenant
) -> None:
    listed = nodes(gql(AGENCIES, token=worker_a), "agencies")

    assert listed == [
        {"code": "agency", "name": "Agency"},
        {"code": "a_juba", "name": "Juba Child Care"},
        {"code": "a_wau", "name": "Wau Family Services"},
    ]


def test_agencies_are_searched_by_any_part_of_code_or_name_ignoring_case(worker_a: str) -> None:
    def codes(search: str) -> list[str]:
        return [n["code"] for n in nodes(gql(AGENCIES, {"search": search}, worker_a), "agencies")]

    assert codes("FAMILY") == ["a_wau"]
    assert codes("a_ju") == ["a_juba"]
    assert codes("  juba ") == ["a_juba"]
    assert codes("%") == []
    assert codes("b_") == []  # another tenant's codes


# userDirectory


def test_the_directory_lists_active_users_of_the_tenant_with_their_agency(
    worker_a: str, tenant_b: ScratchTenant
) -> None:
    listed = nodes(gql(USERS, token=worker_a), "userDirectory")

    assert listed == [
        {"username": "admin", "fullName": "", "agency": "agency"},
        {"username": "worker", "fullName": "", "agency": "agency"},
        {"username": "a_amina", "fullName": "Amina Deng", "agency": "a_juba"},
        {"username": "a_bol", "fullName": "Bol Garang", "agency": "a_juba"},
        {"username": "a_chol", "fullName": "Chol Majok", "agency": None},
    ]


def test_users_are_searched_by_username_or_full_name_and_filtered_by_agency(
    worker_a: str,
) -> None:
    def usernames(**variables: Any) -> list[str]:
        listed = nodes(gql(USERS, variables, worker_a), "userDirectory")
        return [n["username"] for n in listed]

    assert usernames(search="garang") == ["a_bol"]
    assert usernames(search="A_AM") == ["a_amina"]
    assert usernames(search="gone") == []  # inactive
    assert usernames(agency="a_juba") == ["a_amina", "a_bol"]
    assert usernames(agency="a_juba", search="deng") == ["a_amina"]
    assert usernames(agency="b_juba") == []  # another tenant's agency


def test_a_user_of_another_tenant_sees_none_of_these_agencies_or_users(
    tenant_a: ScratchTenant, tenant_b: ScratchTenant
) -> None:
    token = login("worker", tenant=tenant_b.slug)["accessToken"]

    agencies = nodes(gql(AGENCIES, {"first": 100}, token), "agencies")
    users = nodes(gql(USERS, {"first": 100}, token), "userDirectory")

    assert not [a for a in agencies if a["code"].startswith("a_")]
    assert not [u for u in users if u["username"].startswith("a_")]
    assert {u["username"] for u in users} == {"admin", "worker", "b_amina", "b_bol", "b_chol"}


def test_the_directory_says_nothing_else_about_a_user(worker_a: str) -> None:
    body = gql('{ __type(name: "DirectoryUser") { fields { name } } }', token=worker_a)

    assert {f["name"] for f in body["data"]["__type"]["fields"]} == {
        "username",
        "fullName",
        "agency",
    }


# paging and refusals


@pytest.mark.parametrize(("query", "root"), [(AGENCIES, "agencies"), (USERS, "userDirectory")])
def test_pages_follow_one_another_to_the_end(worker_a: str, query: str, root: str) -> None:
    everything = nodes(gql(query, token=worker_a), root)
    seen: list[dict[str, Any]] = []
    after = None
    for _ in range(len(everything)):
        page = gql(query, {"first": 2, "after": after}, worker_a)["data"][root]
        seen += [edge["node"] for edge in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break

    assert seen == everything
    assert len(everything) >= 3


@pytest.mark.parametrize(("query", "root"), [(AGENCIES, "agencies"), (USERS, "userDirectory")])
def test_bad_paging_arguments_are_coded(worker_a: str, query: str, root: str) -> None:
    forged_nul = base64.urlsafe_b64encode(json.dumps(["\x00", "a"]).encode()).decode()

    assert error_codes(gql(query, {"after": "not-a-cursor"}, worker_a)) == ["INVALID_CURSOR"]
    assert error_codes(gql(query, {"after": forged_nul}, worker_a)) == ["INVALID_CURSOR"]
    assert error_codes(gql(query, {"first": 0}, worker_a)) == ["BAD_USER_INPUT"]
    assert error_codes(gql(query, {"first": 101}, worker_a)) == ["BAD_USER_INPUT"]
    assert error_codes(gql(query, {"search": "x" * 101}, worker_a)) == ["TEXT_TOO_LONG"]


@pytest.mark.parametrize("query", [AGENCIES, USERS])
def test_an_anonymous_caller_is_refused_401(tenant_a: ScratchTenant, query: str) -> None:
    response = Client().post(
        "/graphql", data=json.dumps({"query": query}), content_type="application/json"
    )

    assert response.status_code == 401
    assert error_codes(response.json()) == ["UNAUTHENTICATED"]


# query counts


@pytest.fixture
def crowded() -> ScratchTenant:
    """100 agencies and 100 users, each user in an agency."""
    scratch = make_tenant()
    use_tenant(scratch.slug)
    agencies = Agency.objects.bulk_create(
        Agency(tenant=scratch.tenant, code=f"ag{n:03d}", name=f"Agency {n:03d}") for n in range(100)
    )
    User.objects.bulk_create(
        User(
            tenant=scratch.tenant,
            username=f"user{n:03d}",
            full_name=f"User {n:03d}",
            agency=agencies[n],
            password="!",
        )
        for n in range(100)
    )
    return scratch


@pytest.mark.parametrize(("query", "root"), [(AGENCIES, "agencies"), (USERS, "userDirectory")])
def test_a_page_of_100_costs_as_many_queries_as_a_page_of_10(
    crowded: ScratchTenant, query: str, root: str
) -> None:
    token = login("worker", tenant=crowded.slug)["accessToken"]
    counted(query, {"first": 1}, token)  # the tenant's schema is compiled once, not counted
    counts = {}
    for first in (10, 100):
        queries, body = counted(query, {"first": first}, token)
        assert len(body["data"][root]["edges"]) == first
        counts[first] = queries

    assert counts[100] == counts[10], f"queries per page size: {counts}"


# user fields on write

PEOPLE_FORM: dict[str, Any] = {
    "key": "people",
    "record_type": "case",
    "label": {"en": "People"},
    "fields": [
        {"name": "name_first", "type": "text", "label": {"en": "First name"}},
        {"name": "reviewer", "type": "user", "label": {"en": "Reviewer"}},
        {
            "name": "visits",
            "type": "subform",
            "label": {"en": "Visits"},
            "fields": [{"name": "visitor", "type": "user", "label": {"en": "Visitor"}}],
        },
    ],
}
CREATE = """
mutation($input: CaseInput!) {
  createCase(input: $input) { case { id reviewer visits { visitor } } errors { path code } }
}
"""
UPDATE = """
mutation($id: ID!, $input: CaseInput!) {
  updateCase(id: $id, baseRevision: 1, input: $input) { case { revision } errors { path code } }
}
"""


@pytest.fixture
def people_worker(tenant_a: ScratchTenant) -> str:
    admin = login("admin", tenant=tenant_a.slug)["accessToken"]
    assert payload_codes(publish(admin, PEOPLE_FORM), "publishFormVersion") == []
    token: str = login("worker", tenant=tenant_a.slug)["accessToken"]
    return token


def test_a_user_field_takes_an_active_user_of_the_tenant(people_worker: str) -> None:
    payload = gql(
        CREATE, {"input": {"reviewer": "a_amina", "visits": [{"visitor": "a_bol"}]}}, people_worker
    )["data"]["createCase"]

    assert payload["errors"] == []
    assert payload["case"]["reviewer"] == "a_amina"
    assert payload["case"]["visits"] == [{"visitor": "a_bol"}]


def test_unknown_inactive_and_foreign_users_are_unknown_user_at_their_path(
    people_worker: str, tenant_b: ScratchTenant
) -> None:
    def errors(values: dict[str, Any]) -> list[tuple[list[str], str]]:
        payload = gql(CREATE, {"input": values}, people_worker)["data"]["createCase"]
        assert payload["case"] is None
        return [(e["path"], e["code"]) for e in payload["errors"]]

    assert errors({"reviewer": "ghost"}) == [(["input", "reviewer"], "UNKNOWN_USER")]
    assert errors({"reviewer": "a_gone"}) == [(["input", "reviewer"], "UNKNOWN_USER")]
    assert errors({"reviewer": "b_amina"}) == [(["input", "reviewer"], "UNKNOWN_USER")]
    assert errors({"visits": [{"visitor": "a_amina"}, {"visitor": "a_gone"}]}) == [
        (["input", "visits", "1", "visitor"], "UNKNOWN_USER")
    ]


def test_a_stored_user_sent_back_unchanged_is_kept_after_they_leave(
    people_worker: str, tenant_a: ScratchTenant
) -> None:
    created = gql(CREATE, {"input": {"reviewer": "a_amina"}}, people_worker)["data"]["createCase"]
    use_tenant(tenant_a.slug)
    User.objects.filter(tenant=tenant_a.tenant, username="a_amina").update(is_active=False)

    kept = gql(
        UPDATE,
        {"id": created["case"]["id"], "input": {"reviewer": "a_amina", "nameFirst": "Amina"}},
        people_worker,
    )["data"]["updateCase"]
    changed = gql(
        UPDATE, {"id": created["case"]["id"], "input": {"reviewer": "a_gone"}}, people_worker
    )["data"]["updateCase"]

    assert kept == {"case": {"revision": 2}, "errors": []}
    assert changed["errors"] == [{"path": ["input", "reviewer"], "code": "UNKNOWN_USER"}]
