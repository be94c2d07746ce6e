"""syncPull: the records a device should hold, only permitted values, resumable pages, and
tombstones for what leaves the device's scope."""

from __future__ import annotations

import pytest

from tests.graphql_client import gql, payload_codes, use_tenant
from tests.sync.helpers import PIN, UNPIN, Client, page, pull, register_device
from tests.workflows.test_demo_flow import (
    REFER,
    RESPOND_TRANSFER,
    TRANSFER,
    form_of_field,
    register,
    token,
)

pytestmark = pytest.mark.django_db

UPDATE = """
mutation($id: ID!, $rev: Int!, $input: CaseInput!) {
  updateCase(id: $id, baseRevision: $rev, input: $input) { case { revision } errors { code } }
}
"""


def codes(body: dict[str, object]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]  # type: ignore[union-attr]


def transfer(case_id: str, worker: str, supervisor: str) -> None:
    """The case goes to cp_supervisor, who accepts it: out of the worker's scope."""
    offer = gql(TRANSFER, {"id": case_id, "to": "cp_supervisor"}, worker)
    transition = offer["data"]["transferCase"]["transition"]["id"]
    gql(RESPOND_TRANSFER, {"id": transition, "accept": True}, supervisor)


def test_a_first_pull_holds_the_users_own_cases_with_their_values() -> None:
    worker = token("cp_worker")
    mine = register(worker, nameFirst="Amina")
    register(token("cp_supervisor"))  # another user's: not on this device
    client = Client(worker, register_device(worker))

    client.sync()

    assert list(client.held) == [mine]
    item = client.held[mine]
    assert item["recordType"] == "case"
    assert item["revision"] == 1
    assert item["record"]["nameFirst"] == "Amina"
    assert item["record"]["owner"] == {"username": "cp_worker"}
    assert item["fieldRevisions"]["name_first"] == 1


def test_a_pull_with_the_last_cursor_brings_only_what_changed() -> None:
    worker = token("cp_worker")
    first, second = register(worker), register(worker, nameFirst="Layla")
    client = Client(worker, register_device(worker))
    client.sync()

    gql(UPDATE, {"id": second, "rev": 1, "input": {"nameFirst": "Leila"}}, worker)
    result = page(worker, client.device, client.cursor)

    assert [(i["id"], i["revision"], i["record"]["nameFirst"]) for i in result["items"]] == [
        (second, 2, "Leila")
    ]
    assert result["items"][0]["fieldRevisions"]["name_first"] == 2
    assert first in client.held
    assert result["hasMore"] is False


def test_a_pull_interrupted_at_any_page_continues_where_it_stopped() -> None:
    worker = token("cp_worker")
    cases = [register(worker, nameFirst=f"Child {n}") for n in range(5)]
    client = Client(worker, register_device(worker))
    client.receive(page(worker, client.device, None, first=2))

    lost = page(worker, client.device, client.cursor, first=2)  # the answer never arrives
    again = page(worker, client.device, client.cursor, first=2)
    client.receive(again)
    client.sync(first=2)

    assert [i["id"] for i in again["items"]] == [i["id"] for i in lost["items"]]
    assert sorted(client.held) == sorted(cases)
    assert client.pages == 3
    assert page(worker, client.device, client.cursor)["items"] == []


def test_a_pull_from_scratch_sends_everything_again() -> None:
    worker = token("cp_worker")
    case_id = register(worker)
    client = Client(worker, register_device(worker))
    client.sync()

    again = page(worker, client.device, None)

    assert [i["id"] for i in again["items"]] == [case_id]


def test_a_cursor_not_given_to_this_device_is_invalid() -> None:
    worker = token("cp_worker")
    register(worker)
    one, other = register_device(worker, "one"), register_device(worker, "two")
    cursor = page(worker, one)["cursor"]

    assert codes(pull(worker, other, cursor)) == ["INVALID_CURSOR"]
    assert codes(pull(worker, one, cursor[:-2] + "xx")) == ["INVALID_CURSOR"]
    assert codes(pull(worker, one, "garbage")) == ["INVALID_CURSOR"]


