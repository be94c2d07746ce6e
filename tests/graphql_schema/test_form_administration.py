"""Form administration through GraphQL: drafts, publication, diffs, lookups, retirement."""

from __future__ import annotations

from typing import Any

import pytest

from tests.graphql_client import error_codes, gql, login
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

    assert error_codes(body) == ["INVALID_FORM_DEFINITION"]
    codes = {e["code"] for e in body["errors"][0]["extensions"]["errors"]}
    assert {"INVALID_FIELD_NAME", "UNKNOWN_FIELD_TYPE"} <= codes
    assert all(e["form"] == "broken" for e in body["errors"][0]["extensions"]["errors"])


def test_a_caseworker_cannot_change_forms() -> None:
    token = login("cp_worker")["accessToken"]

    body = gql(SAVE_DRAFT, {"definition": IDENTITY_FORM}, token)

    assert error_codes(body) == ["FORBIDDEN"]


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

    assert error_codes(body) == ["BAD_USER_INPUT"]


def test_options_left_out_of_a_lookup_stay_readable_but_disabled(admin: tuple[str, str]) -> None:
    _, token = admin
    save = 'mutation($o: JSON!) { saveLookup(key: "colour", options: $o) { options } }'
    gql(
        save,
        {"o": [{"id": "red", "label": {"en": "Red"}}, {"id": "blue", "label": {"en": "Blue"}}]},
        token,
    )

    body = gql(save, {"o": [{"id": "red", "label": {"en": "Red"}}]}, token)

    assert body["data"]["saveLookup"]["options"] == [
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

    assert gql('mutation { retireForm(key: "identity_test") }', token=token)["data"] == {
        "retireForm": True
    }

    fields = gql(
        '{ __type(name: "Case") { fields(includeDeprecated: true) { name isDeprecated } } }',
        token=login("worker", tenant=slug)["accessToken"],
    )
    flags = {f["name"]: f["isDeprecated"] for f in fields["data"]["__type"]["fields"]}
    assert flags["nameFirst"] is True
    assert flags["noteText"] is False
