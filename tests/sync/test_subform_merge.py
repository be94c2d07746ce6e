"""syncPush merges a subform both sides changed entry by entry, matched by `uid`: entries
added or edited on different devices all land; the same field of the same entry set
differently is a conflict on that entry's field, decided like any other."""

from __future__ import annotations

from typing import Any

import pytest

from tests.graphql_client import gql
from tests.sync.helpers import CONFLICTS, RESOLVE, change, pushed, register_device
from tests.workflows.test_demo_flow import register, token

pytestmark = pytest.mark.django_db

SIBLINGS = "query($id: ID!) { case(id: $id) { revision siblings { uid siblingName siblingAge } } }"


def siblings(tok: str, case_id: str) -> tuple[int, list[dict[str, Any]]]:
    body = gql(SIBLINGS, {"id": case_id}, tok)
    assert "errors" not in body, body
    found = body["data"]["case"]
    return found["revision"], found["siblings"] or []


def with_two_siblings(worker: str) -> tuple[str, int, str, str]:
    """A case with siblings Sara (9) and Omar (12): its id, revision and the two uids."""
    case_id = register(
        worker,
        siblings=[
            {"siblingName": "Sara", "siblingAge": 9},
            {"siblingName": "Omar", "siblingAge": 12},
        ],
    )
    revision, entries = siblings(worker, case_id)
    sara, omar = (e["uid"] for e in entries)
    return case_id, revision, sara, omar


def test_two_devices_adding_entries_to_the_same_subform_both_land() -> None:
    worker = token("cp_worker")
    case_id, base, sara, omar = with_two_siblings(worker)
    tablet, phone = register_device(worker, "Tablet"), register_device(worker, "Phone")
    held = [
        {"uid": sara, "siblingName": "Sara", "siblingAge": 9},
        {"uid": omar, "siblingName": "Omar", "siblingAge": 12},
    ]

    pushed(
        worker,
        tablet,
        change(
            "t-1", case_id, base, {"siblings": [*held, {"uid": "tablet-1", "siblingName": "Lina"}]}
        ),
    )
    [result] = pushed(
        worker, phone, change("p-1", case_id, base, {"siblings": [*held, {"siblingName": "Karim"}]})
    )

    assert (result["status"], result["conflicts"]) == ("MERGED", [])
    _, entries = siblings(worker, case_id)
    assert [e["siblingName"] for e in entries] == ["Sara", "Omar", "Lina", "Karim"]
    assert entries[2]["uid"] == "tablet-1"


def test_different_entries_edited_on_two_devices_both_land() -> None:
    worker = token("cp_worker")
    case_id, base, sara, omar = with_two_siblings(worker)
    tablet, phone = register_device(worker, "Tablet"), register_device(worker, "Phone")

    pushed(
        worker,
        tablet,
        change(
            "t-1", case_id, base, {"siblings": [{"uid": sara, "siblingAge": 10}, {"uid": omar}]}
        ),
    )
    [result] = pushed(
        worker,
        phone,
        change(
            "p-1",
            case_id,
            base,
            {"siblings": [{"uid": sara, "siblingAge": 9}, {"uid": omar, "siblingName": "Omar K."}]},
        ),
    )

    assert (result["status"], result["conflicts"]) == ("MERGED", [])
    _, entries = siblings(worker, case_id)
    assert entries == [
        {"uid": sara, "siblingName": "Sara", "siblingAge": 10},
        {"uid": omar, "siblingName": "Omar K.", "siblingAge": 12},
    ]