def test_page_size_and_record_types_are_checked() -> None:
    worker = token("cp_worker")
    device = register_device(worker)

    assert codes(pull(worker, device, first=501)) == ["BAD_USER_INPUT"]
    assert codes(pull(worker, device, first=0)) == ["BAD_USER_INPUT"]
    assert codes(pull(worker, device, types=["spaceship"])) == ["BAD_USER_INPUT"]


def test_a_monitor_pulls_a_pinned_case_without_its_pii_fields() -> None:
    case_id = register(token("cp_worker"), nameFirst="Amina", sex="female")
    monitor = token("cp_monitor")
    pinned = gql(PIN, {"type": "case", "ids": [case_id]}, monitor)["data"]["pinForOffline"]
    client = Client(monitor, register_device(monitor))

    client.sync()

    assert pinned == {"ids": [case_id], "errors": []}
    record = client.held[case_id]["record"]
    assert record["nameFirst"] is None
    assert "nameFirst" in record["redactedFields"]
    assert record["sex"] == "female"
    assert "name_first" not in client.held[case_id]["fieldRevisions"]
    assert "sex" in client.held[case_id]["fieldRevisions"]


def test_the_response_lists_where_it_withheld_a_value() -> None:
    case_id = register(token("cp_worker"))
    monitor = token("cp_monitor")
    gql(PIN, {"type": "case", "ids": [case_id]}, monitor)

    body = pull(monitor, register_device(monitor))

    assert ["syncPull", "items", 0, "record", "nameFirst"] in body["extensions"]["redacted"]


def test_pinning_a_case_out_of_sight_is_not_found_and_pins_nothing() -> None:
    hidden = register(token("cp_supervisor"))  # not the worker's: out of their scope
    mine = register(token("cp_worker"))
    worker = token("cp_worker")

    body = gql(PIN, {"type": "case", "ids": [mine, hidden]}, worker)
    client = Client(worker, register_device(worker))
    client.sync()

    assert payload_codes(body, "pinForOffline") == ["NOT_FOUND"]
    assert list(client.held) == [mine]


def test_unpinning_a_case_yields_a_tombstone() -> None:
    case_id = register(token("cp_worker"))
    supervisor = token("cp_supervisor")
    gql(PIN, {"type": "case", "ids": [case_id]}, supervisor)
    client = Client(supervisor, register_device(supervisor))
    client.sync()
    assert case_id in client.held

    gql(UNPIN, {"type": "case", "ids": [case_id]}, supervisor)
    result = page(supervisor, client.device, client.cursor)
    client.receive(result)

    assert result["items"] == []
    assert result["tombstones"] == [{"recordType": "case", "id": case_id, "reason": "UNPINNED"}]
    assert page(supervisor, client.device, client.cursor)["tombstones"] == []


def test_a_case_transferred_away_arrives_as_a_tombstone_without_data() -> None:
    worker, supervisor = token("cp_worker"), token("cp_supervisor")
    case_id = register(worker)
    kept = register(worker)
    client = Client(worker, register_device(worker))
    client.sync()

    transfer(case_id, worker, supervisor)
    client.sync()

    assert client.dropped == {case_id: "OUT_OF_SCOPE"}
    assert list(client.held) == [kept]


def test_tombstones_follow_the_last_page_of_items() -> None:
    worker, supervisor = token("cp_worker"), token("cp_supervisor")
    case_id = register(worker)
    client = Client(worker, register_device(worker))
    client.sync()
    transfer(case_id, worker, supervisor)
    changed = [register(worker), register(worker)]

    first = page(worker, client.device, client.cursor, first=1)
    second = page(worker, client.device, first["cursor"], first=1)

    assert (first["tombstones"], first["hasMore"]) == ([], True)
    assert [i["id"] for i in first["items"] + second["items"]] == changed
    assert [(t["id"], t["reason"]) for t in second["tombstones"]] == [(case_id, "OUT_OF_SCOPE")]
    assert second["hasMore"] is False


def test_a_lost_page_of_tombstones_is_sent_again() -> None:
    case_id = register(token("cp_worker"))
    supervisor = token("cp_supervisor")
    gql(PIN, {"type": "case", "ids": [case_id]}, supervisor)
    client = Client(supervisor, register_device(supervisor))
    client.sync()
    gql(UNPIN, {"type": "case", "ids": [case_id]}, supervisor)

    page(supervisor, client.device, client.cursor)  # lost
    again = page(supervisor, client.device, client.cursor)

    assert [t["id"] for t in again["tombstones"]] == [case_id]


