"""Running one export: keyset pages of the records found, through the read service, written
to a local file batch by batch, then stored (zipped with AES when a password was given).

Memory stays flat in the number of records: one batch at a time, each in its own short
transaction that also records the progress and a heartbeat, so a cancel is seen before the
next batch and a job whose worker died can be told from one still running (services.py).
A file past EXPORT_MAX_BYTES stops the export (EXPORT_TOO_LARGE) and nothing is kept.
The AccessPlan is built once, at the start, and kept for the whole run (one request
scope): the export holds what the user could read when it started, and no record created
after that.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyzipper
from django.conf import settings
from django.core.files import File
from django.db.models import CharField, IntegerField, Max, Value
from django.db.models import Func as SqlFunction
from django.db.models.expressions import Case, When
from django.db.models.fields.json import KeyTransform
from django.db.models.lookups import Exact
from django.utils import timezone

from backend.accounts.models import User
from backend.attachments.storage import attachment_storage
from backend.audit.models import AccessLog
from backend.error_codes import ErrorCode
from backend.errors import DomainError
from backend.exports import columns
from backend.exports.models import ExportJob
from backend.exports.passwords import unseal
from backend.exports.pdf import PdfWriter
from backend.exports.writers import CsvWriter, ExportWriter, JsonWriter, XlsxWriter
from backend.records.access import access_plan, record_schema
from backend.records.filtering.readable import where_readable
from backend.records.reading import read_records
from backend.request_state import request_scope
from backend.search import finding
from backend.tenancy.context import tenant_transaction
from permissions.plan import AccessPlan

logger = logging.getLogger(__name__)

# A CSV repeats a subform's columns once per entry, up to this many entries.
MAX_ENTRY_GROUPS = 100
READ_CHUNK = 1024 * 1024


class Stopped(Exception):
    """The export was cancelled (or purged, or given up as interrupted) while it ran."""


class FileTooLarge(DomainError):
    code = ErrorCode.EXPORT_TOO_LARGE


def _check_size(size: int) -> None:
    limit = int(settings.EXPORT_MAX_BYTES)
    if size > limit:
        raise FileTooLarge(
            f"The export's file would be larger than {limit / 2**20:g} MB: narrow the filter "
            "or choose fewer fields, and export again.",
            limit=limit,
        )


def _claim(tenant_id: int, job_id: str) -> ExportJob | None:
    with tenant_transaction(tenant_id):
        job = (
            ExportJob.objects.select_for_update()
            .select_related("user")
            .filter(pk=job_id, tenant_id=tenant_id)
            .first()
        )
        if job is None or job.status != ExportJob.Status.QUEUED:
            return None
        job.status = ExportJob.Status.RUNNING
        job.started_at = job.heartbeat_at = timezone.now()
        job.save(update_fields=["status", "started_at", "heartbeat_at"])
        return job


def _entry_counts(queryset: Any, subforms: list[str], plan: AccessPlan) -> dict[str, int]:
    """The most entries any found record has, per subform, counting only records on which
    the caller may read the subform (one query): the number of column groups must not tell
    how many entries a record holds where they are hidden (a referral without their form)."""
    if not subforms:
        return {}
    lengths = {}
    for index, name in enumerate(subforms):
        value = KeyTransform(name, "data")
        kind = SqlFunction(value, function="jsonb_typeof", output_field=CharField())
        length = SqlFunction(value, function="jsonb_array_length", output_field=IntegerField())
        counted = Case(When(Exact(kind, "array"), then=length), default=Value(0))
        lengths[f"entries_{index}"] = Max(where_readable(counted, [(name,)], plan, IntegerField()))
    found = queryset.order_by().aggregate(**lengths)
    return {
        name: min(int(found[f"entries_{i}"] or 0), MAX_ENTRY_GROUPS)
        for i, name in enumerate(subforms)
    }


def _writer(job: ExportJob, path: Path, user: User, queryset: Any) -> ExportWriter:
    _, schema = record_schema(user, job.record_type)
    plan = access_plan(user, job.record_type)
    layout = columns.layout(schema, plan.paths.readable, job.fields, job.locale)
    if job.format == ExportJob.Format.CSV:
        counts = _entry_counts(queryset, [s.column.name for s in layout.subforms], plan)
        return CsvWriter(path, layout, counts)
    if job.format == ExportJob.Format.XLSX:
        return XlsxWriter(path, layout, job.record_type)
    if job.format == ExportJob.Format.PDF:
        return PdfWriter(path, layout, schema)
    return JsonWriter(path, layout, job.record_type)


def _file_name(job: ExportJob) -> str:
    stamp = (job.started_at or timezone.now()).strftime("%Y%m%d-%H%M")
    return f"{job.record_type}-export-{stamp}.{job.format}"


def _write_batches(
    job: ExportJob,
    path: Path,
    on_batch: Callable[[ExportJob], None] | None,
) -> int:
    user = job.user
    started = job.started_at or timezone.now()
    detail = {"export": str(job.pk)}
    size = int(settings.EXPORT_BATCH_SIZE)
    search, filter = job.search or None, job.filter or None
    with tenant_transaction(job.tenant_id):
        found = finding.find(user, job.record_type, search=search, filter=filter, first=1)
        total = found.queryset.filter(created_at__lte=started).count()
        writer = _writer(job, path, user, found.queryset)
    written, after = 0, None
    try:
        while True:
            with tenant_transaction(job.tenant_id):
                status = ExportJob.objects.filter(pk=job.pk).values_list("status", flat=True)
                if status.first() != ExportJob.Status.RUNNING:
                    raise Stopped
                page = finding.find(
                    user, job.record_type, search=search, filter=filter, first=size, after=after
                ).page
                batch = [r for r in page.records if r.created_at <= started]
                views = read_records(
                    user, job.record_type, batch, action=AccessLog.Action.EXPORT, detail=detail
                )
                writer.write(views)
                written += len(views)
                ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
                    row_count=written,
                    progress=min(written / total, 0.99) if total else 0.99,
                    heartbeat_at=timezone.now(),
                )
            written_bytes = writer.size()
            if written_bytes is not None:
                _check_size(written_bytes)
            if on_batch is not None:
                on_batch(job)
            if not page.has_next_page or not page.cursors:
                break
            after = page.cursors[-1]
    finally:
        writer.close()
    return written


def _beat(job: ExportJob) -> None:
    """Still alive, between the long steps after the last batch (save, zip, store)."""
    with tenant_transaction(job.tenant_id):
        alive = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
            heartbeat_at=timezone.now()
        )
    if not alive:
        raise Stopped


def _package(job: ExportJob, path: Path, file_name: str) -> tuple[Path, str]:
    password = unseal(job.sealed_password)
    if password is None:
        return path, file_name
    zipped = path.with_suffix(".zip")
    with pyzipper.AESZipFile(
        zipped, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(password.encode())
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        archive.write(path, arcname=file_name)
    return zipped, f"{file_name}.zip"


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _store(tenant_id: int, path: Path) -> str:
    with path.open("rb") as file:
        return attachment_storage().save(f"exports/{int(tenant_id)}/{uuid.uuid4().hex}", File(file))


def _finish(job: ExportJob, **changes: Any) -> bool:
    """Record the outcome unless the export was cancelled meanwhile; True when recorded."""
    with tenant_transaction(job.tenant_id):
        return bool(
            ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
                finished_at=timezone.now(), sealed_password="", **changes
            )
        )


def run_export(
    tenant_id: int, job_id: str, *, on_batch: Callable[[ExportJob], None] | None = None
) -> str:
    """Run a queued export to its end; its final status. `on_batch` is called after each
    batch is committed (tests cancel there)."""
    with request_scope():
        job = _claim(tenant_id, job_id)
        if job is None:
            return "skipped"
        try:
            with tempfile.TemporaryDirectory(prefix="export-") as work:
                file_name = _file_name(job)
                path = Path(work) / f"records.{job.format}"
                rows = _write_batches(job, path, on_batch)
                _check_size(path.stat().st_size)
                _beat(job)
                packed, shown_name = _package(job, path, file_name)
                size = packed.stat().st_size
                _check_size(size)
                sha256 = _digest(packed)
                _beat(job)
                stored = _store(tenant_id, packed)
        except Stopped:
            return ExportJob.Status.CANCELLED
        except DomainError as exc:
            logger.info("export %s stopped: %s", job_id, exc.code)
            _finish(job, status=ExportJob.Status.FAILED, error=exc.message, error_code=exc.code)
            return ExportJob.Status.FAILED
        except Exception:
            logger.exception("export %s failed", job_id)
            message, code = "The export failed.", ErrorCode.INTERNAL_SERVER_ERROR.value
            _finish(job, status=ExportJob.Status.FAILED, error=message, error_code=code)
            return ExportJob.Status.FAILED
        recorded = _finish(
            job,
            status=ExportJob.Status.COMPLETED,
            progress=1.0,
            row_count=rows,
            storage_name=stored,
            file_name=shown_name,
            size=size,
            sha256=sha256,
        )
        if not recorded:  # cancelled after the last batch: keep no file
            attachment_storage().delete(stored)
            return ExportJob.Status.CANCELLED
        return ExportJob.Status.COMPLETED
