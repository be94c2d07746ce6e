"""Form administration through GraphQL: drafts, publication, diffs, lookups, retirement."""

from __future__ import annotations

from typing import Any

import pytest

from tests.graphql_client import gql, login, payload_codes
from tests.graphql_schema.test_records_api import IDENTITY_FORM, PUBLISH, SAVE_DRAFT, publish
from tests.tenants import make_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> tuple[str, str]:
    tenant = make_tenant()
    token: str = login("admin", tenant=tenant.slug)["accessToken"]
    return tenant.slug, token


def test_an_invalid_definition_is_refused_with_every_error(admin: tuple[str, str]) -> None:
    _, token = admin
    broken: dict[str, Any] = {
        "key": "broken",
        "record_type": "case",
        "label": {"en": "Broken"},
        "fields": [{"name": "Bad Name", "type": "text"}, {"name": "colour", "type": "rainbow"}],
    }

    body = gql(SAVE_DRAFT, {"definition": broken}, token)

    errors = body["data"]["saveFormDraft"]["errors"]
    assert {"path": ["definition", "fields", "0", "name"], "code": "INVALID_FIELD_NAME"} in [
        {"path": e["path"], "code": e["code"]} for e in errors
    ]
    assert "UNKNOWN_FIELD_TYPE" in {e["code"] for e in errors}
    assert body["data"]["saveFormDraft"]["formVersion"] is None


def test_a_caseworker_cannot_change_forms() -> None:
    token = login("cp_worker")["accessToken"]

    body = gql(SAVE_DRAFT, {"definition": IDENTITY_FORM}, token)

    assert payload_codes(body, "saveFormDraft") == ["FORBIDDEN"]


def test_versions_and_their_diff_are_listed(admin: tuple[str, str]) -> None:
    _, token = admin
    publish(token, IDENTITY_FORM)
    second = {
        **IDENTITY_FORM,
        "fields": [
            *IDENTITY_FORM["fields"],
            {"name": "nickname", "type": "text", "label": {"en": "Nickname"}},
        ],
    }
    publish(token, second)

    versions = gql('{ formVersions(key: "identity_test") { number status } }', token=token)
    diff = gql(
        '{ formDiff(key: "identity_test", fromVersion: 1, toVersion: 2) { changes summary } }',
        token=token,
    )["data"]["formDiff"]

    assert versions["data"]["formVersions"] == [
        {"number": 1, "status": "retired"},
        {"number": 2, "status": "published"},
    ]
    assert "nickname" in diff["summary"]
    assert "nickname" in str(diff["changes"])


def test_publishing_without_a_draft_is_refused(admin: tuple[str, str]) -> None:
    _, token = admin
    publish(token, IDENTITY_FORM)

    body = gql(PUBLISH, {"recordType": "case", "key": "identity_test"}, token)

    assert payload_codes(body, "publishFormVersion") == ["BAD_USER_INPUT"]


def test_options_left_out_of_a_lookup_stay_readable_but_disabled(admin: tuple[str, str]) -> None:
    _, token = admin
    save = 'mutation($o: JSON!) { saveLookup(key: "colour", options: $o) { lookup { options } } }'
    gql(
        save,
        {"o": [{"id": "red", "label": {"en": "Red"}}, {"id": "blue", "label": {"en": "Blue"}}]},
        token,
    )

    body = gql(save, {"o": [{"id": "red", "label": {"en": "Red"}}]}, token)

    assert body["data"]["saveLookup"]["lookup"]["options"] == [
        {"id": "red", "label": {"en": "Red"}},
        {"id": "blue", "label": {"en": "Blue"}, "disabled": True},
    ]


def test_a_retired_form_leaves_its_fields_readable_as_deprecated(admin: tuple[str, str]) -> None:
    slug, token = admin
    publish(token, IDENTITY_FORM)
    other = {
        "key": "other",
        "record_type": "case",
        "label": {"en": "Other"},
        "fields": [{"name": "note_text", "type": "text", "label": {"en": "Note"}}],
    }
    publish(token, other)

    retired = gql('mutation { retireForm(key: "identity_test") { retired } }', token=token)
    assert retired["data"] == {"retireForm": {"retired": True}}

    fields = gql(
        '{ __type(name: "Case") { fields(includeDeprecated: true) { name isDeprecated } } }',
        token=login("worker", tenant=slug)["accessToken"],
    )
    flags = {f["name"]: f["isDeprecated"] for f in fields["data"]["__type"]["fields"]}
    assert flags["nameFirst"] is True
    assert flags["noteText"] is False


RETIRE = "mutation($key: String!) { retireForm(key: $key) { retired errors { code } } }"


def test_retiring_no_form_answers_its_payload_not_a_server_error() -> None:
    token = login("admin")["accessToken"]

    body = gql(RETIRE, {"key": ""}, token)

    assert "errors" not in body
    assert body["data"]["retireForm"]["retired"] is False
    assert payload_codes(body, "retireForm") != []
