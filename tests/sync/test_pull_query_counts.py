"""A pull costs the same number of SQL queries for a page of 5 records as for 40."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from backend.accounts.models import User
from backend.audit.models import AccessLog
from backend.records.models import Record
from tests.graphql_client import use_tenant
from tests.sync.helpers import register_device
from tests.workflows.test_demo_flow import register, token

pytestmark = pytest.mark.django_db

PULL_WITH_LISTS = """
query($device: ID!, $first: Int!) {
  syncPull(deviceId: $device, first: $first) {
    items {
      id revision fieldRevisions
      record {
        ... on Case { nameFirst sex owner { username } transitions { kind } flags { reason } }
      }
    }
    tombstones { id reason }
    cursor hasMore formsDigest
  }
}
"""


PULL_VALUES = """
query($device: ID!, $first: Int!) {
  syncPull(deviceId: $device, first: $first) {
    items { id revision fieldRevisions values }
    tombstones { id reason }
    cursor hasMore formsDigest
  }
}
"""


def _queries(
    variables: dict[str, Any], token: str, query: str = PULL_WITH_LISTS
) -> tuple[int, dict[str, Any]]:
    with CaptureQueriesContext(connection) as captured:
        response = Client().post(
            "/graphql",
            data=json.dumps({"query": query, "variables": variables}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return len(captured.captured_queries), body["data"]["syncPull"]


def _fifty_cases() -> str:
    """cp_worker's token, with 50 cases of theirs."""
    worker = token("cp_worker")
    first = Record.objects.get(pk=register(worker))
    use_tenant("demo")
    owner = User.objects.get(pk=first.owner_id)
    Record.objects.bulk_create(
        Record(
            tenant_id=first.tenant_id,
            record_type="case",
            short_id=f"sync{n:04d}",
            owner=owner,
            created_by=owner,
            agency_id=first.agency_id,
            group_ids=first.group_ids,
            module=first.module,
            data=first.data,
            field_revs=first.field_revs,
            form_versions=first.form_versions,
        )
        for n in range(49)
    )
    return worker


def test_a_pull_of_40_records_costs_as_many_queries_as_5() -> None:
    worker = _fifty_cases()
    counts = {}
    for size in (5, 40):
        device = register_device(worker, f"tablet {size}")
        queries, result = _queries({"device": device, "first": size}, worker)
        assert len(result["items"]) == size
        assert result["hasMore"] is True
        counts[size] = queries

    assert counts[5] == counts[40]


def test_a_pull_of_values_costs_as_many_queries_for_40_records_as_for_5() -> None:
    worker = _fifty_cases()
    counts = {}
    for size in (5, 40):
        device = register_device(worker, f"tablet {size}")
        queries, result = _queries({"device": device, "first": size}, worker, PULL_VALUES)
        assert len(result["items"]) == size
        assert all(item["values"]["nameFirst"] for item in result["items"])
        counts[size] = queries

    assert counts[5] == counts[40]


def test_every_record_a_pull_sends_is_in_the_access_log() -> None:
    worker = _fifty_cases()
    before = AccessLog.objects.filter(action=AccessLog.Action.LIST).count()

    _, result = _queries({"device": register_device(worker), "first": 30}, worker, PULL_VALUES)

    logged = AccessLog.objects.filter(action=AccessLog.Action.LIST).order_by("id")
    sent = [item["id"] for item in result["items"]]
    assert logged.count() - before == 30
    assert sorted(str(r) for r in logged.values_list("record_id", flat=True)[before:]) == sorted(
        sent
    )
    assert {(row.user.username, row.record_type) for row in logged[before:]} == {
        ("cp_worker", "case")
    }
