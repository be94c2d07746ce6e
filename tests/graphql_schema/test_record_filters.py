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
from tests.graphql_client import gql, login

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
