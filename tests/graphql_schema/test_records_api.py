"""Published forms become typed record APIs: write, read back, list, history, conflicts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.graphql_client import error_codes, gql, login, payload_codes
from tests.tenants import ScratchTenant, make_tenant

pytestmark = pytest.mark.django_db

SAVE_DRAFT = """
mutation Save($definition: JSON!) {
  saveFormDraft(definition: $definition) {
    formVersion { key number status } errors { path code message }
  }
}
"""
PUBLISH = """
mutation Publish($recordType: String!, $key: String!) {
  publishFormVersion(recordType: $recordType, key: $key) {
    formVersion { key number status } errors { path code message }
  }
}
"""
CREATE_CASE = """
mutation Create($input: CaseInput!) {
  createCase(input: $input) {
    case { id revision nameFirst age dateOfBirth siblings { uid siblingName } }
    errors { path code message }
  }
}
"""
UPDATE_CASE = """
mutation Update($id: ID!, $base: Int!, $input: CaseInput!) {
  updateCase(id: $id, baseRevision: $base, input: $input) {
    case { id revision nameFirst age }
    errors { path code message }
  }
}
"""
LIST_CASES = """
query List($first: Int, $after: String) {
  cases(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id nameFirst } }
  }
}
"""
HISTORY = """
query History($id: ID!) {
  recordHistory(id: $id) { revision action actor { username } changes { field old new } }
}
"""

IDENTITY_FORM: dict[str, Any] = {
    "key": "identity_test",
    "record_type": "case",
    "label": {"en": "Identity", "fr": "Identité", "ar": "الهوية"},
    "fields": [
        {
            "name": "name_first",
            "type": "text",
            "label": {"en": "First name", "fr": "Prénom"},
            "required": True,
            "max_length": 100,
            "tags": ["pii"],
        },
        {"name": "age", "type": "integer", "label": {"en": "Age"}, "min": 0, "max": 130},
        {
            "name": "date_of_birth",
            "type": "date",
            "label": {"en": "Date of birth"},
            "not_future": True,
        },
        {
            "name": "siblings",
            "type": "subform",
            "label": {"en": "Siblings"},
            "fields": [{"name": "sibling_name", "type": "text", "label": {"en": "Name"}}],
        },
    ],
}


def publish(token: str, definition: dict[str, Any]) -> dict[str, Any]:
    saved = gql(SAVE_DRAFT, {"definition": definition}, token)
    assert payload_codes(saved, "saveFormDraft") == [], saved
    return gql(PUBLISH, {"recordType": definition["record_type"], "key": definition["key"]}, token)


@pytest.fixture
def tenant() -> ScratchTenant:
    return make_tenant()


@pytest.fixture
def admin_token(tenant: ScratchTenant) -> str:
    token: str = login("admin", tenant=tenant.slug)["accessToken"]
    published = publish(token, IDENTITY_FORM)
    assert payload_codes(published, "publishFormVersion") == [], published
    return token


@pytest.fixture
def worker_token(admin_token: str, tenant: ScratchTenant) -> str:
    token: str = login("worker", tenant=tenant.slug)["accessToken"]
    return token


def create_case(token: str, **values: Any) -> dict[str, Any]:
    body = gql(CREATE_CASE, {"input": values}, token)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["createCase"]
    return payload


def test_a_caseworker_writes_and_reads_back_a_published_field(worker_token: str) -> None:
    payload = create_case(
        worker_token,
        nameFirst="Amina",
        age=9,
        dateOfBirth="2016-03-01",
        siblings=[{"siblingName": "Yusuf"}],
    )

    assert payload["errors"] == []
    case = payload["case"]
    assert case["nameFirst"] == "Amina"
    assert case["age"] == 9
    assert case["dateOfBirth"] == "2016-03-01"
    assert case["revision"] == 1
    assert case["siblings"][0]["siblingName"] == "Yusuf"
    assert case["siblings"][0]["uid"]
    fetched = gql(
        "query($id: ID!) { case(id: $id) { nameFirst age } }", {"id": case["id"]}, worker_token
    )
    assert fetched["data"]["case"] == {"nameFirst": "Amina", "age": 9}


def test_validation_errors_come_back_per_field_and_nothing_is_saved(worker_token: str) -> None:
    payload = create_case(worker_token, age=200, dateOfBirth="2999-01-01")

    assert payload["case"] is None
    codes = {".".join(error["path"]): error["code"] for error in payload["errors"]}
    assert set(codes) == {"input.nameFirst", "input.age", "input.dateOfBirth"}
    listed = gql(LIST_CASES, {"first": 10}, worker_token)["data"]["cases"]
    assert listed["totalCount"] == 0


def test_a_stale_revision_is_accepted_when_other_fields_changed(worker_token: str) -> None:
    case = create_case(worker_token, nameFirst="Amina", age=9)["case"]
    first = gql(UPDATE_CASE, {"id": case["id"], "base": 1, "input": {"age": 10}}, worker_token)
    assert first["data"]["updateCase"]["case"]["revision"] == 2

    second = gql(
        UPDATE_CASE, {"id": case["id"], "base": 1, "input": {"nameFirst": "Amira"}}, worker_token
    )

    assert second["data"]["updateCase"]["errors"] == []
    assert second["data"]["updateCase"]["case"] == {
        "id": case["id"],
        "revision": 3,
        "nameFirst": "Amira",
        "age": 10,
    }


def test_a_stale_revision_on_a_changed_field_is_a_conflict(worker_token: str) -> None:
    case = create_case(worker_token, nameFirst="Amina", age=9)["case"]
    gql(UPDATE_CASE, {"id": case["id"], "base": 1, "input": {"age": 10}}, worker_token)

    stale = gql(UPDATE_CASE, {"id": case["id"], "base": 1, "input": {"age": 11}}, worker_token)

    payload = stale["data"]["updateCase"]
    assert payload["case"] is None
    assert [(e["path"], e["code"]) for e in payload["errors"]] == [
        (["input", "age"], "REVISION_CONFLICT")
    ]


def test_history_lists_each_change_with_its_actor(worker_token: str) -> None:
    case = create_case(worker_token, nameFirst="Amina", age=9)["case"]
    gql(UPDATE_CASE, {"id": case["id"], "base": 1, "input": {"age": 10}}, worker_token)

    history = gql(HISTORY, {"id": case["id"]}, worker_token)["data"]["recordHistory"]

    assert [h["action"] for h in history] == ["create", "update"]
    assert history[1]["actor"] == {"username": "worker"}
    assert history[1]["changes"] == [{"field": "age", "old": 9, "new": 10}]


def test_cases_page_through_with_opaque_cursors(worker_token: str) -> None:
    for name in ("A", "B", "C"):
        create_case(worker_token, nameFirst=name)

    page1 = gql(LIST_CASES, {"first": 2}, worker_token)["data"]["cases"]
    page2 = gql(LIST_CASES, {"first": 2, "after": page1["pageInfo"]["endCursor"]}, worker_token)[
        "data"
    ]["cases"]

    assert page1["totalCount"] == 3
    assert [e["node"]["nameFirst"] for e in page1["edges"]] == ["C", "B"]
    assert page1["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["nameFirst"] for e in page2["edges"]] == ["A"]
    assert page2["pageInfo"]["hasNextPage"] is False


def test_a_page_larger_than_the_maximum_is_refused(worker_token: str) -> None:
    assert error_codes(gql(LIST_CASES, {"first": 1000}, worker_token)) == ["BAD_USER_INPUT"]


def test_changing_a_published_field_type_is_refused(admin_token: str) -> None:
    changed = {
        **IDENTITY_FORM,
        "fields": [
            {**IDENTITY_FORM["fields"][0]},
            {"name": "age", "type": "text", "label": {"en": "Age"}},
        ],
    }

    body = publish(admin_token, changed)

    errors = body["data"]["publishFormVersion"]["errors"]
    assert errors[0]["code"] == "FIELD_TYPE_CHANGED"
    assert "age" in errors[0]["message"]


def test_a_removed_field_stays_readable_and_deprecated(admin_token: str, worker_token: str) -> None:
    worker = worker_token
    case = create_case(worker, nameFirst="Amina", age=9)["case"]
    without_age = {
        **IDENTITY_FORM,
        "fields": [f for f in IDENTITY_FORM["fields"] if f["name"] != "age"],
    }
    assert "errors" not in publish(admin_token, without_age)

    fetched = gql("query($id: ID!) { case(id: $id) { age } }", {"id": case["id"]}, worker)
    introspection = gql(
        '{ __type(name: "Case") { fields(includeDeprecated: true) { name isDeprecated } } }',
        token=worker,
    )

    assert fetched["data"]["case"] == {"age": 9}
    fields = {f["name"]: f["isDeprecated"] for f in introspection["data"]["__type"]["fields"]}
    assert fields["age"] is True
    assert fields["nameFirst"] is False


def test_forms_are_described_in_the_requested_locale(worker_token: str) -> None:
    query = (
        'query($l: String) { forms(recordType: "case", locale: $l) { key label fields '
        "{ name graphqlName label } } }"
    )

    french = gql(query, {"l": "fr"}, worker_token)["data"]["forms"]
    arabic = gql(query, {"l": "ar"}, worker_token)["data"]["forms"]

    assert french[0]["label"] == "Identité"
    assert french[0]["fields"][0] == {
        "name": "name_first",
        "graphqlName": "nameFirst",
        "label": "Prénom",
    }
    assert french[0]["fields"][1]["label"] == "Age"  # no French label: the tenant default
    assert arabic[0]["label"] == "الهوية"
