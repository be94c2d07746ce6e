"""Search through GraphQL on the demo tenant: names across spellings and scripts, phone
numbers, short IDs; best match first; only fields the caller may read ever match."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from backend.records.models import Record
from backend.search.models import SearchToken
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant
from tests.graphql_client import error_codes, gql, login, use_tenant

pytestmark = pytest.mark.django_db

CREATE = """
mutation($i: CaseInput!) { createCase(input: $i) { case { id shortId } errors { path code } } }
"""
UPDATE = """
mutation($id: ID!, $base: Int!, $i: CaseInput!) {
  updateCase(id: $id, baseRevision: $base, input: $i) { case { revision } errors { code } }
}
"""
SEARCH = """
query($q: String!, $first: Int, $after: String) {
  cases(search: $q, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id nameFirst referringAgency } }
  }
}
"""
REFER = """
mutation($id: ID!, $to: String!, $forms: [String!]!) {
  referCase(id: $id, toUser: $to, forms: $forms) { transition { id } errors { code } }
}
"""


def create(token: str, **values: Any) -> dict[str, str]:
    fields = {"registrationDate": "2026-01-10", "sex": "female", **values}
    body = gql(CREATE, {"i": fields}, token)
    assert body.get("data"), body
    payload = body["data"]["createCase"]
    assert payload["errors"] == [], payload
    case: dict[str, str] = payload["case"]
    return case


def search(token: str, text: str, first: int = 50, after: str | None = None) -> dict[str, Any]:
    body = gql(SEARCH, {"q": text, "first": first, "after": after}, token)
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["cases"]
    return found


def ids(found: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in found["edges"]]


@pytest.fixture
def worker() -> str:
    return str(login("cp_worker")["accessToken"])


def test_fatima_finds_its_spellings_in_both_scripts_exact_first(worker: str) -> None:
    names = ["Fatimah", "Fatma", "فاطمة", "Fátima", "Fatima", "Khadija"]
    made = {name: create(worker, nameFirst=name, nameLast="Test")["id"] for name in names}
    found = search(worker, "Fatima")
    assert set(ids(found)) == {made[n] for n in names if n != "Khadija"}
    assert found["totalCount"] == 5
    # the exact spellings (Fatima, Fátima) before the sound-alike ones
    assert set(ids(found)[:2]) == {made["Fatima"], made["Fátima"]}
    # and from Arabic script to Latin
    assert set(ids(search(worker, "فاطمه"))) == set(ids(found))


def test_prefix_ranks_between_exact_and_sound_alike(worker: str) -> None:
    exact = create(worker, nameFirst="Zaynab")["id"]
    prefix = create(worker, nameFirst="Zaynabou")["id"]
    alike = create(worker, nameFirst="Zeinab")["id"]
    assert ids(search(worker, "zaynab")) == [exact, prefix, alike]


def test_every_word_must_match(worker: str) -> None:
    both = create(worker, nameFirst="Amira", nameLast="Haddad")["id"]
    create(worker, nameFirst="Amira", nameLast="Saleh")
    assert ids(search(worker, "amira haddad")) == [both]


def test_phone_numbers_match_whatever_their_formatting(worker: str) -> None:
    case = create(worker, nameFirst="Rana", phoneCurrent="070123456")["id"]
    create(worker, nameFirst="Rima", phoneCurrent="071999888")
    for written in ("+961 70 123 456", "070 123 456", "70-123-456", "٠٧٠١٢٣٤٥٦"):
        assert ids(search(worker, written)) == [case], written


def test_short_id_by_prefix(worker: str) -> None:
    made = create(worker, nameFirst="Nour")
    found = search(worker, made["shortId"][:5].upper())
    assert made["id"] in ids(found)
    assert ids(search(worker, made["shortId"]))[0] == made["id"]


def test_the_index_follows_updates(worker: str) -> None:
    case = create(worker, nameFirst="Layla")["id"]
    body = gql(UPDATE, {"id": case, "base": 1, "i": {"nameFirst": "Samira"}}, worker)
    assert body["data"]["updateCase"]["errors"] == []
    assert ids(search(worker, "layla")) == []
    assert ids(search(worker, "samira")) == [case]


def test_a_hidden_field_never_matches_and_the_count_does_not_tell(worker: str) -> None:
    """cp_monitor may not read pii (names, phones): searching a name finds nothing by it."""
    by_name = create(worker, nameFirst="Qamar", nameLast="Yaqoub", phoneCurrent="076555444")["id"]
    by_agency = create(worker, nameFirst="Hiba", referringAgency="Qamar Foundation")["id"]
    monitor = login("cp_monitor")["accessToken"]
    assert set(ids(search(worker, "qamar"))) == {by_name, by_agency}
    found = search(monitor, "qamar")
    assert ids(found) == [by_agency]
    assert found["totalCount"] == 1
    assert found["edges"][0]["node"]["nameFirst"] is None
    for hidden in ("yaqoub", "Yakub", "076 555 444"):
        found = search(monitor, hidden)
        assert found == {
            "totalCount": 0,
            "pageInfo": {"hasNextPage": False, "endCursor": None},
            "edges": [],
        }, hidden
    # the monitor sees the record itself: only the search by the hidden field fails
    listed = gql("{ cases(first: 100) { edges { node { id } } } }", token=monitor)
    assert by_name in {e["node"]["id"] for e in listed["data"]["cases"]["edges"]}


def test_a_referral_matches_only_on_its_forms(worker: str) -> None:
    case = create(
        worker, nameFirst="Salwa", referringAgency="Salwa Relief", consentToShareWithReferral=True
    )["id"]
    partner = login("referral_worker")["accessToken"]
    assert ids(search(partner, "salwa")) == []
    from backend.forms.configuration import published_configuration

    use_tenant("demo")
    configuration = published_configuration(Tenant.objects.get(slug="demo"))
    registration = configuration.field_forms["case"]["referring_agency"][0]
    body = gql(REFER, {"id": case, "to": "referral_worker", "forms": [registration]}, worker)
    assert body["data"]["referCase"]["errors"] == []
    found = search(partner, "salwa")
    assert ids(found) == [case]
    assert found["edges"][0]["node"]["nameFirst"] is None
    # the name is on a form not shared: it does not match, though the agency does
    assert search(partner, "salwa relief")["totalCount"] == 1
    assert ids(search(worker, "salwa")) == [case]
    assert search(partner, "salwa salwa")["totalCount"] == 1


def test_pages_of_search_results_follow_the_rank(worker: str) -> None:
    for name in ["Maryam", "Mariam", "Maryama", "Maryam", "Miriam"]:
        create(worker, nameFirst=name)
    everything = ids(search(worker, "maryam"))
    assert len(everything) == 5
    seen: list[str] = []
    after = None
    while True:
        found = search(worker, "maryam", first=2, after=after)
        seen += ids(found)
        if not found["pageInfo"]["hasNextPage"]:
            break
        after = found["pageInfo"]["endCursor"]
    assert seen == everything
    plain = gql("{ cases(first: 1) { pageInfo { endCursor } } }", token=worker)
    other = plain["data"]["cases"]["pageInfo"]["endCursor"]
    body = gql(SEARCH, {"q": "maryam", "after": other}, worker)
    assert error_codes(body) == ["INVALID_CURSOR"]


@pytest.mark.parametrize("text", ["x" * 201, "a b c d e f g"])
def test_a_search_too_long_is_bad_user_input(worker: str, text: str) -> None:
    body = gql(SEARCH, {"q": text}, worker)
    assert error_codes(body) == ["BAD_USER_INPUT"]


def test_a_blank_search_lists_everything_and_punctuation_finds_nothing(worker: str) -> None:
    create(worker, nameFirst="Dina")
    everything = gql("{ cases(first: 100) { totalCount } }", token=worker)["data"]["cases"]
    assert search(worker, "  ")["totalCount"] == everything["totalCount"]
    assert search(worker, "?!")["totalCount"] == 0


def _queries(token: str, first: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = Client().post(
            "/graphql",
            data=json.dumps({"query": SEARCH, "variables": {"q": "hana", "first": first}}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
    assert response.status_code == 200
    assert len(response.json()["data"]["cases"]["edges"]) == min(first, 12)
    return len(captured)


def test_search_queries_do_not_grow_with_the_page(worker: str) -> None:
    for _ in range(12):
        create(worker, nameFirst="Hana")
    _queries(worker, 2)  # warm the schema and plan caches
    assert _queries(worker, 2) == _queries(worker, 12)


def test_rebuild_command_restores_the_index(worker: str) -> None:
    case = create(worker, nameFirst="Yasmin")["id"]
    use_tenant("demo")
    SearchToken.objects.filter(record_id=case).delete()
    assert ids(search(worker, "yasmin")) == []
    output = io.StringIO()
    call_command("rebuild_search_index", "--tenant", "demo", stdout=output)
    assert output.getvalue().startswith("demo: ")
    assert ids(search(worker, "yasmin")) == [case]
    demo = Tenant.objects.get(slug="demo")
    with tenant_transaction(demo.pk):
        records = Record.objects.filter(tenant=demo).count()
        indexed = SearchToken.objects.filter(tenant=demo).values("record_id").distinct().count()
    assert indexed == records  # every record has at least its short ID


def test_a_publication_rebuilds_the_index_after_commit(
    worker: str, django_capture_on_commit_callbacks: Any, eager_celery: None
) -> None:
    from backend.forms.signals import forms_published

    case = create(worker, nameFirst="Rasha")["id"]
    use_tenant("demo")
    SearchToken.objects.filter(record_id=case).delete()
    with django_capture_on_commit_callbacks(execute=True):
        forms_published.send(sender=None, tenant=Tenant.objects.get(slug="demo"))
    assert ids(search(worker, "rasha")) == [case]


SEARCH_FILTERED = """
query($q: String!, $filter: CaseFilter, $orderBy: [CaseOrder!], $first: Int, $after: String) {
  cases(search: $q, filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id nameFirst sex householdSize } }
  }
}
"""


def test_a_search_narrowed_by_a_filter_pages_best_first_or_in_the_order_given(worker: str) -> None:
    girls = [
        create(worker, nameFirst=name, sex="female", householdSize=size)["id"]
        for name, size in (("Fatima", 9), ("Fatma", 4))
    ]
    create(worker, nameFirst="Fatima", sex="male")
    variables = {"q": "Fatima", "filter": {"sex": {"eq": "female"}}, "first": 1}

    first = gql(SEARCH_FILTERED, variables, worker)["data"]["cases"]
    after = first["pageInfo"]["endCursor"]
    second = gql(SEARCH_FILTERED, {**variables, "after": after}, worker)["data"]["cases"]

    assert first["totalCount"] == 2
    # best match first (the exact spelling), then the sound-alike one on the next page
    assert [e["node"]["id"] for e in first["edges"] + second["edges"]] == girls
    assert second["pageInfo"]["hasNextPage"] is False
    # an order given takes the place of the rank
    by_age = gql(
        SEARCH_FILTERED,
        {**variables, "first": 5, "orderBy": [{"field": "HOUSEHOLD_SIZE", "direction": "ASC"}]},
        worker,
    )
    assert [e["node"]["id"] for e in by_age["data"]["cases"]["edges"]] == girls[::-1]
