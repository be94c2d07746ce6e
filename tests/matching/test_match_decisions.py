"""Decisions on proposed pairs through GraphQL: confirmed, rejected (never proposed again),
duplicate, merged; each in both records' history, each only on records the caller sees."""

from __future__ import annotations

from typing import Any

import pytest

from backend.matching.models import MatchDecision
from backend.records.models import Record
from backend.workflows.models import Flag, Note
from tests.graphql_client import gql, payload_codes
from tests.matching.test_matching_api import (
    MUHAMMAD,
    SOUGHT,
    create_case,
    create_tracing_request,
    matches,
    token,
    tripoli,  # noqa: F401 (autouse: the demo location the cases name)
)

pytestmark = pytest.mark.django_db

CONFIRM = """
mutation($a: ID!, $b: ID!) {
  confirmMatch(a: $a, b: $b) { decision { first second decision reason } errors { path code } }
}
"""
REJECT = """
mutation($a: ID!, $b: ID!, $reason: String!) {
  rejectMatch(a: $a, b: $b, reason: $reason) {
    decision { decision reason } errors { path code }
  }
}
"""
DUPLICATE = """
mutation($a: ID!, $b: ID!) {
  markDuplicate(a: $a, b: $b) { decision { decision } errors { path code } }
}
"""
MERGE = """
mutation($keep: ID!, $other: ID!, $choices: JSON!) {
  mergeDuplicates(keep: $keep, other: $other, choices: $choices) {
    keptId keptRevision mergedId errors { path code message }
  }
}
"""
HISTORY = """
query($id: ID!) { recordHistory(id: $id) { revision action changes { field new } } }
"""
CASE = """
query($id: ID!) {
  case(id: $id) {
    id nameFirst nameLast dateOfBirth phoneCurrent
    siblings { uid siblingName }
  }
}
"""
FLAG = """
mutation($id: ID!) { flagCase(id: $id, reason: "check the address") { errors { code } } }
"""
NOTE = """
mutation($id: ID!) { addNote(id: $id, subject: "visit", body: "seen at home") { errors { code } } }
"""


def history(tok: str, record_id: str) -> list[dict[str, Any]]:
    body = gql(HISTORY, {"id": record_id}, tok)
    assert "errors" not in body, body
    entries: list[dict[str, Any]] = body["data"]["recordHistory"]
    return entries


def last_action(tok: str, record_id: str) -> tuple[str, dict[str, Any]]:
    entry = history(tok, record_id)[-1]
    return entry["action"], {c["field"]: c["new"] for c in entry["changes"]}


def test_confirming_a_match_is_written_to_both_histories() -> None:
    worker = token("cp_worker")
    case = create_case(worker, **MUHAMMAD)
    request = create_tracing_request(worker, SOUGHT)

    body = gql(CONFIRM, {"a": request, "b": case}, worker)["data"]["confirmMatch"]

    assert body["errors"] == []
    assert body["decision"]["decision"] == "CONFIRMED"
    assert {body["decision"]["first"], body["decision"]["second"]} == {case, request}
    assert last_action(worker, case) == (
        "match_confirmed",
        {"match": {"decision": "confirmed", "record": request, "record_type": "tracing_request"}},
    )
    assert last_action(worker, request)[1]["match"]["record"] == case


def test_a_rejected_pair_is_not_proposed_again_and_the_reason_is_kept() -> None:
    worker = token("cp_worker")
    case = create_case(worker, **MUHAMMAD)
    request = create_tracing_request(worker, SOUGHT)
    assert len(matches(worker, "tracing_request", request)) == 1

    body = gql(REJECT, {"a": case, "b": request, "reason": "his mother is not Fatima"}, worker)

    assert body["data"]["rejectMatch"]["errors"] == []
    assert matches(worker, "tracing_request", request) == []
    assert matches(worker, "case", case) == []
    action, changes = last_action(worker, case)
    assert action == "match_rejected"
    assert changes["match"]["reason"] == "his mother is not Fatima"


def test_a_rejection_needs_a_reason() -> None:
    worker = token("cp_worker")
    case = create_case(worker, **MUHAMMAD)
    request = create_tracing_request(worker, SOUGHT)
    body = gql(REJECT, {"a": case, "b": request, "reason": "  "}, worker)
    assert payload_codes(body, "rejectMatch") == ["BAD_USER_INPUT"]
    assert body["data"]["rejectMatch"]["errors"][0]["path"] == ["reason"]


def test_a_decision_on_a_record_out_of_sight_is_not_found_and_writes_nothing() -> None:
    hidden = create_case(token("cp_supervisor"), **MUHAMMAD)
    worker = token("cp_worker")
    request = create_tracing_request(worker, SOUGHT)
    before = len(history(worker, request))

    body = gql(CONFIRM, {"a": request, "b": hidden}, worker)

    assert payload_codes(body, "confirmMatch") == ["NOT_FOUND"]
    assert len(history(worker, request)) == before
    assert not MatchDecision.objects.exists()


