"""Reading attachments: redacted like any value, handed out by short-lived signed links that
are checked again when used, logged, with byte ranges."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from backend.accounts.models import User
from backend.attachments import links
from backend.attachments.models import Attachment
from backend.audit.models import AccessLog
from tests.attachments.uploads import (
    CASE_FILES,
    attached,
    mp3,
    png,
    register_case,
    token,
    upload,
)
from tests.graphql_client import gql, use_tenant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("attachment_storage")]

TRANSFER = """
mutation($id: ID!, $to: String!) { transferCase(id: $id, toUser: $to) { transition { id } } }
"""
ACCEPT_TRANSFER = """
mutation($id: ID!) { respondToTransfer(id: $id, accept: true) { transition { status } } }
"""
REMOVE = """
mutation($id: ID!) { removeAttachment(id: $id) { attachment { id removedAt } errors { code } } }
"""
CASE_LIST_FILES = """
query($first: Int!) { cases(first: $first) { edges { node { id
  photoProfileAttachments { id fileName url thumbnail { url } }
} } } }
"""


def _case_with_photo(worker: str) -> tuple[str, str]:
    case_id = register_case(worker)
    payload = attached(upload(worker, case_id, "photoProfile", png(), "face.png"))
    assert payload["errors"] == [], payload
    return case_id, payload["attachment"]["id"]


def _link(worker: str, case_id: str, seconds: int | None = None) -> str:
    case = gql(CASE_FILES, {"id": case_id, "seconds": seconds}, worker)["data"]["case"]
    url: str = case["photoProfileAttachments"][0]["url"]
    return url


def test_cp_monitor_sees_no_photo_of_a_pii_field() -> None:
    worker = token("cp_worker")
    case_id, _ = _case_with_photo(worker)

    seen = gql(CASE_FILES, {"id": case_id}, token("cp_monitor"))

    assert seen["data"]["case"]["photoProfileAttachments"] is None
    assert ["case", "photoProfileAttachments"] in seen["extensions"]["redacted"]


def test_a_link_for_a_user_who_may_not_read_the_field_is_refused() -> None:
    # a validly signed link still answers only what its user may read now
    worker = token("cp_worker")
    _, attachment_id = _case_with_photo(worker)
    use_tenant("demo")
    stored = Attachment.objects.get(pk=attachment_id)
    monitor = User.objects.get(username="cp_monitor", tenant__slug="demo")
    forged = links.sign_download(stored.pk, monitor.pk, monitor.tenant_id, "file", 60)

    assert Client().get(f"/attachments/{forged}").status_code == 403


def test_a_link_is_refused_after_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    worker = token("cp_worker")
    case_id, _ = _case_with_photo(worker)
    url = _link(worker, case_id)
    assert Client().get(url).status_code == 200

    later = time.time() + 61
    monkeypatch.setattr(links.time, "time", lambda: later)
    refused = Client().get(url)

    assert refused.status_code == 403
    assert "expired" in refused.json()["errors"][0]["message"]


def test_an_altered_link_is_refused() -> None:
    worker = token("cp_worker")
    case_id, _ = _case_with_photo(worker)
    url = _link(worker, case_id)
    position = url.index("/attachments/") + len("/attachments/") + 5
    altered = url[:position] + ("A" if url[position] != "A" else "B") + url[position + 1 :]

    assert Client().get(altered).status_code == 403


def test_a_link_is_refused_once_its_user_can_no_longer_read_the_record() -> None:
    worker, supervisor = token("cp_worker"), token("cp_supervisor")
    case_id, _ = _case_with_photo(worker)
    url = _link(worker, case_id, seconds=600)
    offer = gql(TRANSFER, {"id": case_id, "to": "cp_supervisor"}, worker)["data"]["transferCase"]
    gql(ACCEPT_TRANSFER, {"id": offer["transition"]["id"]}, supervisor)

    assert Client().get(url).status_code == 403
    assert Client().get(_link(supervisor, case_id)).status_code == 200


def test_every_download_is_in_the_access_log() -> None:
    worker = token("cp_worker")
    case_id, _ = _case_with_photo(worker)

    Client().get(_link(worker, case_id))

    use_tenant("demo")
    logged = AccessLog.objects.filter(record_id=case_id, action=AccessLog.Action.DOWNLOAD)
    assert [entry.user.username for entry in logged] == ["cp_worker"]


def test_audio_is_served_in_byte_ranges() -> None:
    worker = token("cp_worker")
    case_id = register_case(worker)
    content = mp3(8000)
    assert attached(upload(worker, case_id, "audioMessage", content, "consent.mp3"))["errors"] == []
    url = gql(CASE_FILES, {"id": case_id}, worker)["data"]["case"]["audioMessageAttachments"][0][
        "url"
    ]

    partial = Client().get(url, HTTP_RANGE="bytes=100-199")
    beyond = Client().get(url, HTTP_RANGE="bytes=9000-")

    assert partial.status_code == 206
    assert partial["Content-Range"] == "bytes 100-199/8000"
    assert partial["Content-Type"] == "audio/mpeg"
    assert b"".join(partial.streaming_content) == content[100:200]
    assert beyond.status_code == 416


def test_a_removed_attachment_leaves_the_record_and_stays_in_its_history() -> None:
    worker = token("cp_worker")
    case_id, attachment_id = _case_with_photo(worker)
    url = _link(worker, case_id, seconds=600)

    removed = gql(REMOVE, {"id": attachment_id}, worker)["data"]["removeAttachment"]

    assert removed["errors"] == []
    assert removed["attachment"]["removedAt"] is not None
    case = gql(CASE_FILES, {"id": case_id}, worker)["data"]["case"]
    assert case["photoProfileAttachments"] == []
    assert Client().get(url).status_code == 403
    history = gql(
        "query($id: ID!) { recordHistory(id: $id) { action changes { field old new } } }",
        {"id": case_id},
        worker,
    )["data"]["recordHistory"]
    assert [h["action"] for h in history][-2:] == ["attach", "remove_attachment"]
    assert history[-1]["changes"] == [{"field": "photo_profile", "old": attachment_id, "new": None}]
    use_tenant("demo")
    assert Attachment.objects.filter(pk=attachment_id, removed_at__isnull=False).exists()


def test_the_monitor_cannot_remove_what_it_cannot_read() -> None:
    worker = token("cp_worker")
    _, attachment_id = _case_with_photo(worker)

    refused = gql(REMOVE, {"id": attachment_id}, token("cp_monitor"))["data"]["removeAttachment"]

    assert [e["code"] for e in refused["errors"]] == ["NOT_FOUND"]


def test_attachment_lists_cost_the_same_queries_for_a_longer_page() -> None:
    worker = token("cp_worker")
    for _ in range(4):
        _case_with_photo(worker)

    def count(first: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            body = gql(CASE_LIST_FILES, {"first": first}, worker)
        assert "errors" not in body, body
        assert len(body["data"]["cases"]["edges"]) == first
        return len(queries)

    assert count(2) == count(4)
