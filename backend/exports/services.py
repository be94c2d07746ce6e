"""Starting, listing, cancelling and purging exports, and what a download link may fetch.

An export is checked whole when it is asked for (record type, fields, filter, search,
locale, password), then written to the outbox in the same transaction; the worker runs it
(running.py). A user sees and cancels only their own exports.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backend.accounts.models import User
from backend.attachments.links import DownloadGrant
from backend.attachments.storage import attachment_storage
from backend.error_codes import ErrorCode
from backend.errors import BadUserInput, DomainError, Forbidden, NotFound
from backend.exports.models import ExportJob
from backend.exports.passwords import seal
from backend.ids import parse_id
from backend.notifications.models import OutboxEvent
from backend.notifications.outbox import relay_on_commit
from backend.records.access import access_plan, record_schema
from backend.search import finding
from backend.tenancy.context import activate_tenant, tenant_transaction
from backend.tenancy.models import Tenant
from formengine.model import graphql_name
from permissions.actions import require_action

logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
MAX_JOBS_LISTED = 100


class ExportTooLarge(DomainError):
    code = ErrorCode.EXPORT_TOO_LARGE


class ForbiddenExportField(DomainError):
    code = ErrorCode.FORBIDDEN_FIELD


class DownloadRefused(Exception):
    pass


@dataclass(frozen=True)
class ExportRequest:
    record_type: str
    format: str
    filter: Mapping[str, Any] | None = None  # the backend's plain filter (stored names)
    search: str | None = None
    fields: Sequence[str] = ()  # stored names; empty: every field the user may read
    locale: str | None = None
    password: str | None = None


def _locale(tenant: Tenant, asked: str | None) -> str:
    offered = [str(code) for code in tenant.locales or []] or [tenant.default_locale]
    if asked is None:
        return tenant.default_locale
    if asked not in offered:
        raise BadUserInput(f"locale: one of {', '.join(offered)}.", field="locale", locales=offered)
    return asked


def _fields(user: User, record_type: str, asked: Sequence[str]) -> list[str]:
    """Stored names of the fields asked for (by their GraphQL or stored names), each one the
    user may read; in the order asked, once each."""
    _, schema = record_schema(user, record_type)
    readable = access_plan(user, record_type).readable
    by_name = {graphql_name(n): n for n in schema.fields} | {n: n for n in schema.fields}
    chosen: list[str] = []
    for index, name in enumerate(asked):
        stored = by_name.get(name)
        if stored is None:
            raise BadUserInput(f"fields: no field {name!r}.", field=f"fields.{index}")
        if stored not in readable:
            raise ForbiddenExportField(
                f"fields: you may not read {name!r}.", field=f"fields.{index}"
            )
        if stored not in chosen:
            chosen.append(stored)
    return chosen


def _password(password: str | None) -> str:
    if password is None:
        return ""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise BadUserInput(
            f"password: {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters.",
            field="password",
        )
    return seal(password)


def start_export(user: User, asked: ExportRequest) -> ExportJob:
    """Check the export, record it and hand it to the worker through the outbox."""
    if asked.format not in ExportJob.Format.values:
        raise BadUserInput("format: CSV, XLSX, JSON or PDF.", field="format")
    plan = access_plan(user, asked.record_type)  # NOT_FOUND for an unknown type
    if not plan.can_read:
        raise Forbidden(f"Your role may not read {asked.record_type} records.", action="read")
    require_action(user, "export", asked.record_type)
    tenant = Tenant.objects.get(pk=user.tenant_id)
    locale = _locale(tenant, asked.locale)
    fields = _fields(user, asked.record_type, asked.fields)
    # Compiling the filter and search now answers their errors to the caller, not the log.
    found = finding.find(user, asked.record_type, search=asked.search, filter=asked.filter, first=1)
    if asked.format == ExportJob.Format.PDF:
        limit = int(settings.EXPORT_PDF_MAX_RECORDS)
        if found.queryset[: limit + 1].count() > limit:
            raise ExportTooLarge(f"A PDF export takes at most {limit} records.", limit=limit)
    job = ExportJob.objects.create(
        tenant_id=user.tenant_id,
        user=user,
        record_type=asked.record_type,
        format=asked.format,
        filter=dict(asked.filter or {}),
        search=(asked.search or "").strip(),
        fields=fields,
        locale=locale,
        sealed_password=_password(asked.password),
        protected=asked.password is not None,
        expires_at=timezone.now() + timedelta(days=int(settings.EXPORT_EXPIRY_DAYS)),
    )
    event = OutboxEvent.objects.create(
        tenant_id=user.tenant_id, kind=OutboxEvent.Kind.EXPORT, payload={"export_id": str(job.pk)}
    )
    relay_on_commit(user.tenant_id, [event.pk])
    return job


def export_jobs(user: User, limit: int = MAX_JOBS_LISTED) -> list[ExportJob]:
    """The user's own exports, newest first."""
    limit = max(1, min(limit, MAX_JOBS_LISTED))
    return list(ExportJob.objects.filter(tenant_id=user.tenant_id, user=user)[:limit])


