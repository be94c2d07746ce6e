"""A page of records costs the same number of SQL queries whatever its size: every workflow
list, the owner and the alerts are fetched in batches, never one query per record."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from backend.accounts.models import User
from backend.demo.form_content import publish_content
from backend.notifications.models import Alert
from backend.records.models import Record
from backend.records.services import create_record
from backend.tenancy.context import tenant_transaction
from backend.workflows.config import DEMO_WORKFLOW
from backend.workflows.models import Approval, Flag, Note, Transition
from tests.graphql_client import login, use_tenant
from tests.tenants import make_tenant

pytestmark = pytest.mark.django_db

PAGE_SIZES = (10, 100)
WORKFLOW_LISTS = """
  id
  owner { username fullName }
  transitions { id kind status fromUser { username } toUser { username } forms note }
  approvals { approvalType status requestedBy { username } respondedBy { username } comment }
  flags { id reason flaggedBy { username } removalNote }
  notes { id subject body author { username } }
  alerts { id kind message record { recordId recordType shortId } }
"""


def page_of(listing: str) -> str:
    return (
        f"query($first: Int!) {{ {listing}(first: $first) "
        f"{{ edges {{ node {{ {WORKFLOW_LISTS} }} }} }} }}"
    )


CASES_PAGE = page_of("cases")
INCIDENTS_PAGE = page_of("incidents")
ALERTS_PAGE = """
query($first: Int!) {
  alerts(first: $first) { id kind message createdAt record { recordId recordType shortId } }
}
"""
MINIMAL = {
    "case": {"registration_date": "2026-01-10", "name_first": "Amina", "sex": "female"},
    "incident": {"interview_date": "2026-01-10"},
}


def _with_workflow_rows(admin: User, worker: User, records: list[Record]) -> None:
    """Two rows of every workflow list, and two alerts, for every record."""
    tenant = admin.tenant_id
    Transition.objects.bulk_create(
        Transition(
            tenant_id=tenant,
            record=record,
            kind=kind,
            status=Transition.Status.PENDING,
            from_user=admin,
            to_user=worker,
            forms=["registration"] if kind == Transition.Kind.REFERRAL else [],
            note="Please follow up",
        )
        for record in records
        for kind in (Transition.Kind.ASSIGNMENT, Transition.Kind.REFERRAL)
    )
    Approval.objects.bulk_create(
        Approval(tenant_id=tenant, record=record, approval_type=kind, requested_by=worker)
        for record in records
        for kind in ("assessment", "case_plan")
    )
    Flag.objects.bulk_create(
        Flag(tenant_id=tenant, record=record, reason=reason, flagged_by=worker)
        for record in records
        for reason in ("Needs a home visit", "Check the school")
    )
    Note.objects.bulk_create(
        Note(tenant_id=tenant, record=record, author=author, subject="Visit", body="Seen today")
        for record in records
        for author in (admin, worker)
    )
    Alert.objects.bulk_create(
        Alert(
            tenant_id=tenant,
            user=admin,
            record=record,
            kind=kind,
            message=f"{record.short_id}: {kind}",
        )
        for record in records
        for kind in ("referral", "record_changed")
    )


@pytest.fixture(scope="module")
def busy_tenant(django_db_blocker: Any) -> str:
    """A tenant of its own (the demo stays as other tests expect it): 100 cases and 100
    incidents with rows in every workflow list, built once for the module. One record of
    each type goes through the service; the rest are copies of it."""
    with django_db_blocker.unblock():
        scratch = make_tenant(("case", "incident"))
        scratch.tenant.workflow = DEMO_WORKFLOW
        scratch.tenant.save(update_fields=["workflow"])
        with tenant_transaction(scratch.tenant.pk):
            admin = User.objects.select_related("tenant", "role", "agency").get(pk=scratch.admin.pk)
            worker = User.objects.get(pk=scratch.worker.pk)
            publish_content(admin, record_types=list(MINIMAL))
            for record_type, data in MINIMAL.items():
                first = create_record(admin, record_type, data).record
                assert first is not None
                copies = Record.objects.bulk_create(
                    Record(
                        tenant_id=first.tenant_id,
                        record_type=record_type,
                        short_id=f"{record_type[:3]}{n:05d}",
                        owner=admin,
                        created_by=admin,
                        agency_id=admin.agency_id,
                        group_ids=first.group_ids,
                        data=first.data,
                        form_versions=first.form_versions,
                    )
                    for n in range(max(PAGE_SIZES) - 1)
                )
                _with_workflow_rows(admin, worker, [first, *copies])
    return scratch.slug


def count_queries(query: str, first: int, token: str) -> tuple[int, dict[str, Any]]:
    return counted(query, {"first": first}, token)


def counted(query: str, variables: dict[str, Any], token: str) -> tuple[int, dict[str, Any]]:
    """The SQL queries one request issues, and its answer (which must have no error)."""
    with CaptureQueriesContext(connection) as captured:
        response = Client().post(
            "/graphql",
            data=json.dumps({"query": query, "variables": variables}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body["errors"]
    return len(captured.captured_queries), body


def counts_by_page_size(query: str, tenant: str, listed: str) -> dict[int, int]:
    token = login("admin", tenant=tenant)["accessToken"]
    counts = {}
    for first in PAGE_SIZES:
        queries, body = count_queries(query, first, token)
        page = body["data"][listed]
        nodes = page if isinstance(page, list) else [edge["node"] for edge in page["edges"]]
        assert len(nodes) == first
        counts[first] = queries
    return counts


def test_a_page_of_100_cases_with_every_workflow_list_costs_as_many_queries_as_10(
    busy_tenant: str,
) -> None:
    counts = counts_by_page_size(CASES_PAGE, busy_tenant, "cases")

    assert counts[100] == counts[10], f"queries per page size: {counts}"


def test_a_page_of_100_incidents_with_every_workflow_list_costs_as_many_queries_as_10(
    busy_tenant: str,
) -> None:
    counts = counts_by_page_size(INCIDENTS_PAGE, busy_tenant, "incidents")

    assert counts[100] == counts[10], f"queries per page size: {counts}"


def test_100_alerts_with_their_records_cost_as_many_queries_as_10(busy_tenant: str) -> None:
    counts = counts_by_page_size(ALERTS_PAGE, busy_tenant, "alerts")

    assert counts[100] == counts[10], f"queries per page size: {counts}"


def test_every_workflow_list_of_the_fixture_is_filled_for_every_case(busy_tenant: str) -> None:
    token = login("admin", tenant=busy_tenant)["accessToken"]

    _, body = count_queries(CASES_PAGE, 100, token)

    for edge in body["data"]["cases"]["edges"]:
        node = edge["node"]
        assert node["owner"]["username"] == "admin"
        for listed in ("transitions", "approvals", "flags", "notes", "alerts"):
            assert len(node[listed]) == 2, (listed, node[listed])


NODES = """
query($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename id
    ... on Case { shortId flags { id } notes { id } }
    ... on FlagInfo { reason }
    ... on NoteInfo { body }
  }
}
"""


def test_nodes_cost_as_many_queries_for_30_ids_as_for_3(busy_tenant: str) -> None:
    token = login("admin", tenant=busy_tenant)["accessToken"]
    counts = {}
    for size in (1, 10):
        use_tenant(busy_tenant)
        case_ids = Record.objects.filter(record_type="case").values_list("pk", flat=True)
        cases = [str(pk) for pk in case_ids[:size]]
        flags = [str(p) for p in Flag.objects.values_list("public_id", flat=True)[:size]]
        notes = [str(p) for p in Note.objects.values_list("public_id", flat=True)[:size]]
        ids = [*cases, *flags, *notes]
        queries, body = counted(NODES, {"ids": ids}, token)
        assert [n["id"] for n in body["data"]["nodes"]] == ids
        counts[len(ids)] = queries

    assert counts[30] == counts[3], f"queries per number of ids: {counts}"


BULK_FLAG = """
mutation($ids: [ID!]!) {
  bulkFlagCases(ids: $ids, reason: "Home visit") { results { ok %s } }
}
"""


def _bulk_flag_queries(token: str, ids: list[str], selection: str) -> int:
    queries, body = counted(BULK_FLAG % selection, {"ids": ids}, token)
    results = body["data"]["bulkFlagCases"]["results"]
    assert [r["ok"] for r in results] == [True] * len(ids), body
    return queries


def test_reading_back_the_records_of_a_bulk_step_costs_the_same_for_3_as_for_12() -> None:
    use_tenant("demo")
    worker = User.objects.select_related("tenant", "role", "agency").get(
        tenant__slug="demo", username="cp_worker"
    )
    ids = []
    for _ in range(30):
        created = create_record(worker, "case", MINIMAL["case"]).record
        assert created is not None
        ids.append(str(created.pk))
    token = login("cp_worker")["accessToken"]
    read_back = {}
    for size, batch in ((3, ids[:6]), (12, ids[6:])):
        plain = _bulk_flag_queries(token, batch[:size], "")
        with_records = _bulk_flag_queries(token, batch[size:], "case { id flags { id } }")
        read_back[size] = with_records - plain

    assert read_back[12] == read_back[3], f"read-back queries per bulk size: {read_back}"


FILTERED_CASES = """
query($first: Int!) {
  cases(
    first: $first
    filter: { sex: { in: ["female", "male"] }, not: { flagged: { eq: false } } }
    orderBy: [{ field: SEX }, { field: OWNER, direction: DESC }]
  ) { totalCount edges { cursor node { id sex owner { username } } } }
}
"""


def test_a_filtered_sorted_page_of_100_costs_as_many_queries_as_10(busy_tenant: str) -> None:
    token = login("admin", tenant=busy_tenant)["accessToken"]
    counts = {}
    for first in PAGE_SIZES:
        queries, body = count_queries(FILTERED_CASES, first, token)
        assert len(body["data"]["cases"]["edges"]) == first
        assert body["data"]["cases"]["totalCount"] == max(PAGE_SIZES)
        counts[first] = queries

    assert counts[100] == counts[10], f"queries per page size: {counts}"
