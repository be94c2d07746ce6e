"""Typed filters and sort orders on record lists, compiled from the demo forms: the morning
queries a caseworker runs, combined conditions, subform entries, keyset pages in any order,
and refusals (unknown operator, too large a filter, a field the caller may not read)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from backend.accounts.models import User
from backend.records.models import Record
from backend.records.services import create_record
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant
from tests.graphql_client import error_codes, gql, login

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
CASES = """
query($filter: CaseFilter, $orderBy: [CaseOrder!], $first: Int, $after: String) {
  cases(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    edges { cursor node { shortId nameFirst riskLevel age } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def _case(user: User, **data: Any) -> Record:
    values = {"registration_date": "2026-01-10", "name_first": "Amina", "sex": "female", **data}
    result = create_record(user, "case", values)
    assert result.record is not None, result.errors
    return result.record


@pytest.fixture
def demo_cases() -> dict[str, Record]:
    tenant = Tenant.objects.get(slug="demo")
    with tenant_transaction(tenant.pk):
        worker = User.objects.select_related("tenant", "role", "agency").get(
            tenant=tenant, username="cp_worker"
        )
        soon = (TODAY + dt.timedelta(days=2)).isoformat()
        later = (TODAY + dt.timedelta(days=30)).isoformat()
        return {
            "high_soon": _case(
                worker,
                name_first="Fatima",
                risk_level="high",
                services=[{"service_type": "health", "service_due_date": soon}],
            ),
            "high_later": _case(
                worker,
                name_first="Sara",
                risk_level="high",
                services=[{"service_type": "health", "service_due_date": later}],
            ),
            "low_soon": _case(
                worker,
                name_first="Lina",
                risk_level="low",
                services=[{"service_type": "education", "service_due_date": soon}],
            ),
            "none": _case(worker, name_first="Omar"),
        }


def cases(token: str, **variables: Any) -> dict[str, Any]:
    body = gql(CASES, variables, token)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["cases"]
    return result


def names(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["nameFirst"] for edge in page["edges"]]


def test_my_high_risk_cases_with_a_service_due_this_week(demo_cases: dict[str, Record]) -> None:
    token = login("cp_worker")["accessToken"]
    week_end = (TODAY + dt.timedelta(days=7)).isoformat()
    page = cases(
        token,
        filter={
            "owner": {"eq": "cp_worker"},
            "riskLevel": {"eq": "high"},
            "services": {"any": {"serviceDueDate": {"gte": TODAY.isoformat(), "lte": week_end}}},
        },
    )
    assert names(page) == ["Fatima"]
    assert page["totalCount"] == 1


def test_a_case_by_the_start_of_its_short_id(demo_cases: dict[str, Record]) -> None:
    token = login("cp_worker")["accessToken"]
    short_id = demo_cases["low_soon"].short_id

    page = cases(token, filter={"shortId": {"startsWith": short_id[:-1].lower()}})
    exact = cases(token, filter={"shortId": {"eq": short_id}})

    assert short_id in [e["node"]["shortId"] for e in page["edges"]]
    assert [e["node"]["shortId"] for e in exact["edges"]] == [short_id]


def test_and_or_not_combine(demo_cases: dict[str, Record]) -> None:
    token = login("cp_worker")["accessToken"]
    mine = {"owner": {"eq": "cp_worker"}}

    either = cases(
        token,
        filter={**mine, "or": [{"riskLevel": {"isNull": True}}, {"riskLevel": {"in": ["low"]}}]},
    )
    not_high = cases(token, filter={**mine, "not": {"riskLevel": {"eq": "high"}}})

    assert sorted(names(either)) == ["Lina", "Omar"]
    # Omar has no risk level: "not high" holds for him (an empty value is not "high")
    assert sorted(names(not_high)) == ["Lina", "Omar"]


def test_an_unknown_owner_matches_nothing_and_still_combines(
    demo_cases: dict[str, Record],
) -> None:
    token = login("cp_worker")["accessToken"]

    nobody = cases(token, filter={"owner": {"eq": "nobody"}})
    either = cases(
        token,
        filter={"or": [{"owner": {"in": ["nobody"]}}, {"riskLevel": {"eq": "low"}}]},
    )
    not_nobody = cases(token, filter={"not": {"agency": {"eq": "no_such_agency"}}})

    assert (nobody["totalCount"], names(nobody)) == (0, [])
    assert names(either) == ["Lina"]
    assert not_nobody["totalCount"] == 4


def test_sorted_pages_follow_one_another_without_repeats(demo_cases: dict[str, Record]) -> None:
    token = login("cp_worker")["accessToken"]
    order = [
        {"field": "RISK_LEVEL", "direction": "ASC"},
        {"field": "SHORT_ID", "direction": "DESC"},
    ]
    mine = {"owner": {"eq": "cp_worker"}}
    seen: list[str] = []
    after = None
    while True:
        page = cases(token, filter=mine, orderBy=order, first=1, after=after)
        seen += names(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen[:2] == sorted(["Fatima", "Sara"], key=lambda n: n) or set(seen[:2]) == {
        "Fatima",
        "Sara",
    }
    assert seen[2:] == ["Lina", "Omar"]  # low after high; no risk level last


def test_a_cursor_of_another_order_is_invalid(demo_cases: dict[str, Record]) -> None:
    token = login("cp_worker")["accessToken"]
    page = cases(token, first=1)

    body = gql(
        CASES,
        {"first": 1, "after": page["pageInfo"]["endCursor"], "orderBy": [{"field": "RISK_LEVEL"}]},
        token,
    )

    assert error_codes(body) == ["INVALID_CURSOR"]


@pytest.mark.parametrize(
    ("variables", "code", "field"),
    [
        ({"filter": {"riskLevel": {"between": ["a"]}}}, "BAD_USER_INPUT", None),
        (
            {
                "filter": {
                    "and": [{"not": {"not": {"not": {"not": {"not": {"not": {"not": {}}}}}}}}]
                }
            },
            "BAD_USER_INPUT",
            None,
        ),
        (
            {"filter": {"or": [{"riskLevel": {"eq": str(n)}} for n in range(60)]}},
            "BAD_USER_INPUT",
            None,
        ),
    ],
)
def test_bad_filters_are_bad_user_input(
    demo_cases: dict[str, Record], variables: dict[str, Any], code: str, field: str | None
) -> None:
    token = login("cp_worker")["accessToken"]

    body = gql(CASES, variables, token)

    assert error_codes(body) == [code], body


def test_a_monitor_may_not_filter_or_sort_by_a_pii_field(demo_cases: dict[str, Record]) -> None:
    token = login("cp_monitor")["accessToken"]

    filtered = gql(CASES, {"filter": {"locationCurrent": {"isNull": False}}}, token)
    sorted_ = gql(CASES, {"orderBy": [{"field": "LOCATION_CURRENT"}]}, token)

    assert error_codes(filtered) == ["FORBIDDEN_FIELD"]
    assert filtered["errors"][0]["extensions"]["field"] == "filter.locationCurrent"
    assert error_codes(sorted_) == ["FORBIDDEN_FIELD"]
