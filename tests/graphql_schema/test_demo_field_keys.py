"""The demo configuration uses the field keys a deployment uses: a caseworker's new case gets
today's registration date and her agency, which she cannot overwrite; the province takes a
region of the demo registry; weights keep one decimal; the forms list the hidden and shared
fields."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.graphql_client import gql, login, payload_codes

pytestmark = pytest.mark.django_db

CREATE = """
mutation($input: CaseInput!) {
  createCase(input: $input) {
    case { registrationDate registeredByAgency currentProvince caseworkerTeam weightKg }
    errors { path code }
  }
}"""
BASE = {"nameFirst": "Amina", "sex": "female", "consentToShareWithReferral": True}


def test_a_new_demo_case_gets_todays_date_and_the_writers_agency() -> None:
    token = login("cp_worker")["accessToken"]

    created = gql(
        CREATE,
        {
            "input": {
                **BASE,
                "currentProvince": "DL01",
                "caseworkerTeam": ["cp_supervisor"],
                "weightKg": 14.5,
            }
        },
        token,
    )

    assert created["data"]["createCase"] == {
        "case": {
            "registrationDate": dt.datetime.now(dt.UTC).date().isoformat(),
            "registeredByAgency": "cp_agency",
            "currentProvince": "DL01",
            "caseworkerTeam": ["cp_supervisor"],
            "weightKg": 14.5,
        },
        "errors": [],
    }


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ({"registeredByAgency": "partner_ngo"}, "FORBIDDEN_FIELD"),
        ({"currentProvince": "DL0101"}, "WRONG_LOCATION_LEVEL"),  # a district
        ({"weightKg": 14.55}, "TOO_MANY_DECIMALS"),
    ],
)
def test_demo_fields_refuse_what_their_keys_forbid(written: dict[str, object], code: str) -> None:
    token = login("cp_worker")["accessToken"]

    refused = gql(CREATE, {"input": {**BASE, **written}}, token)

    assert payload_codes(refused, "createCase") == [code]


def test_the_demo_forms_list_hidden_read_only_and_shared_fields() -> None:
    token = login("cp_worker")["accessToken"]

    forms = gql(
        """{ forms(recordType: "case") { key fields { name hidden readOnly default } } }""",
        token=token,
    )["data"]["forms"]
    fields = {(form["key"], f["name"]): f for form in forms for f in form["fields"]}

    assert fields[("registration", "legacy_case_number")]["hidden"] is True
    assert fields[("registration", "registered_by_agency")] == {
        "name": "registered_by_agency",
        "hidden": False,
        "readOnly": True,
        "default": "current_agency",
    }
    assert fields[("registration", "registration_date")]["default"] == "today"
    assert ("registration", "date_of_birth") in fields
    assert ("basic_identity", "date_of_birth") in fields
