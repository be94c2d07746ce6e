"""`aggregate` over GraphQL: groups and measures as Python computes them over the same
cases, two-way tables with their totals, date and location groups, the caller's scope and
field rules, and a query count that does not grow with the records."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant
from backend.workflows.transitions import refer
from tests.graphql_client import error_codes, gql, login
from tests.reports.conftest import MakeCases, demo_user

pytestmark = pytest.mark.django_db

AGGREGATE = """
query($recordType: String!, $groupBy: [String!], $filter: JSON, $measures: [MeasureInput!]) {
  aggregate(recordType: $recordType, groupBy: $groupBy, filter: $filter, measures: $measures) {
    groupBy
    measures { fn field since }
    cells { keys count suppressed display measures }
    rowTotals { keys count suppressed display measures }
    columnTotals { keys count suppressed display measures }
    total { keys count suppressed display measures }
    suppressionThreshold
  }
}
"""
RISKS = ["high", "medium", "low", None]


def aggregate(username: str, **variables: Any) -> dict[str, Any]:
    body = gql(AGGREGATE, {"recordType": "case", **variables}, login(username)["accessToken"])
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["aggregate"]
    return result


def cells(result: dict[str, Any], part: str = "cells") -> dict[tuple[Any, ...], dict[str, Any]]:
    return {tuple(cell["keys"]): cell for cell in result[part]}


def _varied(count: int) -> list[dict[str, Any]]:
    cases = []
    for i in range(count):
        case: dict[str, Any] = {"registration_date": f"2026-{i % 3 + 1:02d}-{i % 27 + 1:02d}"}
        if RISKS[i % 4]:
            case["risk_level"] = RISKS[i % 4]
        if i % 5:
            case["household_size"] = i % 7 + 1
        if i % 2:
            case["assessment_date"] = (
                dt.date.fromisoformat(case["registration_date"]) + dt.timedelta(days=i)
            ).isoformat()
        cases.append(case)
    return cases


def test_groups_and_measures_are_those_python_computes(make_cases: MakeCases) -> None:
    # given
    values = _varied(23)
    make_cases(*values)
    # when
    result = aggregate(
        "cp_worker",
        groupBy=["riskLevel", "registrationDate:month"],
        measures=[
            {"fn": "COUNT"},
            {"fn": "SUM", "field": "householdSize"},
            {"fn": "AVG", "field": "householdSize"},
            {"fn": "MIN", "field": "householdSize"},
            {"fn": "MAX", "field": "householdSize"},
            {"fn": "COUNT", "field": "householdSize"},
            {"fn": "AVG", "field": "assessmentDate", "since": "registrationDate"},
        ],
    )
    # then
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for case in values:
        groups[(case.get("risk_level"), case["registration_date"][:7])].append(case)

    def expected(members: list[dict[str, Any]]) -> list[Any]:
        sizes = [c["household_size"] for c in members if "household_size" in c]
        days = [
            (
                dt.date.fromisoformat(c["assessment_date"])
                - dt.date.fromisoformat(c["registration_date"])
            ).days
            for c in members
            if "assessment_date" in c
        ]
        return [
            len(members),
            sum(sizes) if sizes else None,
            statistics.mean(sizes) if sizes else None,
            min(sizes) if sizes else None,
            max(sizes) if sizes else None,
            len(sizes),
            statistics.mean(days) if days else None,
        ]

    found = cells(result)
    assert set(found) == set(groups)
    for key, members in groups.items():
        assert found[key]["count"] == len(members)
        assert found[key]["measures"] == pytest.approx(expected(members))
    assert result["total"]["count"] == 23
    assert result["total"]["measures"] == pytest.approx(expected(values))
    rows = cells(result, "rowTotals")
    for risk in RISKS:
        members = [c for c in values if c.get("risk_level") == risk]
        assert rows[(risk,)]["measures"] == pytest.approx(expected(members))
    columns = cells(result, "columnTotals")
    assert {k: v["count"] for k, v in columns.items()} == {
        ("2026-01",): 8,
        ("2026-02",): 8,
        ("2026-03",): 7,
    }
    assert result["suppressionThreshold"] is None
    assert result["groupBy"] == ["riskLevel", "registrationDate:month"]


def test_dates_group_by_week_quarter_and_year(make_cases: MakeCases) -> None:
    make_cases(
        {"registration_date": "2026-01-05"},  # Monday of ISO week 2
        {"registration_date": "2026-01-11"},  # Sunday of the same week
        {"registration_date": "2026-04-01"},
        {"registration_date": "2025-12-31"},  # ISO week 1 of 2026
    )

    def counts(key: str) -> dict[tuple[Any, ...], int]:
        result = aggregate("cp_worker", groupBy=[key])
        return {k: c["count"] for k, c in cells(result).items()}

    assert counts("registrationDate:week") == {("2026-W02",): 2, ("2026-W14",): 1, ("2026-W01",): 1}
    assert counts("registrationDate:quarter") == {("2026-Q1",): 2, ("2026-Q2",): 1, ("2025-Q4",): 1}
    assert counts("registrationDate:year") == {("2026",): 3, ("2025",): 1}
    assert counts("createdAt:year") == {(str(dt.datetime.now(dt.UTC).year),): 4}


def test_locations_group_by_the_region_that_holds_them(make_cases: MakeCases) -> None:
    make_cases(
        {"registration_location": "DL0101"},
        {"registration_location": "DL0102"},
        {"registration_location": "DL0201"},
        {"registration_location": "DL"},  # above level 1: no region
        {},
    )

    result = aggregate("cp_worker", groupBy=["registrationLocation:admin1"])

    assert {k: c["count"] for k, c in cells(result).items()} == {
        ("DL01",): 2,
        ("DL02",): 1,
        (None,): 2,
    }


def test_system_fields_group_records(make_cases: MakeCases) -> None:
    make_cases({}, {}, by="cp_worker")
    make_cases({}, by="cp_supervisor")

    result = aggregate("admin", groupBy=["owner", "status"])

    assert {k: c["count"] for k, c in cells(result).items()} == {
        ("cp_supervisor", "open"): 1,
        ("cp_worker", "open"): 2,
    }


def test_a_cell_of_three_cases_is_shown_as_under_five_without_exact_counts(
    make_cases: MakeCases,
) -> None:
    # given: 3 high-risk and 6 low-risk cases of the monitor's agency
    make_cases(*[{"risk_level": "high", "household_size": 4}] * 3)
    make_cases(*[{"risk_level": "low", "household_size": 2}] * 6)
    asked = {
        "groupBy": ["riskLevel"],
        "measures": [{"fn": "COUNT"}, {"fn": "SUM", "field": "householdSize"}],
    }
    # when
    monitor = aggregate("cp_monitor", **asked)
    admin = aggregate("admin", **asked)
    # then: the monitor sees neither the count nor the sum of the small cell, nor a total
    # that would give it away by subtraction
    high = cells(monitor)[("high",)]
    assert high == {
        "keys": ["high"],
        "count": None,
        "suppressed": True,
        "display": "<5",
        "measures": [None, None],
    }
    assert cells(monitor)[("low",)]["count"] == 6
    assert monitor["total"]["count"] is None
    assert monitor["total"]["measures"] == [None, None]
    assert monitor["total"]["display"] == "≥7"
    assert monitor["suppressionThreshold"] == 5
    # the administrator's role has exact counts
    assert cells(admin)[("high",)]["count"] == 3
    assert cells(admin)[("high",)]["measures"] == [3.0, 12.0]
    assert admin["total"]["count"] == 9


def test_the_threshold_is_the_tenants_setting(make_cases: MakeCases) -> None:
    make_cases(*[{"risk_level": "high"}] * 3)
    Tenant.objects.filter(slug="demo").update(small_cell_threshold=3)

    monitor = aggregate("cp_monitor", groupBy=["riskLevel"])

    assert cells(monitor)[("high",)]["count"] == 3
    assert monitor["suppressionThreshold"] == 3


def test_a_pii_field_is_refused_to_the_monitor(make_cases: MakeCases) -> None:
    token = login("cp_monitor")["accessToken"]
    asks = [
        {"groupBy": ["locationCurrent"]},
        {"groupBy": ["locationCurrent:admin1"]},
        {"filter": {"locationCurrent": {"eq": "DL0101"}}},
        {"measures": [{"fn": "COUNT", "field": "locationCurrent"}]},
    ]
    for ask in asks:
        body = gql(AGGREGATE, {"recordType": "case", **ask}, token)
        assert error_codes(body) == ["FORBIDDEN_FIELD"], (ask, body)
    # the caseworker may read it
    assert aggregate("cp_worker", groupBy=["locationCurrent"])["total"]["count"] == 0


def test_bad_groups_and_measures_are_refused_with_a_code(make_cases: MakeCases) -> None:
    token = login("cp_worker")["accessToken"]
    asks = [
        {"groupBy": ["nameFirst"]},  # free text
        {"groupBy": ["nationality"]},  # multi-select
        {"groupBy": ["registrationDate:fortnight"]},
        {"groupBy": ["registrationLocation:region"]},
        {"groupBy": ["referredTo"]},
        {"groupBy": ["status", "owner", "agency"]},
        {"measures": [{"fn": "SUM", "field": "riskLevel"}]},
        {"measures": [{"fn": "AVG"}]},
        {"measures": [{"fn": "AVG", "field": "householdSize", "since": "registrationDate"}]},
        {"filter": {"riskLevel": {"near": "high"}}},
    ]
    for ask in asks:
        body = gql(AGGREGATE, {"recordType": "case", **ask}, token)
        assert error_codes(body) == ["BAD_USER_INPUT"], (ask, body)


def test_records_out_of_scope_are_never_counted(make_cases: MakeCases) -> None:
    make_cases({"risk_level": "high"}, {"risk_level": "high"}, by="cp_worker")
    make_cases({"risk_level": "high"}, by="admin")  # not the caseworker's

    mine = aggregate("cp_worker", groupBy=["riskLevel"])
    everyone = aggregate("admin", groupBy=["riskLevel"])

    assert cells(mine)[("high",)]["count"] == 2
    assert cells(everyone)[("high",)]["count"] == 3


def test_a_field_not_shared_by_a_referral_counts_as_empty(make_cases: MakeCases) -> None:
    # given: a high-risk case referred with its basic identity only (no assessment form)
    (case,) = make_cases({"risk_level": "high", "consent_to_share_with_referral": True})
    with tenant_transaction(case.tenant_id):
        refer(demo_user("cp_worker"), str(case.pk), "referral_worker", ["basic_identity"])
    # when
    result = aggregate(
        "referral_worker",
        groupBy=["riskLevel"],
        filter={"referralPending": {"eq": "referral_worker"}},
    )
    # then: counted, under no risk level
    assert list(cells(result)) == [(None,)]
    assert cells(result)[(None,)]["display"] == "<5"


def test_the_query_count_does_not_grow_with_the_records(make_cases: MakeCases) -> None:
    token = login("cp_worker")["accessToken"]
    variables = {
        "recordType": "case",
        "groupBy": ["riskLevel", "registrationLocation:admin1"],
        "filter": {"status": {"in": ["OPEN"]}, "owner": {"eq": "cp_worker"}},
        "measures": [{"fn": "AVG", "field": "householdSize"}],
    }

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            body = gql(AGGREGATE, variables, token)
        assert "errors" not in body, body
        return len(captured.captured_queries)

    make_cases(*_varied(3))
    few = queries()
    make_cases(*_varied(40))
    many = queries()

    assert few == many
