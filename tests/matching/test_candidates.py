"""Candidate generation on the demo rules: the blocking keys bring a child however the name
was written down (script, order, a part left out), the match profiles kept by the write path
rank them, and the quick score over the profiles is the full score."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from backend.matching import candidates
from backend.matching.configuration import tenant_rules
from backend.matching.locations import LocationIndex
from backend.matching.models import MatchProfile
from backend.matching.profiles import decode, quick_score, subject_features
from backend.matching.services import _score
from backend.matching.subjects import everything, source_subjects, target_subject
from backend.tenancy.models import Tenant
from tests.graphql_client import gql
from tests.matching.test_matching_api import (
    DUPLICATES,
    MUHAMMAD,
    create_case,
    create_tracing_request,
    matches,
    token,
    tripoli,  # noqa: F401 (autouse fixture: Tripoli, DL0103)
)

pytestmark = pytest.mark.django_db

UPDATE_CASE = """
mutation($id: ID!, $i: CaseInput!) {
  updateCase(id: $id, baseRevision: 1, input: $i) { errors { path code } }
}
"""


def found_ids(found: list[dict[str, Any]]) -> list[str]:
    return [c["record"]["id"] for c in found]


def test_a_case_written_in_arabic_is_found_for_a_tracing_request_in_latin_script() -> None:
    worker = token("cp_worker")
    case = create_case(worker, nameFirst="محمد", nameLast="علي", dateOfBirth="2016-04-02")
    create_case(worker, nameFirst="ليلى", nameLast="حداد", dateOfBirth="2016-04-02")
    request = create_tracing_request(
        worker, {"soughtNameFirst": "Mohammed", "soughtNameLast": "Ali", "soughtAge": 10}
    )
    assert found_ids(matches(worker, "tracing_request", request)) == [case]


def test_a_child_without_a_known_birth_is_found_through_both_names_and_the_area() -> None:
    worker = token("cp_worker")
    case = create_case(worker, nameFirst="Aly", nameLast="Muhammad", locationCurrent="DL0103")
    request = create_tracing_request(
        worker,
        {
            "soughtNameFirst": "Mohammed",
            "soughtNameLast": "Ali",
            "soughtSex": "male",
            "soughtLastSeenLocation": "DL0103",
        },
    )
    assert found_ids(matches(worker, "tracing_request", request)) == [case]


def test_a_duplicate_typed_without_its_last_name_is_found_through_birth_and_area() -> None:
    worker = token("cp_worker")
    case = create_case(worker, **MUHAMMAD)
    typed = {
        "nameFirst": "Mohamed",
        "sex": "male",
        "dateOfBirth": "2016-04-20",
        "locationCurrent": "DL0103",
    }
    body = gql(DUPLICATES, {"type": "case", "input": typed}, worker)
    assert found_ids(body["data"]["duplicateCandidates"]) == [case]


def test_the_best_match_comes_first_when_few_are_scored_in_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    worker = token("cp_worker")
    for first_name in ("Layla", "Omar", "Karim", "Zaid", "Sami"):  # share last name, birth, area
        create_case(worker, **{**MUHAMMAD, "nameFirst": first_name})
    case = create_case(worker, **MUHAMMAD)
    source = create_case(worker, **{**MUHAMMAD, "nameFirst": "Mohamad"})
    monkeypatch.setattr(candidates, "SCORED_EXTRA", 0)  # first=1: one scored in full

    assert found_ids(matches(worker, "case", source, first=1)) == [case]


def test_the_profile_follows_the_record() -> None:
    worker = token("cp_worker")
    case = create_case(worker, **MUHAMMAD)

    def names() -> set[str]:
        row = MatchProfile.objects.get(record_id=case, pair="case>case")
        return set(decode(row.features)[0])

    assert names() == {"muhammad", "aly"}
    body = gql(UPDATE_CASE, {"id": case, "i": {"nameFirst": "Youssef"}}, worker)
    assert body["data"]["updateCase"]["errors"] == [], body
    assert names() == {"youssef", "aly"}


@pytest.mark.parametrize(
    "target",
    [
        {"name_first": "Muhammad", "name_last": "Aly", "date_of_birth": "2016-04-02"},
        {"name_first": "محمد", "name_last": "علي", "sex": "male", "location_current": "DL0103"},
        {"name_first": "Ali", "name_last": "Mohamad", "age_approximate": 8, "sex": "male"},
        {"name_first": "Youssef", "name_last": "Haddad", "date_of_birth": "2014-01-01"},
    ],
)
def test_the_quick_score_is_the_full_score_when_every_field_is_readable(
    target: dict[str, Any],
) -> None:
    tenant = Tenant.objects.get(slug="demo")
    source = {
        "persons_sought": [
            {
                "uid": "a1",
                "sought_name_first": "Mohammed",
                "sought_name_last": "Ali",
                "sought_age": 10,
                "sought_sex": "male",
                "sought_last_seen_location": "DL0103",
            }
        ]
    }
    pair = tenant_rules(tenant).from_source("tracing_request")[0]
    year = datetime.date.today().year
    locations = LocationIndex(tenant.pk, ["DL0103"])
    (subject,) = source_subjects(pair, source, year, everything)
    other = target_subject(pair, target, year, everything)

    full, _ = _score(pair, subject, other, locations)
    quick = quick_score(
        pair, subject_features(pair, subject, locations), subject_features(pair, other, locations)
    )
    assert quick == pytest.approx(full)