def test_a_record_and_itself_or_a_case_and_a_tracing_request_are_no_duplicates() -> None:
    worker = token("cp_worker")
    case = create_case(worker, **MUHAMMAD)
    request = create_tracing_request(worker, SOUGHT)

    same = gql(DUPLICATE, {"a": case, "b": case}, worker)
    mixed = gql(DUPLICATE, {"a": case, "b": request}, worker)

    assert payload_codes(same, "markDuplicate") == ["INVALID_MATCH_PAIR"]
    assert payload_codes(mixed, "markDuplicate") == ["INVALID_MATCH_PAIR"]


def test_marking_duplicates_is_in_both_histories() -> None:
    worker = token("cp_worker")
    first = create_case(worker, **MUHAMMAD)
    second = create_case(worker, **MUHAMMAD)

    body = gql(DUPLICATE, {"a": first, "b": second}, worker)

    assert body["data"]["markDuplicate"] == {"decision": {"decision": "DUPLICATE"}, "errors": []}
    assert last_action(worker, first)[0] == "match_duplicate"
    assert last_action(worker, second)[0] == "match_duplicate"


def test_merging_takes_the_chosen_values_unites_subforms_and_moves_workflows() -> None:
    # given two registrations of one child, each with something the other lacks
    worker = token("cp_worker")
    keep = create_case(
        worker, **MUHAMMAD, siblings=[{"siblingName": "Sara"}], phoneCurrent="070111222"
    )
    other = create_case(
        worker,
        **{**MUHAMMAD, "nameLast": "Ali", "dateOfBirth": "2016-04-12"},
        siblings=[{"siblingName": "Omar"}],
    )
    assert gql(FLAG, {"id": other}, worker)["data"]["flagCase"]["errors"] == []
    assert gql(NOTE, {"id": other}, worker)["data"]["addNote"]["errors"] == []

    # when
    body = gql(
        MERGE,
        {"keep": keep, "other": other, "choices": {"nameLast": "other", "dateOfBirth": "keep"}},
        worker,
    )["data"]["mergeDuplicates"]

    # then
    assert body["errors"] == []
    assert (body["keptId"], body["mergedId"]) == (keep, other)
    merged = gql(CASE, {"id": keep}, worker)["data"]["case"]
    assert merged["nameLast"] == "Ali"
    assert merged["dateOfBirth"] == "2016-04-02"
    assert merged["phoneCurrent"] == "070111222"
    assert sorted(s["siblingName"] for s in merged["siblings"]) == ["Omar", "Sara"]
    assert gql(CASE, {"id": other}, worker)["data"]["case"] is None
    gone = Record.objects.get(pk=other)
    assert gone.deleted_at is not None
    assert str(gone.merged_into_id) == keep
    assert Flag.objects.get().record_id == gone.merged_into_id
    assert [n.body for n in Note.objects.filter(record_id=keep)] == ["seen at home"]
    action, changes = last_action(worker, keep)
    assert action == "merge"
    assert changes["merged_from"] == other
    assert changes["name_last"] == "Ali"
    assert Record.objects.get(pk=other).history.last().action == "merged_into"  # type: ignore[union-attr]


def test_a_merged_record_is_no_longer_proposed() -> None:
    worker = token("cp_worker")
    keep = create_case(worker, **MUHAMMAD)
    other = create_case(worker, **MUHAMMAD)
    assert len(matches(worker, "case", keep)) == 1

    body = gql(MERGE, {"keep": keep, "other": other, "choices": {}}, worker)

    assert body["data"]["mergeDuplicates"]["errors"] == []
    assert matches(worker, "case", keep) == []


def test_merge_choices_name_known_fields_and_keep_or_other() -> None:
    worker = token("cp_worker")
    keep = create_case(worker, **MUHAMMAD)
    other = create_case(worker, **MUHAMMAD)

    body = gql(
        MERGE,
        {"keep": keep, "other": other, "choices": {"nameFrist": "other", "nameLast": "both"}},
        worker,
    )["data"]["mergeDuplicates"]

    assert body["keptId"] is None
    assert {(tuple(e["path"]), e["code"]) for e in body["errors"]} == {
        (("choices", "nameFrist"), "BAD_USER_INPUT"),
        (("choices", "nameLast"), "BAD_USER_INPUT"),
    }
    assert Record.objects.get(pk=other).deleted_at is None


def test_merging_needs_both_records_in_sight() -> None:
    hidden = create_case(token("cp_supervisor"), **MUHAMMAD)
    worker = token("cp_worker")
    keep = create_case(worker, **MUHAMMAD)

    body = gql(MERGE, {"keep": keep, "other": hidden, "choices": {}}, worker)

    assert payload_codes(body, "mergeDuplicates") == ["NOT_FOUND"]
    assert Record.objects.get(pk=hidden).deleted_at is None
