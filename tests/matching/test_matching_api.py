"""Family tracing and duplicate detection through GraphQL on the demo tenant and its demo
matching rules: candidates with reasons, nothing the caller may not read."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.locations.csv_format import LocationRow
from backend.locations.services import import_location_rows
from backend.tenancy.models import Tenant
from tests.graphql_client import error_codes, gql, login, payload_codes, use_tenant

pytestmark = pytest.mark.django_db

CREATE_CASE = """
mutation($i: CaseInput!) { createCase(input: $i) { case { id } errors { path code } } }
"""
CREATE_TRACING = """
mutation($i: TracingRequestInput!) {
  createTracingRequest(input: $i) { tracingRequest { id } errors { path code message } }
}
"""
POTENTIAL = """
query($type: String!, $id: ID!, $first: Int) {
  potentialMatches(recordType: $type, id: $id, first: $first) {
    recordType score band outOfScope owningAgency sourceEntry
    contributions { field method score explanation }
    record { ... on Case { id nameFirst nameLast dateOfBirth } }
  }
}
"""
DUPLICATES = """
query($type: String!, $input: JSON!) {
  duplicateCandidates(recordType: $type, input: $input) {
    score band outOfScope
    contributions { field explanation }
    record { ... on Case { id nameFirst } }
  }
}
"""
SAVE_RULES = """
mutation($rules: JSON!) {
  saveMatchingRules(rules: $rules) { rules errors { path code message } }
}
"""
RULES = "query { matchingRules }"


@pytest.fixture(autouse=True)
def tripoli() -> None:
    tenant = Tenant.objects.get(slug="demo")
    use_tenant("demo")
    row = LocationRow(1, "DL0103", "DL01", "2", {"en": "Tripoli"})
    assert import_location_rows(tenant, [row]).ok


def token(username: str) -> str:
    return str(login(username)["accessToken"])


def create_case(tok: str, **values: Any) -> str:
    fields = {"registrationDate": "2026-01-10", "sex": "male", **values}
    body = gql(CREATE_CASE, {"i": fields}, tok)
    assert body["data"]["createCase"]["errors"] == [], body
    return str(body["data"]["createCase"]["case"]["id"])


def create_tracing_request(tok: str, *persons: dict[str, Any]) -> str:
    fields = {
        "inquiryDate": "2026-11-01",
        "inquirerNameFirst": "Fatima",
        "personsSought": list(persons),
    }
    body = gql(CREATE_TRACING, {"i": fields}, tok)
    assert body["data"]["createTracingRequest"]["errors"] == [], body
    return str(body["data"]["createTracingRequest"]["tracingRequest"]["id"])


def matches(tok: str, record_type: str, record_id: str, first: int = 10) -> list[dict[str, Any]]:
    body = gql(POTENTIAL, {"type": record_type, "id": record_id, "first": first}, tok)
    assert "errors" not in body, body
    found: list[dict[str, Any]] = body["data"]["potentialMatches"]
    return found


MUHAMMAD = {
    "nameFirst": "Muhammad",
    "nameLast": "Aly",
    "dateOfBirth": "2016-04-02",
    "locationCurrent": "DL0103",
}
SOUGHT = {
    "soughtNameFirst": "Mohammed",
    "soughtNameLast": "Ali",
    "soughtAge": 9,
    "soughtSex": "male",
    "soughtLastSeenLocation": "DL0103",
}


def test_tracing_request_for_mohammed_ali_finds_muhammad_aly_with_reasons() -> None:
    worker = token("cp_worker")
    case = create_case(worker, **MUHAMMAD)
    create_case(worker, nameFirst="Layla", nameLast="Haddad", dateOfBirth="2016-01-01")
    request = create_tracing_request(worker, SOUGHT)

    found = matches(worker, "tracing_request", request)

    assert [c["record"]["id"] for c in found] == [case]
    best = found[0]
    assert best["outOfScope"] is False
    assert best["score"] >= 0.8
    assert best["sourceEntry"]
    reasons = {c["field"]: c["explanation"] for c in best["contributions"]}
    assert reasons["name"] == "mohammed ~ muhammad (sound alike); ali ~ aly (sound alike)"
    assert "2016" in reasons["birth"]
    assert reasons["location"] == "both in Tripoli"


def test_duplicate_candidates_warn_before_the_same_child_is_saved_twice() -> None:
    worker = token("cp_worker")
    case = create_case(worker, **MUHAMMAD, phoneCurrent="070123456")
    typed = {
        "nameFirst": "Mohamed",
        "nameLast": "Aly",
        "sex": "male",
        "ageApproximate": 10,
        "phoneCurrent": "+961 70 123 456",
    }
    body = gql(DUPLICATES, {"type": "case", "input": typed}, worker)
    assert "errors" not in body, body
    found = body["data"]["duplicateCandidates"]
    assert [c["record"]["id"] for c in found] == [case]
    assert {c["field"] for c in found[0]["contributions"]} >= {"name", "phone", "birth"}


def test_duplicate_candidates_refuse_an_unknown_field() -> None:
    body = gql(DUPLICATES, {"type": "case", "input": {"nmeFirst": "x"}}, token("cp_worker"))
    assert error_codes(body) == ["BAD_USER_INPUT"]


def test_monitor_gets_no_explanation_from_a_field_it_may_not_read() -> None:
    # given rules that can also find candidates on what a monitor reads (no pii)
    admin = token("admin")
    rules = gql(RULES, token=admin)["data"]["matchingRules"]
    rules["pairs"][1]["blocking"].append(["birth", "sex"])
    assert payload_codes(gql(SAVE_RULES, {"rules": rules}, admin), "saveMatchingRules") == []
    supervisor = token("cp_supervisor")
    first = create_case(supervisor, **MUHAMMAD, ageApproximate=10)
    second = create_case(supervisor, **{**MUHAMMAD, "nameFirst": "Mohamad"}, ageApproximate=10)

    found = matches(token("cp_monitor"), "case", first)

    assert [c["record"]["id"] for c in found] == [second]
    fields = {c["field"] for c in found[0]["contributions"]}
    assert fields
    assert not fields & {"name", "location", "mother", "phone"}
    text = " ".join(c["explanation"] for c in found[0]["contributions"]).casefold()
    assert "moham" not in text
    assert "tripoli" not in text
    assert "04-02" not in text
    assert found[0]["record"]["nameFirst"] is None  # pii: redacted


def test_monitor_gets_no_candidate_found_only_through_fields_it_may_not_read() -> None:
    supervisor = token("cp_supervisor")
    first = create_case(supervisor, **MUHAMMAD)
    create_case(supervisor, **MUHAMMAD)
    assert matches(token("cp_monitor"), "case", first) == []


def test_out_of_scope_candidate_comes_without_any_data() -> None:
    create_case(token("cp_supervisor"), **MUHAMMAD)  # not the worker's own
    worker = token("cp_worker")
    request = create_tracing_request(worker, SOUGHT)

    found = matches(worker, "tracing_request", request)

    assert len(found) == 1
    assert found[0] == {
        "recordType": "case",
        "score": None,
        "band": "STRONG",
        "outOfScope": True,
        "owningAgency": "Child Protection Agency",
        "sourceEntry": found[0]["sourceEntry"],
        "contributions": [],
        "record": None,
    }


def test_an_incident_is_never_proposed_out_of_scope() -> None:
    admin = token("admin")
    rules = gql(RULES, token=admin)["data"]["matchingRules"]
    pair = rules["pairs"][1]
    incident = {
        **pair,
        "target": "incident",
        "comparisons": [
            {
                "name": "name",
                "method": "fuzzy_name",
                "weight": 1,
                "source": ["name_first"],
                "target": ["survivor_name"],
            },
        ],
        "blocking": [["name"]],
    }
    body = gql(SAVE_RULES, {"rules": {"pairs": [*rules["pairs"], incident]}}, admin)
    assert set(payload_codes(body, "saveMatchingRules")) == {"INVALID_MATCHING_RULES"}
    paths = [e["path"] for e in body["data"]["saveMatchingRules"]["errors"]]
    assert ["rules", "pairs", "2", "out_of_scope"] in paths


def test_rules_naming_a_field_the_forms_lack_are_refused_with_its_path() -> None:
    admin = token("admin")
    rules = gql(RULES, token=admin)["data"]["matchingRules"]
    rules["pairs"][0]["comparisons"][0]["target"] = ["name_frist"]
    body = gql(SAVE_RULES, {"rules": rules}, admin)
    assert payload_codes(body, "saveMatchingRules") == ["INVALID_MATCHING_RULES"]
    error = body["data"]["saveMatchingRules"]["errors"][0]
    assert error["path"] == ["rules", "pairs", "0", "comparisons", "0", "target", "0"]
    assert payload_codes(
        gql(
            SAVE_RULES,
            {"rules": gql(RULES, token=admin)["data"]["matchingRules"]},
            token("cp_worker"),
        ),
        "saveMatchingRules",
    ) == ["FORBIDDEN"]


def test_query_count_does_not_grow_with_candidates() -> None:
    supervisor = token("cp_supervisor")
    source = create_case(supervisor, **MUHAMMAD)
    create_case(supervisor, **MUHAMMAD)

    def counted() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert len(matches(supervisor, "case", source, first=50)) >= 1
        return len(queries)

    few = counted()
    for index in range(8):
        create_case(supervisor, **{**MUHAMMAD, "nameLast": f"Aly{'y' * index}"})
    assert counted() == few


def test_where_an_out_of_scope_candidate_sits_tells_nothing_beyond_its_band() -> None:
    # given a close match the worker may not see and a weaker one of their own
    create_case(token("cp_supervisor"), **{**MUHAMMAD, "nameFirst": "Mohammed", "nameLast": "Ali"})
    worker = token("cp_worker")
    own = create_case(worker, **{**MUHAMMAD, "locationCurrent": None})
    request = create_tracing_request(worker, SOUGHT)

    found = matches(worker, "tracing_request", request)

    # then, within the band they share, the worker's own candidate comes first: the hidden
    # one's place does not say that it scored higher
    assert [(c["band"], c["outOfScope"]) for c in found] == [
        ("STRONG", False),
        ("STRONG", True),
    ], found
    assert found[0]["record"]["id"] == own