def export_job(user: User, job_id: str | uuid.UUID) -> ExportJob:
    job = ExportJob.objects.filter(
        pk=parse_id(str(job_id)), tenant_id=user.tenant_id, user=user
    ).first()
    if job is None:
        raise NotFound(f"No export with id {job_id}.")
    return job


def cancel_export(user: User, job_id: str | uuid.UUID) -> ExportJob:
    """Stop an export that has not finished: the worker stops before its next batch and
    keeps no file."""
    job = export_job(user, job_id)
    changed = ExportJob.objects.filter(
        pk=job.pk, status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]
    ).update(status=ExportJob.Status.CANCELLED, finished_at=timezone.now(), sealed_password="")
    if not changed:
        raise BadUserInput(f"The export has already finished ({job.status}).", field="id")
    job.refresh_from_db()
    return job


INTERRUPTED_MESSAGE = (
    "The export stopped before it finished (its worker was interrupted): start it again."
)


def fail_interrupted(now: datetime | None = None) -> int:
    """Mark FAILED (EXPORT_INTERRUPTED) the running exports of every tenant whose worker has
    not reported for EXPORT_STALE_MINUTES: a worker that died never finishes them, and the
    redelivered task skips a job already claimed. How many."""
    moment = now or timezone.now()
    stale = moment - timedelta(minutes=int(settings.EXPORT_STALE_MINUTES))
    failed = 0
    for tenant_id in Tenant.objects.order_by("pk").values_list("pk", flat=True):
        with tenant_transaction(tenant_id):
            silent = Q(heartbeat_at__lt=stale) | Q(heartbeat_at=None, started_at__lt=stale)
            failed += ExportJob.objects.filter(
                silent, tenant_id=tenant_id, status=ExportJob.Status.RUNNING
            ).update(
                status=ExportJob.Status.FAILED,
                error=INTERRUPTED_MESSAGE,
                error_code=ErrorCode.EXPORT_INTERRUPTED.value,
                finished_at=moment,
                sealed_password="",
            )
    return failed


def purge_expired(now: datetime | None = None) -> int:
    """Delete the files of exports past their expiry, in every tenant; how many."""
    moment = now or timezone.now()
    purged = 0
    for tenant_id in Tenant.objects.order_by("pk").values_list("pk", flat=True):
        with tenant_transaction(tenant_id):
            expired = list(
                ExportJob.objects.filter(tenant_id=tenant_id, expires_at__lte=moment)
                .exclude(status=ExportJob.Status.EXPIRED)
                .select_for_update(skip_locked=True)
            )
            for job in expired:
                if job.storage_name:
                    attachment_storage().delete(job.storage_name)
                    purged += 1
                job.storage_name = ""
                job.sealed_password = ""
                if job.status == ExportJob.Status.COMPLETED:
                    job.status = ExportJob.Status.EXPIRED
                elif not job.finished:
                    job.status = ExportJob.Status.CANCELLED
                job.save(update_fields=["storage_name", "sealed_password", "status"])
    return purged


@dataclass(frozen=True)
class ExportDownload:
    storage_name: str
    file_name: str
    content_type: str


CONTENT_TYPES = {
    ExportJob.Format.CSV: "text/csv; charset=utf-8",
    ExportJob.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportJob.Format.JSON: "application/json",
    ExportJob.Format.PDF: "application/pdf",
}


def open_export_download(grant: DownloadGrant) -> ExportDownload:
    """What a signed export link may fetch now: the export's own user, still active and
    still allowed to read its record type; the export completed and not expired."""
    refused = DownloadRefused("You may not download this export (any more).")
    with transaction.atomic():
        activate_tenant(grant.tenant_id)
        user = User.objects.filter(
            pk=grant.user_id, tenant_id=grant.tenant_id, is_active=True
        ).first()
        job = ExportJob.objects.filter(
            pk=grant.object_id, tenant_id=grant.tenant_id, user_id=grant.user_id
        ).first()
        if user is None or job is None or job.status != ExportJob.Status.COMPLETED:
            raise refused
        if not job.storage_name or job.expires_at <= timezone.now():
            raise refused
        try:
            if not access_plan(user, job.record_type).can_read:
                raise refused
        except NotFound:
            raise refused from None
    content_type = (
        "application/zip" if job.protected else CONTENT_TYPES[ExportJob.Format(job.format)]
    )
    return ExportDownload(job.storage_name, job.file_name, content_type)
