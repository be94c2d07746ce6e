"""`startExport`, `exportJobs`, `exportJob`, `cancelExport`: exports of the records a user
may see, run by a worker; the file through a signed link for that user only."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Annotated, Any

import strawberry
from django.urls import reverse
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.attachments.links import MAX_SECONDS, link_seconds, sign_download
from backend.error_codes import ErrorCode
from backend.errors import BadUserInput
from backend.exports import services
from backend.exports.models import ExportJob as StoredExportJob
from backend.records.access import record_schema
from backend.records.filtering.catalogue import OPERATORS, SYSTEM_FIELDS
from formengine import FieldDefinition
from formengine.model import graphql_name
from graphql_schema.context import RequestContext
from graphql_schema.payloads import (
    GraphQLErrorCode,
    MutationPayload,
    _GraphQLErrorCode,
    mutation_payload,
)
from graphql_schema.scalars import DateTime

LOGICAL = ("and", "or", "not", "any")
MAX_FIELDS = 1000


@strawberry.enum(description="The file an export writes.")
class ExportFormat(enum.Enum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"
    PDF = "pdf"


@strawberry.enum(description="Where an export stands.")
class ExportStatus(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


@strawberry.type(description="An export's file, while it has not expired.")
class ExportFile:
    _job: strawberry.Private[StoredExportJob]
    size: float = strawberry.field(description="Bytes.")
    sha256: str
    file_name: str

    @strawberry.field(
        description="A signed download link, for you only: checked again when used. Valid "
        f"60 s unless asked (at most {MAX_SECONDS})."
    )
    def url(
        self,
        info: Info[RequestContext, None],
        expires_in_seconds: Annotated[
            int | None, strawberry.argument(description="Seconds the link stays valid.")
        ] = None,
    ) -> str:
        user = info.context.user
        token = sign_download(
            self._job.pk, user.pk, user.tenant_id, "export", link_seconds(expires_in_seconds)
        )
        return info.context.request.build_absolute_uri(reverse("export-download", args=[token]))


@strawberry.type(description="An export of records, run in the background.")
class ExportJob:
    id: strawberry.ID
    record_type: str
    format: ExportFormat
    status: ExportStatus
    progress: float = strawberry.field(description="0 to 1, updated after each batch.")
    row_count: int = strawberry.field(description="Records written so far.")
    error: str | None = strawberry.field(description="Why it FAILED, for the user.")
    error_code: GraphQLErrorCode | None = strawberry.field(  # type: ignore[valid-type]
        description="Why it FAILED: EXPORT_TOO_LARGE (narrow the filter or the fields), "
        "EXPORT_INTERRUPTED (its worker stopped: start it again), INTERNAL_SERVER_ERROR."
    )
    protected: bool = strawberry.field(description="The file is a zip with a password.")
    created_at: DateTime
    finished_at: DateTime | None
    expires_at: DateTime = strawberry.field(description="The file is deleted then.")
    file: ExportFile | None = strawberry.field(description="Set once COMPLETED, until expiry.")

    @classmethod
    def of(cls, job: StoredExportJob) -> ExportJob:
        ready = job.status == StoredExportJob.Status.COMPLETED and bool(job.storage_name)
        return cls(
            id=strawberry.ID(str(job.pk)),
            record_type=job.record_type,
            format=ExportFormat(job.format),
            status=ExportStatus(job.status),
            progress=job.progress,
            row_count=job.row_count,
            error=job.error or None,
            error_code=_error_code(job.error_code),
            protected=job.protected,
            created_at=job.created_at,
            finished_at=job.finished_at,
            expires_at=job.expires_at,
            file=(
                ExportFile(
                    _job=job, size=float(job.size or 0), sha256=job.sha256, file_name=job.file_name
                )
                if ready
                else None
            ),
        )


def _error_code(code: str) -> Any:
    if not code:
        return None
    known = code if code in ErrorCode._value2member_map_ else ErrorCode.INTERNAL_SERVER_ERROR
    return _GraphQLErrorCode(str(known))


def _names(fields: Any) -> dict[str, str]:
    """GraphQL name -> stored name of every field at any depth."""
    names: dict[str, str] = {}
    for definition in fields:
        assert isinstance(definition, FieldDefinition)
        names[graphql_name(definition.name)] = definition.name
        names.update(_names(definition.fields))
    return names


def plain_filter(user: Any, record_type: str, given: Any) -> dict[str, Any] | None:
    """A filter written as the record type's `<Type>Filter` input (GraphQL names, values as
    stored) as the backend's plain filter (stored names); the compiler judges the rest."""
    if given is None:
        return None
    if not isinstance(given, Mapping):
        raise BadUserInput("filter: an object, like the record list's filter.", field="filter")
    _, schema = record_schema(user, record_type)
    words = {graphql_name(w): w for w in (*SYSTEM_FIELDS, *LOGICAL)}
    for operators in OPERATORS.values():
        words.update({graphql_name(op): op for op in operators})
    names = _names(schema.fields.values()) | words

    def convert(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {names.get(str(k), str(k)): convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        return value

    converted: dict[str, Any] = convert(given)
    return converted


@strawberry.type
class ExportPayload(MutationPayload):
    export: ExportJob | None = None


@strawberry.type
class ExportsQuery:
    @strawberry.field(description="Your exports, newest first (at most 100).")
    def export_jobs(self, info: Info[RequestContext, None], first: int = 20) -> list[ExportJob]:
        return [ExportJob.of(job) for job in services.export_jobs(info.context.user, first)]

    @strawberry.field(description="One of your exports; NOT_FOUND for anyone else's.")
    def export_job(self, info: Info[RequestContext, None], id: strawberry.ID) -> ExportJob:
        return ExportJob.of(services.export_job(info.context.user, id))


@strawberry.type
class ExportsMutation:
    @strawberry.mutation(
        description="Export the records of a type you may see: only the fields you may read, "
        "labelled in `locale`. `filter` takes the shape of the record list's filter (e.g. "
        "`CaseFilter`) as JSON, `search` its search; `fields` narrows the columns (GraphQL "
        "names). With `password` the file is an AES-encrypted zip. The export runs in the "
        "background: poll `exportJob(id)` until COMPLETED, then fetch `file.url`."
    )
    @mutation_payload
    def start_export(
        self,
        info: Info[RequestContext, None],
        record_type: str,
        format: ExportFormat,
        filter: JSON | None = None,
        search: str | None = None,
        fields: list[str] | None = None,
        locale: str | None = None,
        password: str | None = None,
        client_mutation_id: str | None = None,
    ) -> ExportPayload:
        user = info.context.user
        if fields is not None and len(fields) > MAX_FIELDS:
            raise BadUserInput(f"fields: at most {MAX_FIELDS}.", field="fields")
        asked = services.ExportRequest(
            record_type=record_type,
            format=format.value,
            filter=plain_filter(user, record_type, filter),
            search=search,
            fields=fields or (),
            locale=locale,
            password=password,
        )
        return ExportPayload(export=ExportJob.of(services.start_export(user, asked)))

    @strawberry.mutation(description="Stop one of your exports that has not finished.")
    @mutation_payload
    def cancel_export(
        self,
        info: Info[RequestContext, None],
        id: strawberry.ID,
        client_mutation_id: str | None = None,
    ) -> ExportPayload:
        return ExportPayload(export=ExportJob.of(services.cancel_export(info.context.user, id)))
