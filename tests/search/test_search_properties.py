"""Property-based: for random records, roles and searches, the search returns exactly the
records that a filter in Python over the values that role can read would return.

The values come from the role's own listing (a hidden field reads null), so a search that
matched a hidden value, or missed a readable one, breaks the equality.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.search.normalise import sound_key, words
from tests.graphql_client import gql, login

pytestmark = pytest.mark.django_db

NAMES = [
    "Fatima",
    "Fatma",
    "فاطمة",
    "Fátima",
    "Khadija",
    "خديجة",
    "Youssef",
    "Yusuf",
    "Amal",
    "Amani",
    "Hassan",
    "حسن",
    "Nour",
    "Noura",
]
ROLES = ["cp_worker", "cp_supervisor", "cp_monitor", "admin"]
OWNERS = ["cp_worker", "admin"]
LISTING = """
query($after: String) {
  cases(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id shortId nameFirst nameLast referringAgency } }
  }
}
"""
SEARCH = """
query($q: String!, $after: String) {
  cases(search: $q, first: 100, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id } }
  }
}
"""
# text fields get sound-alike keys; the short ID only matches as a word
TEXT_FIELDS = ("nameFirst", "nameLast", "referringAgency")


def _all(query: str, variables: dict[str, Any], token: str) -> tuple[list[dict[str, Any]], int]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        body = gql(query, {**variables, "after": after}, token)
        assert "errors" not in body, body
        cases = body["data"]["cases"]
        nodes += [edge["node"] for edge in cases["edges"]]
        if not cases["pageInfo"]["hasNextPage"]:
            return nodes, cases.get("totalCount", len(nodes))
        after = cases["pageInfo"]["endCursor"]


def _term_matches(term: str, node: dict[str, Any]) -> bool:
    key = sound_key(term)
    for name in TEXT_FIELDS:
        for word in words(node[name] or ""):
            if word == term or (len(term) >= 2 and word.startswith(term)):
                return True
            if key is not None and sound_key(word) == key:
                return True
    short_id = node["shortId"].casefold()
    return short_id == term or (len(term) >= 2 and short_id.startswith(term))


def expected(text: str, readable: list[dict[str, Any]]) -> set[str]:
    terms = list(dict.fromkeys(words(text)))
    return {n["id"] for n in readable if terms and all(_term_matches(t, n) for t in terms)}


@pytest.fixture(scope="module")
def tokens(django_db_blocker: Any) -> dict[str, str]:
    with django_db_blocker.unblock():
        return {user: login(user)["accessToken"] for user in {*ROLES, *OWNERS}}


name = st.sampled_from(NAMES)
new_case = st.fixed_dictionaries(
    {
        "owner": st.sampled_from(OWNERS),
        "nameFirst": name,
        "nameLast": st.one_of(st.none(), name),
        "referringAgency": st.one_of(st.none(), name.map(lambda n: f"{n} Aid")),
    }
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cases=st.lists(new_case, max_size=3),
    role=st.sampled_from(ROLES),
    query=st.lists(st.one_of(name, name.map(lambda n: n[:3])), min_size=1, max_size=2),
)
def test_search_equals_a_filter_over_what_the_role_can_read(
    tokens: dict[str, str], cases: list[dict[str, Any]], role: str, query: list[str]
) -> None:
    for case in cases:
        values = {k: v for k, v in case.items() if k != "owner" and v is not None}
        body = gql(
            "mutation($i: CaseInput!) { createCase(input: $i) { errors { code } } }",
            {"i": {"registrationDate": "2026-01-10", "sex": "female", **values}},
            tokens[case["owner"]],
        )
        assert body["data"]["createCase"]["errors"] == []
    text = " ".join(query)
    readable, _ = _all(LISTING, {}, tokens[role])
    found, total = _all(SEARCH, {"q": text}, tokens[role])
    assert {n["id"] for n in found} == expected(text, readable)
    assert total == len(found)