def test_an_entry_deleted_on_one_device_goes_while_the_others_additions_stay() -> None:
    worker = token("cp_worker")
    case_id, base, sara, omar = with_two_siblings(worker)
    tablet, phone = register_device(worker, "Tablet"), register_device(worker, "Phone")

    pushed(
        worker,
        tablet,
        change(
            "t-1",
            case_id,
            base,
            {"siblings": [{"uid": sara}, {"uid": omar}, {"siblingName": "Lina"}]},
        ),
    )
    [result] = pushed(worker, phone, change("p-1", case_id, base, {"siblings": [{"uid": sara}]}))

    assert (result["status"], result["conflicts"]) == ("MERGED", [])
    _, entries = siblings(worker, case_id)
    assert [e["siblingName"] for e in entries] == ["Sara", "Lina"]


def test_the_same_entry_field_set_differently_is_a_conflict_on_that_field() -> None:
    worker, supervisor = token("cp_worker"), token("cp_supervisor")
    case_id, base, sara, omar = with_two_siblings(worker)
    tablet, phone = register_device(worker, "Tablet"), register_device(worker, "Phone")
    pushed(
        worker,
        tablet,
        change(
            "t-1", case_id, base, {"siblings": [{"uid": sara, "siblingAge": 10}, {"uid": omar}]}
        ),
    )

    [result] = pushed(
        worker,
        phone,
        change(
            "p-1",
            case_id,
            base,
            {"siblings": [{"uid": sara, "siblingAge": 11}, {"uid": omar, "siblingAge": 13}]},
        ),
    )

    # the tablet's age for Sara stays, the phone's edit of Omar lands
    assert result["status"] == "CONFLICT"
    assert result["conflicts"] == [
        {"path": ["siblings", sara, "siblingAge"], "serverValue": 10, "clientValue": 11}
    ]
    _, entries = siblings(worker, case_id)
    assert [(e["uid"], e["siblingAge"]) for e in entries] == [(sara, 10), (omar, 13)]
    listed = gql(CONFLICTS, {"type": "case"}, supervisor)["data"]["syncConflicts"]["conflicts"]
    [conflict] = [c for c in listed if c["recordId"] == case_id]
    assert (conflict["path"], conflict["serverValue"], conflict["clientValue"]) == (
        ["siblings", sara, "siblingAge"],
        10,
        11,
    )

    resolved = gql(RESOLVE, {"id": conflict["id"], "keep": "CLIENT"}, supervisor)

    assert resolved["data"]["resolveSyncConflict"]["errors"] == []
    _, entries = siblings(worker, case_id)
    assert entries == [
        {"uid": sara, "siblingName": "Sara", "siblingAge": 11},
        {"uid": omar, "siblingName": "Omar", "siblingAge": 13},
    ]


def test_an_entry_edited_on_one_device_and_deleted_on_the_other_is_kept_as_a_conflict() -> None:
    worker, supervisor = token("cp_worker"), token("cp_supervisor")
    case_id, base, sara, omar = with_two_siblings(worker)
    tablet, phone = register_device(worker, "Tablet"), register_device(worker, "Phone")
    pushed(
        worker,
        tablet,
        change(
            "t-1", case_id, base, {"siblings": [{"uid": sara, "siblingAge": 10}, {"uid": omar}]}
        ),
    )

    [result] = pushed(worker, phone, change("p-1", case_id, base, {"siblings": [{"uid": omar}]}))

    assert result["status"] == "CONFLICT"
    assert result["conflicts"] == [
        {
            "path": ["siblings", sara],
            "serverValue": {"uid": sara, "siblingName": "Sara", "siblingAge": 10},
            "clientValue": None,
        }
    ]
    _, entries = siblings(worker, case_id)
    assert [e["uid"] for e in entries] == [sara, omar]  # nothing edited is dropped unseen

    listed = gql(CONFLICTS, {"type": "case"}, supervisor)["data"]["syncConflicts"]["conflicts"]
    [conflict] = [c for c in listed if c["recordId"] == case_id]
    resolved = gql(RESOLVE, {"id": conflict["id"], "keep": "CLIENT"}, supervisor)

    assert resolved["data"]["resolveSyncConflict"]["errors"] == []
    _, entries = siblings(worker, case_id)
    assert [e["uid"] for e in entries] == [omar]
