"""Locations, option sources and multiple attachments through GraphQL: importLocations,
locations for pickers, values checked on createCase, forms() naming the source, and the
definition errors of the new form properties."""

from __future__ import annotations

from typing import Any

import pytest

from backend.locations.models import Location
from backend.records.models import Record
from tests.graphql_client import gql, login, payload_codes, use_tenant
from tests.graphql_schema.test_records_api import SAVE_DRAFT, publish
from tests.tenants import ScratchTenant, make_tenant

pytestmark = pytest.mark.django_db

IMPORT = """
mutation($csv: String!) {
  importLocations(csv: $csv) { created updated unchanged errors { path code message } }
}
"""
LOCATIONS = """
query($parent: String, $level: Int, $codes: [String!], $first: Int, $after: String) {
  locations(parent: $parent, adminLevel: $level, codes: $codes, first: $first, after: $after) {
    edges { cursor node { code parentCode adminLevel names { locale text } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
REGISTRY = (
    "code,parent_code,admin_level,name_en,name_fr\n"
    "SS0101,SS01,2,Juba County,Comté de Juba\n"
    "SS,,0,South Sudan,Soudan du Sud\n"
    "SS01,SS,1,Central Equatoria,Équatoria-Central\n"
    "SS02,SS,1,Jonglei,Jonglei\n"
)
PLACES_FORM: dict[str, Any] = {
    "key": "places",
    "record_type": "case",
    "label": {"en": "Places"},
    "fields": [
        {"name": "name_first", "type": "text", "label": {"en": "First name"}},
        {"name": "home_location", "type": "location", "label": {"en": "Home"}},
        {
            "name": "lead_agency",
            "type": "select",
            "label": {"en": "Lead agency"},
            "options": {"source": "agencies"},
        },
        {
            "name": "caseworkers",
            "type": "multi_select",
            "label": {"en": "Caseworkers"},
            "options": {"source": "users"},
        },
        {
            "name": "state",
            "type": "select",
            "label": {"en": "State"},
            "options": {"source": "locations", "admin_level": 1},
        },
        {"name": "photos", "type": "photo", "label": {"en": "Photos"}, "multiple": True},
        {"name": "portrait", "type": "photo", "label": {"en": "Portrait"}},
        {
            "name": "visits",
            "type": "subform",
            "label": {"en": "Visits"},
            "fields": [
                {"name": "visit_place", "type": "location", "label": {"en": "Where"}},
            ],
        },
    ],
}
CREATE = """
mutation($input: CaseInput!) {
  createCase(input: $input) {
    case {
      id revision homeLocation leadAgency caseworkers state photos portrait
      visits { visitPlace }
    }
    errors { path code message }
  }
}
"""
UPDATE = """
mutation($id: ID!, $base: Int!, $input: CaseInput!) {
  updateCase(id: $id, baseRevision: $base, input: $input) {
    case { revision homeLocation } errors { path code }
  }
}
"""


@pytest.fixture
def scratch() -> ScratchTenant:
    return make_tenant()


@pytest.fixture
def admin(scratch: ScratchTenant) -> str:
    token: str = login("admin", tenant=scratch.slug)["accessToken"]
    imported = gql(IMPORT, {"csv": REGISTRY}, token)
    assert payload_codes(imported, "importLocations") == []
    published = publish(token, PLACES_FORM)
    assert payload_codes(published, "publishFormVersion") == [], published
    return token


@pytest.fixture
def worker(admin: str, scratch: ScratchTenant) -> str:
    token: str = login("worker", tenant=scratch.slug)["accessToken"]
    return token


# importLocations


def test_an_administrator_imports_locations_in_any_order(scratch: ScratchTenant) -> None:
    token = login("admin", tenant=scratch.slug)["accessToken"]

    first = gql(IMPORT, {"csv": REGISTRY}, token)["data"]["importLocations"]
    again = gql(IMPORT, {"csv": REGISTRY.replace("Jonglei,Jonglei", "Jonglei State,")}, token)

    assert first == {"created": 4, "updated": 0, "unchanged": 0, "errors": []}
    assert again["data"]["importLocations"] == {
        "created": 0,
        "updated": 1,
        "unchanged": 3,
        "errors": [],
    }


def test_bad_rows_refuse_the_whole_file_with_a_coded_error_each(scratch: ScratchTenant) -> None:
    token = login("admin", tenant=scratch.slug)["accessToken"]
    csv = REGISTRY + "SS9901,SS99,2,Nowhere,\nSS03,SS,2,Upper Nile,\nSS04,SS,1,,Haut-Nil\n"

    payload = gql(IMPORT, {"csv": csv}, token)["data"]["importLocations"]

    assert [(e["path"], e["code"]) for e in payload["errors"]] == [
        (["csv", "6", "parent_code"], "UNKNOWN_PARENT_LOCATION"),
        (["csv", "7", "admin_level"], "ADMIN_LEVEL_MISMATCH"),
        (["csv", "8", "name_en"], "MISSING_LOCATION_NAME"),
    ]
    assert payload["created"] == 0
    use_tenant(scratch.slug)
    assert not Location.objects.filter(tenant=scratch.tenant).exists()


def test_a_caseworker_may_not_import_locations(worker: str) -> None:
    body = gql(IMPORT, {"csv": REGISTRY}, worker)

    assert payload_codes(body, "importLocations") == ["FORBIDDEN"]


# locations


def test_pickers_page_through_children_with_names_in_every_locale(worker: str) -> None:
    children = gql(LOCATIONS, {"parent": "SS", "first": 1}, worker)["data"]["locations"]
    rest = gql(
        LOCATIONS, {"parent": "SS", "first": 1, "after": children["pageInfo"]["endCursor"]}, worker
    )["data"]["locations"]
    level_two = gql(LOCATIONS, {"level": 2}, worker)["data"]["locations"]
    named = gql(LOCATIONS, {"codes": ["SS01", "NOPE"]}, worker)["data"]["locations"]

    assert [e["node"]["code"] for e in children["edges"]] == ["SS01"]
    assert children["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["code"] for e in rest["edges"]] == ["SS02"]
    assert rest["pageInfo"]["hasNextPage"] is False
    assert level_two["edges"][0]["node"] == {
        "code": "SS0101",
        "parentCode": "SS01",
        "adminLevel": 2,
        "names": [
            {"locale": "en", "text": "Juba County"},
            {"locale": "fr", "text": "Comté de Juba"},
        ],
    }
    assert [e["node"]["code"] for e in named["edges"]] == ["SS01"]


def test_a_forged_cursor_is_invalid_cursor(worker: str) -> None:
    body = gql(LOCATIONS, {"after": "not-a-cursor"}, worker)

    assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


def test_another_tenant_sees_none_of_these_locations(admin: str) -> None:
    other = make_tenant()
    token = login("worker", tenant=other.slug)["accessToken"]

    body = gql(LOCATIONS, {"codes": ["SS", "SS01"]}, token)

    assert body["data"]["locations"]["edges"] == []


# values on write


def test_known_values_are_saved_and_the_record_gets_its_location_path(
    worker: str, scratch: ScratchTenant
) -> None:
    payload = gql(
        CREATE,
        {
            "input": {
                "nameFirst": "Amina",
                "homeLocation": "SS0101",
                "leadAgency": "agency",
                "caseworkers": ["worker", "admin"],
                "state": "SS02",
                "photos": ["att1", "att2"],
                "portrait": "att3",
                "visits": [{"visitPlace": "SS"}],
            }
        },
        worker,
    )["data"]["createCase"]

    assert payload["errors"] == []
    case = payload["case"]
    assert (case["homeLocation"], case["leadAgency"], case["caseworkers"]) == (
        "SS0101",
        "agency",
        ["worker", "admin"],
    )
    assert (case["state"], case["photos"], case["portrait"]) == ("SS02", ["att1", "att2"], "att3")
    use_tenant(scratch.slug)
    juba = Location.objects.get(tenant=scratch.tenant, code="SS0101")
    assert Record.objects.get(pk=case["id"]).location_path == juba.path

    moved = gql(UPDATE, {"id": case["id"], "base": 1, "input": {"homeLocation": "SS02"}}, worker)
    assert moved["data"]["updateCase"]["errors"] == []
    jonglei = Location.objects.get(tenant=scratch.tenant, code="SS02")
    assert Record.objects.get(pk=case["id"]).location_path == jonglei.path


def test_unknown_values_are_refused_per_field(worker: str) -> None:
    payload = gql(
        CREATE,
        {
            "input": {
                "homeLocation": "XX01",
                "leadAgency": "no_such_agency",
                "caseworkers": ["worker", "ghost"],
                "state": "SS0101",
                "photos": ["att1", "not an id!"],
                "visits": [{"visitPlace": "NOWHERE"}],
            }
        },
        worker,
    )["data"]["createCase"]

    assert payload["case"] is None
    assert sorted((e["path"], e["code"]) for e in payload["errors"]) == sorted(
        [
            (["input", "homeLocation"], "UNKNOWN_LOCATION"),
            (["input", "leadAgency"], "UNKNOWN_OPTION"),
            (["input", "caseworkers", "1"], "UNKNOWN_USER"),
            (["input", "state"], "WRONG_LOCATION_LEVEL"),
            (["input", "photos", "1"], "INVALID_ATTACHMENT_REFERENCE"),
            (["input", "visits", "0", "visitPlace"], "UNKNOWN_LOCATION"),
        ]
    )


def test_the_demo_registry_validates_demo_cases() -> None:
    token = login("cp_worker")["accessToken"]
    create = """
    mutation($input: CaseInput!) {
      createCase(input: $input) { case { locationCurrent } errors { path code } }
    }"""
    base = {
        "nameFirst": "Amina",
        "sex": "female",
        "registrationDate": "2024-05-01",
        "consentToShareWithReferral": True,
    }

    good = gql(create, {"input": {**base, "locationCurrent": "DL0101"}}, token)
    bad = gql(create, {"input": {**base, "locationCurrent": "ZZ99"}}, token)

    assert good["data"]["createCase"] == {"case": {"locationCurrent": "DL0101"}, "errors": []}
    assert ["input", "locationCurrent"] in [e["path"] for e in bad["data"]["createCase"]["errors"]]
    assert "UNKNOWN_LOCATION" in payload_codes(bad, "createCase")


# forms() and the compiled types


def test_forms_name_the_option_source_and_multiple_attachments(worker: str) -> None:
    body = gql(
        """{ forms(recordType: "case") { fields {
              name options { id } optionSource { kind adminLevel } multiple } } }""",
        token=worker,
    )

    fields = {f["name"]: f for f in body["data"]["forms"][0]["fields"]}
    assert fields["lead_agency"]["optionSource"] == {"kind": "agencies", "adminLevel": None}
    assert fields["caseworkers"]["optionSource"] == {"kind": "users", "adminLevel": None}
    assert fields["state"]["optionSource"] == {"kind": "locations", "adminLevel": 1}
    assert fields["state"]["options"] == []
    assert (fields["photos"]["multiple"], fields["portrait"]["multiple"]) == (True, False)
    assert fields["name_first"]["optionSource"] is None


def test_multiple_attachments_compile_to_string_lists(worker: str) -> None:
    body = gql(
        """{ out: __type(name: "Case") { fields { name type { kind ofType { name } } } }
             in: __type(name: "CaseInput") { inputFields { name type { kind } } } }""",
        token=worker,
    )

    out = {f["name"]: f["type"] for f in body["data"]["out"]["fields"]}
    inputs = {f["name"]: f["type"]["kind"] for f in body["data"]["in"]["inputFields"]}
    assert out["photos"] == {"kind": "LIST", "ofType": {"name": None}}
    assert out["caseworkers"]["kind"] == "LIST"
    assert out["portrait"] == {"kind": "SCALAR", "ofType": None}
    assert (inputs["photos"], inputs["portrait"]) == ("LIST", "SCALAR")


# definitions


def _draft_errors(token: str, fields: list[dict[str, Any]]) -> list[tuple[list[str], str]]:
    definition = {"key": "probe", "record_type": "case", "label": {"en": "P"}, "fields": fields}
    body = gql(SAVE_DRAFT, {"definition": definition}, token)
    return [(e["path"], e["code"]) for e in body["data"]["saveFormDraft"]["errors"]]


def test_bad_option_sources_and_multiple_are_definition_errors(admin: str) -> None:
    errors = _draft_errors(
        admin,
        [
            {"name": "a", "type": "select", "options": {"source": "planets"}},
            {
                "name": "b",
                "type": "select",
                "options": {"source": "agencies", "admin_level": 1},
            },
            {"name": "c", "type": "tally", "options": {"source": "users"}},
            {"name": "d", "type": "select", "options": {"source": "locations", "admin_level": -1}},
            {"name": "e", "type": "text", "multiple": True},
            {"name": "f", "type": "photo", "multiple": "yes"},
            {"name": "g", "type": "select", "options": {"source": "users", "multiple": True}},
        ],
    )

    fields = ["definition", "fields"]
    assert errors == [
        ([*fields, "0", "options", "source"], "UNKNOWN_OPTION_SOURCE"),
        ([*fields, "1", "options", "admin_level"], "PROPERTY_NOT_APPLICABLE"),
        ([*fields, "2", "options", "source"], "PROPERTY_NOT_APPLICABLE"),
        ([*fields, "3", "options", "admin_level"], "INVALID_PROPERTY_VALUE"),
        ([*fields, "4", "multiple"], "PROPERTY_NOT_APPLICABLE"),
        ([*fields, "5", "multiple"], "INVALID_PROPERTY_VALUE"),
        ([*fields, "6", "options", "multiple"], "UNKNOWN_PROPERTY"),
    ]


def test_a_published_attachment_field_cannot_become_multiple(admin: str) -> None:
    changed = {
        **PLACES_FORM,
        "fields": [
            {**f, "multiple": True} if f["name"] == "portrait" else f for f in PLACES_FORM["fields"]
        ],
    }

    body = publish(admin, changed)

    assert payload_codes(body, "publishFormVersion") == ["FIELD_TYPE_CHANGED"]
