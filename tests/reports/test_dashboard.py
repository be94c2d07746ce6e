"""`dashboard`: the indicators each demo role is configured to see (data on the role, not
code), answered over what that role may see, small cells suppressed where they should be."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.accounts.models import Role
from backend.records.models import Record
from backend.tenancy.context import tenant_transaction
from backend.workflows.approvals import request_approval
from backend.workflows.transitions import refer
from tests.graphql_client import gql, login, payload_codes
from tests.reports.conftest import MakeCases, demo_user

pytestmark = pytest.mark.django_db

DASHBOARD = """
query($locale: String, $keys: [String!]) {
  dashboard(locale: $locale, keys: $keys) {
    key title recordType
    aggregate {
      groupBy
      cells { keys count display suppressed measures }
      total { count display suppressed measures }
    }
    error { code message }
  }
}
"""
SAVE_ROLE = """
mutation($input: RoleInput!) {
  saveRole(input: $input) { role { code dashboard } errors { path code message } }
}
"""
TODAY = dt.date.today()


def dashboard(username: str, **variables: Any) -> dict[str, dict[str, Any]]:
    body = gql(DASHBOARD, variables, login(username)["accessToken"])
    assert "errors" not in body, body
    return {indicator["key"]: indicator for indicator in body["data"]["dashboard"]}


def counts(indicator: dict[str, Any]) -> dict[tuple[Any, ...], Any]:
    return {tuple(c["keys"]): c["count"] for c in indicator["aggregate"]["cells"]}


def _days_ago(days: int) -> str:
    return (TODAY - dt.timedelta(days=days)).isoformat()


@pytest.fixture
def caseload(make_cases: MakeCases) -> list[Record]:
    """The caseworker's cases: risk levels, a service overdue, an old case without an approved
    case plan, first contacts 2 and 4 days after registration; one case of someone else."""
    cases = make_cases(
        {"risk_level": "high", "registration_date": _days_ago(3), "assessment_date": _days_ago(1)},
        {
            "risk_level": "high",
            "registration_date": _days_ago(40),
            "assessment_date": _days_ago(36),
            "consent_to_share_with_referral": True,
            "services": [
                {"service_type": "health", "service_due_date": _days_ago(2)},
                {
                    "service_type": "health",
                    "service_due_date": _days_ago(5),
                    "service_implemented": True,
                },
            ],
        },
        {
            "risk_level": "low",
            "registration_date": _days_ago(50),
            "case_plan_approved": True,
            "services": [{"service_type": "education", "service_due_date": _days_ago(-3)}],
        },
        {"risk_level": "medium"},
    )
    make_cases({"risk_level": "high"}, by="cp_supervisor")
    Record.objects.filter(pk=cases[3].pk).update(status="closed")
    with tenant_transaction(cases[0].tenant_id):
        worker = demo_user("cp_worker")
        refer(worker, str(cases[1].pk), "referral_worker", ["basic_identity"])
        request_approval(worker, str(cases[0].pk), "assessment")
    return cases


def test_the_caseworkers_indicators_count_their_own_cases(caseload: list[Record]) -> None:
    found = dashboard("cp_worker")

    assert list(found) == [
        "my_open_cases_by_risk",
        "my_overdue_services",
        "my_pending_approvals",
        "my_referrals_awaiting_response",
        "my_new_cases_this_week",
        "my_cases_without_case_plan",
        "my_days_to_first_contact",
    ]
    assert all(indicator["error"] is None for indicator in found.values())
    assert counts(found["my_open_cases_by_risk"]) == {("high",): 2, ("low",): 1}
    assert found["my_overdue_services"]["aggregate"]["total"]["count"] == 1
    assert found["my_pending_approvals"]["aggregate"]["total"]["count"] == 1
    assert found["my_referrals_awaiting_response"]["aggregate"]["total"]["count"] == 1
    assert found["my_new_cases_this_week"]["aggregate"]["total"]["count"] == 4
    assert found["my_cases_without_case_plan"]["aggregate"]["total"]["count"] == 1
    first_contact = found["my_days_to_first_contact"]["aggregate"]["total"]
    assert first_contact["measures"] == [2.0, 3.0]  # two cases: 2 and 4 days
    assert found["my_open_cases_by_risk"]["title"] == "My open cases by risk level"


def test_the_monitor_sees_small_cells_suppressed_in_their_language(caseload: list[Record]) -> None:
    found = dashboard("cp_monitor", locale="fr")

    by_region = found["open_cases_by_region_and_risk"]
    assert by_region["title"] == "Cas ouverts par région et niveau de risque"
    assert {c["display"] for c in by_region["aggregate"]["cells"]} == {"<5"}
    assert all(c["count"] is None for c in by_region["aggregate"]["cells"])
    assert by_region["aggregate"]["total"]["suppressed"] is True
    assert found["overdue_services"]["aggregate"]["total"]["display"] == "<5"


def test_the_referral_worker_sees_referrals_awaiting_their_answer(caseload: list[Record]) -> None:
    found = dashboard("referral_worker", keys=["referrals_awaiting_my_response"])

    assert list(found) == ["referrals_awaiting_my_response"]
    assert found["referrals_awaiting_my_response"]["aggregate"]["total"]["display"] == "<5"


def test_an_indicator_that_no_longer_fits_answers_its_error_alone(caseload: list[Record]) -> None:
    role = Role.objects.get(tenant__slug="demo", code="cp_monitor")
    role.dashboard = [
        {
            "key": "by_current_location",
            "title": {"en": "By current location"},
            "record_type": "case",
            "group_by": ["location_current"],  # pii: hidden from this role
        },
        {"key": "all_cases", "title": {"en": "All cases"}, "record_type": "case"},
    ]
    role.save(update_fields=["dashboard"])

    found = dashboard("cp_monitor")

    assert found["by_current_location"]["aggregate"] is None
    assert found["by_current_location"]["error"]["code"] == "FORBIDDEN_FIELD"
    assert found["all_cases"]["aggregate"]["total"]["count"] == 5


def test_a_dashboard_is_configured_on_the_role_and_checked(db: None) -> None:
    token = login("admin")["accessToken"]
    role = {
        "code": "data_clerk",
        "name": "Data clerk",
        "scope": "own",
        "actions": {"case": ["read"]},
        "formAccess": {"*": "r"},
        "fieldRules": {},
    }
    indicator = {
        "key": "open_cases",
        "title": {"en": "Open cases"},
        "record_type": "case",
        "filter": {"status": {"eq": "open"}},
        "measures": [{"fn": "COUNT"}],
    }

    bad = gql(
        SAVE_ROLE, {"input": {**role, "dashboard": [{**indicator, "record_type": "ship"}]}}, token
    )
    good = gql(SAVE_ROLE, {"input": {**role, "dashboard": [indicator]}}, token)

    assert payload_codes(bad, "saveRole") == ["BAD_USER_INPUT"]
    assert "record_type" in bad["data"]["saveRole"]["errors"][0]["message"]
    assert good["data"]["saveRole"]["role"]["dashboard"] == [indicator]


def test_each_indicator_costs_the_same_queries_however_many_cases(make_cases: MakeCases) -> None:
    token = login("cp_supervisor")["accessToken"]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            body = gql(DASHBOARD, {}, token)
        assert "errors" not in body, body
        return len(captured.captured_queries)

    make_cases({"risk_level": "high"}, by="cp_supervisor")
    few = queries()
    make_cases(*[{"risk_level": "low"}] * 30, by="cp_supervisor")
    many = queries()

    assert few == many
