"""Files in subform entries (`photos.photoFile` of one entry): stored on that entry through
the write guard, listed on the entry, redacted like any value."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from backend.accounts.models import User
from backend.attachments import links
from backend.attachments.models import Attachment
from tests.attachments.uploads import CHILD, attached, png, stored_names, token, upload
from tests.graphql_client import gql, use_tenant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("attachment_storage")]

ATTACH_TO_ENTRY = """
mutation($type: String!, $id: ID!, $field: String!, $file: Upload!, $entry: ID, $cmid: String) {
  attachFile(recordType: $type, recordId: $id, field: $field, file: $file, entryUid: $entry,
             clientMutationId: $cmid) {
    attachment { id field entryUid contentType width height url }
    errors { path code message }
  }
}
"""
REGISTER_WITH_PHOTOS = """
mutation($input: CaseInput!) {
  createCase(input: $input) { case { id photos { uid } } errors { code } }
}
"""
CASE_PHOTOS = """
query($id: ID!) {
  case(id: $id) {
    photos { uid photoCaption photoFile photoFileAttachments { id fileName url } }
  }
}
"""
CASES_PHOTOS = """
query($first: Int!) { cases(first: $first) { edges { node {
  photos { uid photoFileAttachments { id url } }
} } } }
"""
REMOVE = "mutation($id: ID!) { removeAttachment(id: $id) { errors { code } } }"


def _case_with_two_photo_entries(worker: str) -> tuple[str, list[str]]:
    photos = [{"photoCaption": "at the border"}, {"photoCaption": "with her aunt"}]
    body = gql(REGISTER_WITH_PHOTOS, {"input": {**CHILD, "photos": photos}}, worker)
    created = body["data"]["createCase"]
    assert created["errors"] == [], body
    return created["case"]["id"], [p["uid"] for p in created["case"]["photos"]]


def _attach(worker: str, case_id: str, field: str, entry: str | None) -> dict[str, Any]:
    return attached(
        upload(
            worker, case_id, field, png((10, 4)), "p.png", query=ATTACH_TO_ENTRY, entry_uid=entry
        )
    )


def test_a_photo_goes_to_one_subform_entry_and_is_listed_there() -> None:
    worker = token("cp_worker")
    case_id, (first, second) = _case_with_two_photo_entries(worker)

    payload = _attach(worker, case_id, "photos.photoFile", second)

    assert payload["errors"] == [], payload
    attachment = payload["attachment"]
    assert (attachment["field"], attachment["entryUid"]) == ("photos.photo_file", second)
    entries = gql(CASE_PHOTOS, {"id": case_id}, worker)["data"]["case"]["photos"]
    assert [e["uid"] for e in entries] == [first, second]
    assert entries[0]["photoFileAttachments"] == []
    assert entries[0]["photoCaption"] == "at the border"
    assert entries[1]["photoFile"] == attachment["id"]
    [listed] = entries[1]["photoFileAttachments"]
    assert listed["id"] == attachment["id"]
    assert Client().get(listed["url"]).status_code == 200


def test_the_monitor_sees_no_file_of_a_pii_field_in_an_entry() -> None:
    worker, monitor = token("cp_worker"), token("cp_monitor")
    case_id, (first, _) = _case_with_two_photo_entries(worker)
    attachment_id = _attach(worker, case_id, "photos.photoFile", first)["attachment"]["id"]

    seen = gql(CASE_PHOTOS, {"id": case_id}, monitor)

    entry = seen["data"]["case"]["photos"][0]
    assert entry["photoFileAttachments"] is None
    assert entry["photoFile"] is None
    assert ["case", "photos", 0, "photoFileAttachments"] in seen["extensions"]["redacted"]
    use_tenant("demo")
    user = User.objects.get(username="cp_monitor", tenant__slug="demo")
    forged = links.sign_download(
        Attachment.objects.get(pk=attachment_id).pk, user.pk, user.tenant_id, "file", 60
    )
    assert Client().get(f"/attachments/{forged}").status_code == 403


@pytest.mark.parametrize(
    ("field", "entry", "code"),
    [
        ("photos.photoFile", "no-such-entry", "UNKNOWN_SUBFORM_ENTRY"),
        ("photos.photoFile", None, "UNKNOWN_SUBFORM_ENTRY"),
        ("photoProfile", "an-entry", "UNKNOWN_SUBFORM_ENTRY"),
        ("photos.photoCaption", "an-entry", "NOT_AN_ATTACHMENT_FIELD"),
        ("photos.photoFile.deeper", "an-entry", "NOT_AN_ATTACHMENT_FIELD"),
    ],
)
def test_a_wrong_entry_or_field_path_is_refused_and_nothing_is_stored(
    field: str, entry: str | None, code: str
) -> None:
    worker = token("cp_worker")
    case_id, _ = _case_with_two_photo_entries(worker)

    payload = _attach(worker, case_id, field, entry)

    assert [e["code"] for e in payload["errors"]] == [code]
    use_tenant("demo")
    assert not Attachment.objects.filter(record_id=case_id).exists()
    assert stored_names() == []


def test_the_monitor_may_not_attach_to_an_entry() -> None:
    worker = token("cp_worker")
    case_id, (first, _) = _case_with_two_photo_entries(worker)

    payload = _attach(token("cp_monitor"), case_id, "photos.photoFile", first)

    assert payload["attachment"] is None
    assert payload["errors"]
    assert [e["code"] for e in payload["errors"]] == ["FORBIDDEN"]
    use_tenant("demo")
    assert not Attachment.objects.filter(record_id=case_id).exists()


def test_removing_an_entrys_file_is_in_the_history_and_leaves_the_other_entry() -> None:
    worker = token("cp_worker")
    case_id, (first, second) = _case_with_two_photo_entries(worker)
    kept = _attach(worker, case_id, "photos.photoFile", first)["attachment"]["id"]
    removed = _attach(worker, case_id, "photos.photoFile", second)["attachment"]["id"]

    answer = gql(REMOVE, {"id": removed}, worker)["data"]["removeAttachment"]

    assert answer["errors"] == []
    entries = gql(CASE_PHOTOS, {"id": case_id}, worker)["data"]["case"]["photos"]
    assert [a["id"] for a in entries[0]["photoFileAttachments"]] == [kept]
    assert entries[1]["photoFileAttachments"] == []
    assert entries[1]["photoCaption"] == "with her aunt"
    history = gql(
        "query($id: ID!) { recordHistory(id: $id) { action changes { field } } }",
        {"id": case_id},
        worker,
    )["data"]["recordHistory"]
    assert [h["action"] for h in history][-3:] == ["attach", "attach", "remove_attachment"]
    assert {c["field"] for c in history[-1]["changes"]} == {"photos"}


def test_entry_file_lists_cost_the_same_queries_for_a_longer_page() -> None:
    worker = token("cp_worker")
    for _ in range(4):
        case_id, (first, second) = _case_with_two_photo_entries(worker)
        _attach(worker, case_id, "photos.photoFile", first)
        _attach(worker, case_id, "photos.photoFile", second)

    def count(first: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = Client().post(
                "/graphql",
                data=json.dumps({"query": CASES_PHOTOS, "variables": {"first": first}}),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {worker}",
            )
        body = response.json()
        assert "errors" not in body, body
        edges = body["data"]["cases"]["edges"]
        assert len(edges) == first
        assert all(len(e["photoFileAttachments"]) == 1 for n in edges for e in n["node"]["photos"])
        return len(queries)

    assert count(2) == count(4)
