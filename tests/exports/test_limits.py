"""Exports that must stop: a file over the size cap, a job whose worker died; and a cell a
spreadsheet would read as markup stays text."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from backend.exports import running, services
from backend.exports.models import ExportJob
from tests.exports.test_exports import CANCEL, JOB, _download, _register, _start, _token
from tests.graphql_client import gql, use_tenant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

FAILED_JOB = """
query($id: ID!) { exportJob(id: $id) { status rowCount error errorCode file { size } } }
"""


@pytest.fixture
def work_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the runner writes its partial files."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(work))
    return work


def _tenant_of(job_id: str) -> int:
    use_tenant("demo")
    return ExportJob.objects.get(pk=job_id).tenant_id


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.usefixtures("queued_only")
def test_a_csv_over_the_size_cap_stops_at_that_batch_and_keeps_no_file(
    capture: Callable[..., Any], settings: Any, storage: Path, work_dir: Path
) -> None:
    worker = _token("cp_worker")
    for _ in range(5):
        _register(worker)
    settings.EXPORT_BATCH_SIZE = 2
    settings.EXPORT_MAX_BYTES = 300  # the header and two cases pass it
    job_id, _ = _start(capture, worker, format="CSV", locale="en")
    batches: list[int] = []

    outcome = running.run_export(_tenant_of(job_id), job_id, on_batch=lambda job: batches.append(1))

    assert outcome == "failed"
    seen = gql(FAILED_JOB, {"id": job_id}, worker)["data"]["exportJob"]
    assert (seen["status"], seen["errorCode"], seen["file"]) == ("FAILED", "EXPORT_TOO_LARGE", None)
    assert "narrow the filter" in seen["error"]
    assert (seen["rowCount"], batches) == (2, [])  # stopped at the first batch, not the last
    assert _files(storage) == []
    assert _files(work_dir) == []


@pytest.mark.usefixtures("storage")
def test_an_xlsx_over_the_size_cap_fails_when_compressed(
    capture: Callable[..., Any], settings: Any, work_dir: Path
) -> None:
    worker = _token("cp_worker")
    _register(worker)
    settings.EXPORT_MAX_BYTES = 2000  # a workbook of one case is about 6 kB

    job_id, job = _start(capture, worker, format="XLSX")

    seen = gql(FAILED_JOB, {"id": job_id}, worker)["data"]["exportJob"]
    assert (seen["status"], seen["errorCode"], job["file"]) == ("FAILED", "EXPORT_TOO_LARGE", None)
    assert _files(work_dir) == []


@pytest.mark.usefixtures("storage")
def test_the_cap_defaults_to_50_mb_and_an_export_under_it_completes(
    capture: Callable[..., Any],
) -> None:
    worker = _token("cp_worker")
    _register(worker)

    _, job = _start(capture, worker, format="CSV")

    assert django_settings.EXPORT_MAX_BYTES == 50 * 2**20
    assert job["status"] == "COMPLETED"
    assert job["error"] is None


def _claimed_then_abandoned(capture: Callable[..., Any], worker: str) -> tuple[str, int]:
    """An export a worker claimed and then died running: RUNNING, never finished."""
    _register(worker)
    job_id, _ = _start(capture, worker, format="CSV")
    tenant_id = _tenant_of(job_id)
    assert running._claim(tenant_id, job_id) is not None
    return job_id, tenant_id


@pytest.mark.usefixtures("storage", "queued_only")
def test_an_export_whose_worker_died_is_failed_as_interrupted(
    capture: Callable[..., Any], settings: Any
) -> None:
    worker = _token("cp_worker")
    job_id, tenant_id = _claimed_then_abandoned(capture, worker)
    settings.EXPORT_STALE_MINUTES = 10

    still_fresh = services.fail_interrupted(timezone.now() + timedelta(minutes=9))
    assert still_fresh == 0
    assert gql(JOB, {"id": job_id}, worker)["data"]["exportJob"]["status"] == "RUNNING"

    assert services.fail_interrupted(timezone.now() + timedelta(minutes=11)) == 1

    seen = gql(FAILED_JOB, {"id": job_id}, worker)["data"]["exportJob"]
    assert (seen["status"], seen["errorCode"]) == ("FAILED", "EXPORT_INTERRUPTED")
    assert "start it again" in seen["error"]
    # the task delivered again (acks_late) does not run it a second time
    assert running.run_export(tenant_id, job_id) == "skipped"


@pytest.mark.usefixtures("queued_only")
def test_a_worker_given_up_as_interrupted_stops_and_keeps_no_file(
    capture: Callable[..., Any], settings: Any, storage: Path
) -> None:
    worker = _token("cp_worker")
    for _ in range(3):
        _register(worker)
    settings.EXPORT_BATCH_SIZE = 1
    job_id, _ = _start(capture, worker, format="CSV")

    def too_slow(job: ExportJob) -> None:  # the sweep runs while the worker is stalled
        services.fail_interrupted(timezone.now() + timedelta(hours=1))

    running.run_export(_tenant_of(job_id), job_id, on_batch=too_slow)

    seen = gql(FAILED_JOB, {"id": job_id}, worker)["data"]["exportJob"]
    assert (seen["status"], seen["errorCode"], seen["rowCount"]) == (
        "FAILED",
        "EXPORT_INTERRUPTED",
        1,
    )
    assert _files(storage) == []


@pytest.mark.usefixtures("storage", "queued_only")
def test_a_stuck_export_can_be_cancelled_and_stays_cancelled(
    capture: Callable[..., Any],
) -> None:
    worker = _token("cp_worker")
    job_id, _ = _claimed_then_abandoned(capture, worker)

    cancelled = gql(CANCEL, {"id": job_id}, worker)["data"]["cancelExport"]
    services.fail_interrupted(timezone.now() + timedelta(hours=1))

    assert cancelled == {"export": {"status": "CANCELLED"}, "errors": []}
    seen = gql(FAILED_JOB, {"id": job_id}, worker)["data"]["exportJob"]
    assert (seen["status"], seen["errorCode"]) == ("CANCELLED", None)


def test_beat_fails_interrupted_exports_every_minute() -> None:
    schedule = {e["task"]: e["schedule"] for e in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["exports.fail_interrupted"] == 60.0


@pytest.mark.usefixtures("storage")
def test_text_that_looks_like_spreadsheet_markup_stays_text_in_xlsx(
    capture: Callable[..., Any],
) -> None:
    worker = _token("cp_worker")
    markup = "<r></is></c><c><v>1</v></c><c><is>injected</r>"
    _register(worker, registrationNotes=markup)

    _, job = _start(capture, worker, format="XLSX", locale="en", fields=["registrationNotes"])

    book = openpyxl.load_workbook(io.BytesIO(_download(job["file"]["url"])))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[1][-1] == markup
    assert all(len(row) == len(rows[0]) for row in rows)
