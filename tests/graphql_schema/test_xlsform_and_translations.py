"""An administrator imports an XLSForm and round-trips translations through a sheet."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from tests.formengine.xlsform_workbooks import child_intake, child_intake_with
from tests.graphql_client import gql, login, payload_codes
from tests.tenants import ScratchTenant, make_tenant

pytestmark = pytest.mark.django_db

IMPORT_XLSFORM = """
mutation($recordType: String!, $content: String!, $key: String) {
  importXlsForm(recordType: $recordType, content: $content, key: $key) {
    formVersion { key number status } warnings errors { path code message }
  }
}"""
PUBLISH = """mutation($key: String!) {
  publishFormVersion(recordType: "case", key: $key) { errors { code message } } }"""
CREATE = """mutation($input: CaseInput!) {
  createCase(input: $input) {
    case { id childName childAge inSchool needs siblings { siblingName siblingAge } }
    errors { path code message } } }"""
FORMS = """query($locale: String) { forms(recordType: "case", locale: $locale) {
  key label fields { name label help options { id label } fields { name label } } } }"""
EXPORT = """query($format: TranslationFormat!) {
  exportTranslations(format: $format) { filename mediaType content text } }"""
IMPORT_TRANSLATIONS = """mutation($format: TranslationFormat!, $content: String!) {
  importTranslations(format: $format, content: $content) {
    publishedForms updatedLookups errors { path code message } } }"""
SAVE_LOOKUP = """mutation($o: JSON!) { saveLookup(key: "sex", options: $o) { errors { code } } }"""


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode("ascii")


@pytest.fixture
def scratch() -> ScratchTenant:
    return make_tenant()


@pytest.fixture
def token(scratch: ScratchTenant) -> str:
    tokens: dict[str, Any] = login("admin", tenant=scratch.slug)
    return str(tokens["accessToken"])


def _import_and_publish(token: str) -> None:
    body = gql(IMPORT_XLSFORM, {"recordType": "case", "content": b64(child_intake())}, token)
    assert payload_codes(body, "importXlsForm") == [], body
    assert body["data"]["importXlsForm"]["formVersion"] == {
        "key": "child_intake",
        "number": 1,
        "status": "draft",
    }
    assert body["data"]["importXlsForm"]["warnings"] == [
        "survey row 2: metadata 'start' is skipped: records keep their own"
    ]
    assert payload_codes(gql(PUBLISH, {"key": "child_intake"}, token), "publishFormVersion") == []


def test_an_imported_xlsform_publishes_and_serves_create_case(token: str) -> None:
    _import_and_publish(token)

    created = gql(
        CREATE,
        {
            "input": {
                "childName": "Amal",
                "childAge": 9,
                "inSchool": "yes",
                "needs": ["food"],
                "siblings": [{"siblingName": "Omar", "siblingAge": 4}],
            }
        },
        token,
    )["data"]["createCase"]
    too_old = gql(CREATE, {"input": {"childName": "Sami", "childAge": 30}}, token)
    unnamed = gql(CREATE, {"input": {"childAge": 3}}, token)

    assert created["errors"] == []
    assert created["case"]["needs"] == ["food"]
    assert created["case"]["siblings"] == [{"siblingName": "Omar", "siblingAge": 4}]
    assert payload_codes(too_old, "createCase") == ["ABOVE_MAXIMUM"]  # constraint . <= 17
    assert payload_codes(unnamed, "createCase") == ["FIELD_REQUIRED"]  # required yes
    french = gql(FORMS, {"locale": "fr"}, token)["data"]["forms"][0]
    school = next(f for f in french["fields"] if f["name"] == "in_school")
    assert school["label"] == "Scolarisé ?"
    assert school["options"] == [{"id": "yes", "label": "Oui"}, {"id": "no", "label": "Non"}]


def test_a_bad_row_is_refused_with_its_sheet_and_row_and_nothing_is_saved(token: str) -> None:
    bad = child_intake(r15=("geopoint", "place", "Place", "", "", "", "", "", ""))

    body = gql(IMPORT_XLSFORM, {"recordType": "case", "content": b64(bad)}, token)
    versions = gql('{ formVersions(key: "child_intake") { number } }', token=token)

    assert body["data"]["importXlsForm"]["errors"] == [
        {
            "path": ["content", "survey", "15"],
            "code": "INVALID_XLSFORM",
            "message": "survey row 15: type 'geopoint' has no equivalent",
        }
    ]
    assert body["data"]["importXlsForm"]["formVersion"] is None
    assert versions["data"]["formVersions"] == []


def test_imported_defaults_fill_new_cases_and_read_only_questions_refuse_clients(
    token: str,
) -> None:
    workbook = child_intake_with(read_only={5: "yes"}, default={5: "no", 15: "today()"})
    imported = gql(IMPORT_XLSFORM, {"recordType": "case", "content": b64(workbook)}, token)
    assert payload_codes(imported, "importXlsForm") == [], imported
    assert payload_codes(gql(PUBLISH, {"key": "child_intake"}, token), "publishFormVersion") == []
    create = """mutation($input: CaseInput!) { createCase(input: $input) {
      case { inSchool interviewDate } errors { path code } } }"""

    created = gql(create, {"input": {"childName": "Amal", "childAge": 9}}, token)
    forced = gql(create, {"input": {"childName": "Sami", "childAge": 9, "inSchool": "yes"}}, token)

    assert created["data"]["createCase"]["errors"] == []
    assert created["data"]["createCase"]["case"]["inSchool"] == "no"
    assert (
        created["data"]["createCase"]["case"]["interviewDate"]
        == dt.datetime.now(dt.UTC).date().isoformat()
    )
    assert payload_codes(forced, "createCase") == ["FORBIDDEN_FIELD"]


def test_content_that_is_not_base64_is_bad_input(token: str) -> None:
    body = gql(IMPORT_XLSFORM, {"recordType": "case", "content": "@@@"}, token)

    assert body["data"]["importXlsForm"]["errors"][0]["path"] == ["content"]
    assert payload_codes(body, "importXlsForm") == ["BAD_USER_INPUT"]


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_translations_round_trip_through_csv(token: str) -> None:
    _import_and_publish(token)
    lookup = [{"id": "female", "label": {"en": "Female"}}, {"id": "male", "label": {"en": "Male"}}]
    assert payload_codes(gql(SAVE_LOOKUP, {"o": lookup}, token), "saveLookup") == []

    exported = gql(EXPORT, {"format": "CSV"}, token)["data"]["exportTranslations"]
    raw = base64.b64decode(exported["content"])
    rows = _csv_rows(exported["text"])
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for spreadsheet tools
    assert rows[0] == ["key", "en", "fr", "ar"]
    by_key = {row[0]: row for row in rows[1:]}
    assert by_key["form.child_intake.field.child_name.label"] == [
        "form.child_intake.field.child_name.label",
        "Child's name",
        "Nom de l'enfant",
        "اسم الطفل",
    ]
    assert "form.child_intake.field.siblings.field.sibling_name.label" in by_key
    assert "form.child_intake.field.in_school.option.yes.label" in by_key
    assert by_key["lookup.sex.option.female.label"][1:] == ["Female", "", ""]

    by_key["form.child_intake.field.child_name.label"][2] = "Prénom de l'enfant"
    by_key["form.child_intake.field.child_name.label"][3] = "الاسم الأول للطفل"
    by_key["form.child_intake.field.in_school.option.no.label"][2] = "Pas scolarisé"
    by_key["lookup.sex.option.female.label"][2:] = ["Féminin", "أنثى"]
    out = io.StringIO()
    csv.writer(out).writerows([rows[0], *by_key.values()])

    imported = gql(
        IMPORT_TRANSLATIONS,
        {"format": "CSV", "content": b64(out.getvalue().encode("utf-8-sig"))},
        token,
    )["data"]["importTranslations"]

    assert imported == {
        "publishedForms": ["child_intake"],
        "updatedLookups": ["sex"],
        "errors": [],
    }
    french = gql(FORMS, {"locale": "fr"}, token)["data"]["forms"][0]
    arabic = gql(FORMS, {"locale": "ar"}, token)["data"]["forms"][0]
    assert next(f for f in french["fields"] if f["name"] == "child_name")["label"] == (
        "Prénom de l'enfant"
    )
    assert next(f for f in arabic["fields"] if f["name"] == "child_name")["label"] == (
        "الاسم الأول للطفل"
    )
    school = next(f for f in french["fields"] if f["name"] == "in_school")
    assert school["options"][1] == {"id": "no", "label": "Pas scolarisé"}
    versions = gql('{ formVersions(key: "child_intake") { number status } }', token=token)
    assert versions["data"]["formVersions"] == [
        {"number": 1, "status": "retired"},
        {"number": 2, "status": "published"},
    ]
    again = gql(EXPORT, {"format": "CSV"}, token)["data"]["exportTranslations"]
    assert {r[0]: r for r in _csv_rows(again["text"])}["lookup.sex.option.female.label"][2:] == [
        "Féminin",
        "أنثى",
    ]


def test_translations_round_trip_through_xlsx_with_arabic(token: str) -> None:
    _import_and_publish(token)
    exported = gql(EXPORT, {"format": "XLSX"}, token)["data"]["exportTranslations"]
    book = load_workbook(io.BytesIO(base64.b64decode(exported["content"])))
    sheet = book.active
    assert exported["text"] is None
    assert exported["filename"].endswith(".xlsx")
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "form.child_intake.label":
            row[3].value = "استمارة الطفل"
    out = io.BytesIO()
    book.save(out)

    imported = gql(IMPORT_TRANSLATIONS, {"format": "XLSX", "content": b64(out.getvalue())}, token)[
        "data"
    ]["importTranslations"]

    assert imported["errors"] == []
    arabic = gql(FORMS, {"locale": "ar"}, token)["data"]["forms"][0]
    assert arabic["label"] == "استمارة الطفل"


def test_unknown_keys_and_locales_refuse_the_whole_sheet(token: str) -> None:
    _import_and_publish(token)
    sheet = (
        "key,en,fr,de\r\n"
        "form.child_intake.field.child_name.label,Name,Nom,Name\r\n"
        "form.child_intake.field.nobody.label,Nobody,,\r\n"
    )

    body = gql(IMPORT_TRANSLATIONS, {"format": "CSV", "content": b64(sheet.encode("utf-8"))}, token)
    english = gql(FORMS, {"locale": "en"}, token)["data"]["forms"][0]

    messages = [e["message"] for e in body["data"]["importTranslations"]["errors"]]
    assert messages == [
        "row 1: locale 'de' is not one of this tenant's: ar, en, fr",
        "row 3: unknown key 'form.child_intake.field.nobody.label'",
    ]
    assert payload_codes(body, "importTranslations") == ["INVALID_TRANSLATIONS"] * 2
    assert next(f for f in english["fields"] if f["name"] == "child_name")["label"] == (
        "Child's name"
    )


def test_the_commands_export_and_import_translations(scratch: ScratchTenant, token, tmp_path):
    _import_and_publish(token)
    path = tmp_path / "t.csv"

    call_command("export_translations", "--tenant", scratch.slug, "--output", str(path))
    rows = _csv_rows(path.read_text(encoding="utf-8-sig"))
    for row in rows:
        if row[0] == "form.child_intake.field.child_age.label":
            row[2] = "Âge (ans)"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    call_command("import_translations", str(path), "--tenant", scratch.slug)

    french = gql(FORMS, {"locale": "fr"}, token)["data"]["forms"][0]
    assert next(f for f in french["fields"] if f["name"] == "child_age")["label"] == "Âge (ans)"
