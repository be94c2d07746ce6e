"""syncPush: offline changes merged field by field, each applied once, conflicts kept for a
person to decide, through the same guard as every write."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from backend.records.models import Record, RecordHistory
from tests.graphql_client import gql, use_tenant
from tests.sync.helpers import (
    CONFLICTS,
    RESOLVE,
    REVOKE_DEVICE,
    change,
    push,
    pushed,
    register_device,
)
from tests.workflows.test_demo_flow import register, token

pytestmark = pytest.mark.django_db

CASE = """
query($id: ID!) { case(id: $id) { revision nameFirst nameLast householdSize hasSyncConflicts } }
"""
ALERTS = "{ alerts { kind record { recordId } } }"


def case(tok: str, case_id: str) -> dict[str, Any]:
    body = gql(CASE, {"id": case_id}, tok)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["case"]
    return result


def test_two_devices_editing_different_fields_both_apply() -> None:
    worker = token("cp_worker")
    case_id = register(worker)
    tablet, phone = register_device(worker, "Tablet"), register_device(worker, "Phone")

    first = pushed(worker, tablet, change("t-1", case_id, 1, {"nameLast": "Haddad"}))
    second = pushed(worker, phone, change("p-1", case_id, 1, {"householdSize": 11}))

    assert [(r["status"], r["revision"]) for r in first] == [("APPLIED", 2)]
    assert [(r["status"], r["revision"], r["conflicts"]) for r in second] == [("MERGED", 3, [])]
    assert case(worker, case_id) | {"hasSyncConflicts": None} == {
        "revision": 3,
        "nameFirst": "Amina",
        "nameLast": "Haddad",
        "householdSize": 11,
        "hasSyncConflicts": None,
    }


def test_the_same_value_on_both_sides_is_no_conflict() -> None:
    worker = token("cp_worker")
    case_id = register(worker)
    tablet, phone = register_device(worker, "Tablet"), register_device(worker, "Phone")
    pushed(worker, tablet, change("t-1", case_id, 1, {"nameLast": "Haddad"}))

    [result] = pushed(worker, phone, change("p-1", case_id, 1, {"nameLast": "Haddad"}))

    assert (result["status"], result["revision"], result["conflicts"]) == ("MERGED", 2, [])


def test_the_same_field_changed_differently_is_a_conflict_a_supervisor_resolves() -> None:
    worker, supervisor = token("cp_worker"), token("cp_supervisor")
    case_id = register(worker)
    tablet, phone = register_device(worker, "Tablet"), register_device(worker, "Phone")
    pushed(worker, tablet, change("t-1", case_id, 1, {"nameLast": "Haddad"}))

    [result] = pushed(
        worker, phone, change("p-1", case_id, 1, {"nameLast": "Hadad", "householdSize": 11})
    )

    # the server value stays, the other field of the change applies
    assert result["status"] == "CONFLICT"
    assert result["conflicts"] == [
        {"path": ["nameLast"], "serverValue": "Haddad", "clientValue": "Hadad"}
    ]
    assert case(worker, case_id) == {
        "revision": 3,
        "nameFirst": "Amina",
        "nameLast": "Haddad",
        "householdSize": 11,
        "hasSyncConflicts": True,
    }
    alerts = gql(ALERTS, token=worker)["data"]["alerts"]
    assert {"kind": "sync_conflict", "record": {"recordId": case_id}} in alerts

    listed = gql(CONFLICTS, {"type": "case"}, supervisor)["data"]["syncConflicts"]
    [conflict] = listed["conflicts"]
    assert (conflict["recordId"], conflict["path"], conflict["pushedBy"]) == (
        case_id,
        ["nameLast"],
        "cp_worker",
    )
    assert (conflict["serverValue"], conflict["clientValue"]) == ("Haddad", "Hadad")

    resolved = gql(RESOLVE, {"id": conflict["id"], "keep": "CLIENT"}, supervisor)
    assert resolved["data"]["resolveSyncConflict"]["errors"] == [], resolved
    assert resolved["data"]["resolveSyncConflict"]["revision"] == 4
    after = case(worker, case_id)
    assert (after["nameLast"], after["hasSyncConflicts"]) == ("Hadad", False)
    assert gql(CONFLICTS, {"type": "case"}, supervisor)["data"]["syncConflicts"]["conflicts"] == []


def test_a_conflict_resolved_with_another_value_writes_it() -> None:
    worker = token("cp_worker")
    case_id = register(worker)
    tablet, phone = register_device(worker, "Tablet"), register_device(worker, "Phone")
    pushed(worker, tablet, change("t-1", case_id, 1, {"householdSize": 10}))
    pushed(worker, phone, change("p-1", case_id, 1, {"householdSize": 12}))
    [conflict] = gql(CONFLICTS, {"type": "case"}, worker)["data"]["syncConflicts"]["conflicts"]

    refused = gql(RESOLVE, {"id": conflict["id"], "keep": "VALUE", "value": "eleven"}, worker)
    resolved = gql(RESOLVE, {"id": conflict["id"], "keep": "VALUE", "value": 11}, worker)

    assert [e["code"] for e in refused["data"]["resolveSyncConflict"]["errors"]] == [
        "INVALID_INTEGER"
    ]
    assert resolved["data"]["resolveSyncConflict"]["errors"] == []
    assert case(worker, case_id)["householdSize"] == 11


def test_keeping_the_server_value_changes_nothing_but_the_flag() -> None:
    worker = token("cp_worker")
    case_id = register(worker)
    tablet, phone = register_device(worker, "Tablet"), register_device(worker, "Phone")
    pushed(worker, tablet, change("t-1", case_id, 1, {"householdSize": 10}))
    pushed(worker, phone, change("p-1", case_id, 1, {"householdSize": 12}))
    [conflict] = gql(CONFLICTS, {"type": "case"}, worker)["data"]["syncConflicts"]["conflicts"]

    resolved = gql(RESOLVE, {"id": conflict["id"], "keep": "SERVER"}, worker)

    assert resolved["data"]["resolveSyncConflict"]["revision"] == 2
    assert case(worker, case_id) | {"nameFirst": None, "nameLast": None} == {
        "revision": 2,
        "householdSize": 10,
        "hasSyncConflicts": False,
        "nameFirst": None,
        "nameLast": None,
    }


def test_a_replayed_batch_answers_duplicate_and_changes_nothing() -> None:
    worker = token("cp_worker")
    case_id = register(worker)
    tablet, phone = register_device(worker, "Tablet"), register_device(worker, "Phone")
    pushed(worker, phone, change("p-1", case_id, 1, {"householdSize": 9}))
    batch = [
        change("t-1", case_id, 1, {"nameLast": "Haddad"}),
        change("t-2", case_id, 1, {"householdSize": 12}),  # meets the phone's 9: a conflict
        change("t-3", case_id, 1, {"registeredByAgency": "x"}),  # refused
    ]
    first = pushed(worker, tablet, *batch)
    revision = case(worker, case_id)["revision"]

    again = pushed(worker, tablet, *batch)

    assert [r["status"] for r in first] == ["MERGED", "CONFLICT", "REJECTED"]
    assert [r["status"] for r in again] == ["DUPLICATE"] * 3
    assert [r["originalStatus"] for r in again] == ["MERGED", "CONFLICT", "REJECTED"]
    assert [(r["revision"], r["conflicts"], r["errors"]) for r in again] == [
        (r["revision"], r["conflicts"], r["errors"]) for r in first
    ]
    assert case(worker, case_id)["revision"] == revision
    conflicts = gql(CONFLICTS, {"type": "case"}, worker)["data"]["syncConflicts"]["conflicts"]
    assert len(conflicts) == 1


def test_a_record_created_offline_is_created_once_with_its_uuid() -> None:
    worker = token("cp_worker")
    tablet = register_device(worker)
    new_id = str(uuid.uuid4())
    created = change(
        "t-1", new_id, None, {"nameFirst": "Yusuf", "sex": "male", "registrationDate": "2026-01-11"}
    )

    first = pushed(worker, tablet, created)
    second = pushed(worker, tablet, created)
    # the same record pushed again under a new client mutation id (a reinstalled app)
    third = pushed(worker, tablet, {**created, "clientMutationId": "t-1-again"})

    assert [(r["status"], r["revision"]) for r in first] == [("APPLIED", 1)]
    assert [(r["status"], r["originalStatus"]) for r in second] == [("DUPLICATE", "APPLIED")]
    assert (third[0]["status"], third[0]["revision"], third[0]["conflicts"]) == ("MERGED", 1, [])
    use_tenant("demo")
    assert Record.objects.filter(pk=new_id).count() == 1
    history = RecordHistory.objects.get(record_id=new_id)
    assert (history.source, history.client_mutation_id, str(history.device_id)) == (
        "sync",
        "t-1",
        tablet,
    )
    assert case(worker, new_id)["nameFirst"] == "Yusuf"


def test_a_field_the_user_may_not_write_is_rejected_and_the_rest_goes_on() -> None:
    worker = token("cp_worker")
    case_id = register(worker)
    tablet = register_device(worker)

    results = pushed(
        worker,
        tablet,
        change("t-1", case_id, 1, {"registeredByAgency": "other", "householdSize": 3}),
        change("t-2", case_id, 1, {"householdSize": 8}),
    )

    assert results[0]["status"] == "REJECTED"
    assert results[0]["errors"] == [
        {"path": ["values", "registeredByAgency"], "code": "FORBIDDEN_FIELD"}
    ]
    assert (results[1]["status"], results[1]["revision"]) == ("APPLIED", 2)
    assert case(worker, case_id)["householdSize"] == 8


def test_invalid_values_are_rejected_with_their_path() -> None:
    worker = token("cp_worker")
    case_id = register(worker)
    tablet = register_device(worker)

    [result] = pushed(worker, tablet, change("t-1", case_id, 1, {"householdSize": "old"}))

    assert result["status"] == "REJECTED"
    assert result["errors"] == [{"path": ["values", "householdSize"], "code": "INVALID_INTEGER"}]
    assert case(worker, case_id)["revision"] == 1


def test_a_record_out_of_scope_is_rejected_as_not_found() -> None:
    worker, other = token("cp_worker"), token("gbv_worker")
    case_id = register(worker)
    device = register_device(other)

    [result] = pushed(other, device, change("g-1", case_id, 1, {"householdSize": 4}))

    assert (result["status"], result["errors"]) == (
        "REJECTED",
        [{"path": ["id"], "code": "NOT_FOUND"}],
    )
    assert case(worker, case_id)["revision"] == 1


def test_a_revoked_devices_push_is_refused() -> None:
    worker = token("cp_worker")
    case_id = register(worker)
    tablet = register_device(worker)
    gql(REVOKE_DEVICE, {"id": tablet}, worker)

    body = push(worker, tablet, change("t-1", case_id, 1, {"householdSize": 4}))

    assert body["data"]["syncPush"]["results"] is None
    assert body["data"]["syncPush"]["errors"] == [{"path": ["deviceId"], "code": "DEVICE_REVOKED"}]
    assert case(worker, case_id)["revision"] == 1


def test_another_users_device_is_unknown() -> None:
    worker = token("cp_worker")
    case_id = register(worker)
    tablet = register_device(token("cp_supervisor"))

    body = push(worker, tablet, change("t-1", case_id, 1, {"householdSize": 4}))

    assert body["data"]["syncPush"]["errors"] == [{"path": ["deviceId"], "code": "UNKNOWN_DEVICE"}]
