"""syncPull carries a record's attachments as metadata with signed links (the file itself is
fetched by its link), redacted like any value, batched for the page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.attachments.uploads import attached, png, register_case, token, upload
from tests.graphql_client import gql
from tests.sync.helpers import PIN, register_device

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("attachment_storage")]

PULL_FILES = """
query($device: ID!, $first: Int!) {
  syncPull(deviceId: $device, first: $first) {
    items {
      id
      record {
        ... on Case {
          id
          photoProfileAttachments { id fileName contentType size sha256 width height url }
        }
      }
    }
    cursor hasMore
  }
}
"""


def _pull(access_token: str, first: int = 100) -> dict[str, Any]:
    device = register_device(access_token)
    return gql(PULL_FILES, {"device": device, "first": first}, access_token)


def _case_with_photo(worker: str) -> tuple[str, dict[str, Any]]:
    case_id = register_case(worker)
    payload = attached(upload(worker, case_id, "photoProfile", png((12, 6)), "face.png"))
    assert payload["errors"] == [], payload
    return case_id, payload["attachment"]


def test_a_pulled_case_carries_its_photo_metadata_and_a_signed_link() -> None:
    worker = token("cp_worker")
    case_id, photo = _case_with_photo(worker)

    body = _pull(worker)

    assert "errors" not in body, body
    [item] = [i for i in body["data"]["syncPull"]["items"] if i["id"] == case_id]
    [pulled] = item["record"]["photoProfileAttachments"]
    assert pulled["id"] == photo["id"]
    assert (pulled["fileName"], pulled["contentType"]) == ("face.png", "image/png")
    assert (pulled["width"], pulled["height"], pulled["sha256"]) == (12, 6, photo["sha256"])
    response = Client().get(pulled["url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_monitors_pull_of_a_case_with_a_pii_photo_shows_no_photo() -> None:
    worker, monitor = token("cp_worker"), token("cp_monitor")
    case_id, _ = _case_with_photo(worker)
    gql(PIN, {"type": "case", "ids": [case_id]}, monitor)

    body = _pull(monitor)

    [index] = [n for n, i in enumerate(body["data"]["syncPull"]["items"]) if i["id"] == case_id]
    record = body["data"]["syncPull"]["items"][index]["record"]
    assert record["photoProfileAttachments"] is None
    path = ["syncPull", "items", index, "record", "photoProfileAttachments"]
    assert path in body["extensions"]["redacted"]


def test_a_pull_costs_the_same_queries_for_more_cases_with_photos() -> None:
    worker = token("cp_worker")
    for _ in range(5):  # both pages leave more to pull (tombstones wait for the last page)
        _case_with_photo(worker)

    def count(first: int) -> int:
        device = register_device(worker)
        with CaptureQueriesContext(connection) as queries:
            response = Client().post(
                "/graphql",
                data=json.dumps(
                    {"query": PULL_FILES, "variables": {"device": device, "first": first}}
                ),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {worker}",
            )
        body = response.json()
        assert "errors" not in body, body
        items = body["data"]["syncPull"]["items"]
        assert len(items) == first
        assert all(len(i["record"]["photoProfileAttachments"]) == 1 for i in items)
        return len(queries)

    assert count(2) == count(4)
