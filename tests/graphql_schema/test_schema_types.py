"""Types a client can lean on: enums for fixed vocabularies, one DateTime format, typed
tallies."""

from __future__ import annotations

import re

import pytest

from backend.audit.models import AccessLog
from backend.records.models import RecordHistory
from backend.workflows.models import Approval, Transition
from graphql_schema.enums import (
    AccessAction,
    ApprovalStatus,
    ChangeSource,
    TransitionKind,
    TransitionStatus,
)
from graphql_schema.scalars import serialize_datetime
from tests.graphql_client import gql, login

pytestmark = pytest.mark.django_db

CANONICAL = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
REGISTER = """
mutation($input: CaseInput!) {
  createCase(input: $input) {
    case {
      id status createdAt
      householdChildrenByAge { key count }
      followUps { followUpDatetime }
    }
    errors { path code message }
  }
}
"""
CHILD = {"registrationDate": "2026-01-10", "nameFirst": "Amina", "sex": "female"}


def token(username: str) -> str:
    value: str = login(username)["accessToken"]
    return value


@pytest.mark.parametrize(
    ("enum", "choices"),
    [
        (TransitionKind, Transition.Kind),
        (TransitionStatus, Transition.Status),
        (ApprovalStatus, Approval.Status),
        (ChangeSource, RecordHistory.Source),
        (AccessAction, AccessLog.Action),
    ],
)
def test_each_enum_holds_exactly_the_stored_values(enum: type, choices: type) -> None:
    assert [m.value for m in enum] == [c.value for c in choices]  # type: ignore[attr-defined]


def test_a_new_case_answers_its_status_as_an_enum_value() -> None:
    body = gql(REGISTER, {"input": CHILD}, token("cp_worker"))

    assert body["data"]["createCase"]["case"]["status"] == "OPEN"


def test_model_and_form_datetimes_come_back_in_one_format() -> None:
    entry = {"followUpDatetime": "2026-01-12T09:30:00+02:00"}
    body = gql(REGISTER, {"input": {**CHILD, "followUps": [entry]}}, token("cp_worker"))

    case = body["data"]["createCase"]["case"]
    assert CANONICAL.match(case["createdAt"]), case
    assert case["followUps"] == [{"followUpDatetime": "2026-01-12T07:30:00.000000Z"}]


def test_datetime_serializes_strings_and_datetimes_alike() -> None:
    import datetime as dt

    moment = dt.datetime(2026, 1, 12, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))

    assert serialize_datetime(moment) == "2026-01-12T07:30:00.000000Z"
    assert serialize_datetime("2026-01-12T07:30:00Z") == "2026-01-12T07:30:00.000000Z"
    assert serialize_datetime("2026-01-12T07:30:00.000000Z") == "2026-01-12T07:30:00.000000Z"


def test_a_tally_round_trips_as_key_count_pairs() -> None:
    tally = [{"key": "age_0_4", "count": 2}, {"key": "age_5_11", "count": 1}]

    body = gql(REGISTER, {"input": {**CHILD, "householdChildrenByAge": tally}}, token("cp_worker"))

    assert body["data"]["createCase"]["errors"] == [], body
    assert body["data"]["createCase"]["case"]["householdChildrenByAge"] == tally


def test_the_sdl_declares_enums_and_specified_scalars() -> None:
    from tests.graphql_schema.test_contract_operations import _demo_schema

    sdl = _demo_schema().as_str()

    assert "enum TransitionKind {" in sdl
    assert "status: RecordState!" in sdl
    assert 'scalar DateTime @specifiedBy(url: "https://datatracker.ietf.org/' in sdl
    assert "interface Node {" in sdl
    assert "type Case implements Node {" in sdl