def test_a_referred_case_reaches_the_recipient_and_leaves_when_the_referral_ends() -> None:
    worker, partner = token("cp_worker"), token("referral_worker")
    case_id = register(worker)
    referral = gql(
        REFER,
        {"id": case_id, "to": "referral_worker", "forms": [form_of_field("name_first")]},
        worker,
    )["data"]["referCase"]["transition"]
    client = Client(partner, register_device(partner))
    client.sync()
    assert list(client.held) == [case_id]

    gql(
        "mutation($id: ID!) { revokeReferral(id: $id) { transition { status } } }",
        {"id": referral["id"]},
        worker,
    )
    client.sync()

    assert client.dropped == {case_id: "OUT_OF_SCOPE"}


def test_when_what_a_role_may_read_changes_every_record_comes_again() -> None:
    from backend.accounts.models import Role

    case_id = register(token("cp_worker"), nameFirst="Amina")
    monitor = token("cp_monitor")
    gql(PIN, {"type": "case", "ids": [case_id]}, monitor)
    client = Client(monitor, register_device(monitor))
    client.sync()
    digest = page(monitor, client.device, client.cursor)["formsDigest"]

    use_tenant("demo")
    Role.objects.filter(code="cp_monitor").update(field_rules={})
    result = page(monitor, client.device, client.cursor)

    assert result["formsDigest"] != digest
    assert [i["record"]["nameFirst"] for i in result["items"]] == ["Amina"]


def test_a_deleted_case_arrives_as_a_tombstone() -> None:
    from django.utils import timezone

    from backend.records.models import Record

    worker = token("cp_worker")
    case_id = register(worker)
    client = Client(worker, register_device(worker))
    client.sync()

    use_tenant("demo")
    Record.objects.filter(pk=case_id).update(deleted_at=timezone.now())
    client.sync()

    assert client.dropped == {case_id: "DELETED"}


def test_a_pages_items_are_costed_once_by_first() -> None:
    worker = token("cp_worker")

    body = gql(
        "query($d: ID!) { syncPull(deviceId: $d, first: 100) { items { id } } }",
        {"d": register_device(worker)},
        worker,
    )

    assert body["extensions"]["cost"]["requested"] == 1 + 100 * (1 + 1)


VALUES_PULL = """
query($device: ID!) {
  syncPull(deviceId: $device, first: 10) { items { id revision values } }
}
"""
PUSH = """
mutation($device: ID!, $changes: [SyncChangeInput!]!) {
  syncPush(deviceId: $device, changes: $changes) {
    results { status revision errors { code path } }
  }
}
"""


def test_values_hold_the_permitted_values_in_the_shape_a_push_takes() -> None:
    case_id = register(token("cp_worker"), nameFirst="Amina", sex="female")
    monitor = token("cp_monitor")
    gql(PIN, {"type": "case", "ids": [case_id]}, monitor)
    worker = token("cp_worker")
    worker_device = register_device(worker)

    seen = gql(VALUES_PULL, {"device": register_device(monitor)}, monitor)
    held = gql(VALUES_PULL, {"device": worker_device}, worker)["data"]["syncPull"]["items"]

    monitors = {i["id"]: i["values"] for i in seen["data"]["syncPull"]["items"]}
    assert monitors[case_id]["sex"] == "female"
    assert "nameFirst" not in monitors[case_id]  # pii: not the monitor's to read
    [item] = [i for i in held if i["id"] == case_id]
    assert item["values"]["nameFirst"] == "Amina"
    assert "name_first" not in item["values"]
    # pushed back unchanged, the values are a valid patch that changes nothing
    change = {
        "clientMutationId": "values-round-trip",
        "recordType": "case",
        "id": case_id,
        "baseRevision": item["revision"],
        "values": item["values"],
    }
    [result] = gql(PUSH, {"device": worker_device, "changes": [change]}, worker)["data"][
        "syncPush"
    ]["results"]
    assert result["errors"] == []
    assert result["status"] == "APPLIED"
    assert result["revision"] == item["revision"]
