"""`accessLog(recordId)`: who read a record and when, for roles allowed to audit; an entry
of an export names the export, its filter and its field list."""

from __future__ import annotations

import uuid

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.audit import services
from backend.exports.models import ExportJob
from graphql_schema.context import RequestContext
from graphql_schema.enums import AccessAction
from graphql_schema.records.types import UserRef
from graphql_schema.scalars import DateTime


@strawberry.type(description="The export a record was in: what was asked for.")
class AccessLogExport:
    id: strawberry.ID
    format: str
    filter: JSON = strawberry.field(description="The filter, with stored field names.")
    search: str
    fields: list[str] = strawberry.field(description="Stored names; empty: every readable.")
    locale: str


@strawberry.type
class AccessLogEntry:
    user: UserRef
    action: AccessAction
    at: DateTime
    export: AccessLogExport | None = strawberry.field(
        default=None, description="Set when the action is EXPORT."
    )


def _exports(ids: set[str]) -> dict[str, AccessLogExport]:
    wanted = [uuid.UUID(i) for i in ids]
    return {
        str(job.pk): AccessLogExport(
            id=strawberry.ID(str(job.pk)),
            format=job.format,
            filter=job.filter,
            search=job.search,
            fields=list(job.fields),
            locale=job.locale,
        )
        for job in ExportJob.objects.filter(pk__in=wanted)
    }


@strawberry.type
class AuditQuery:
    @strawberry.field(description="Who accessed a record, newest first (role action read_audit).")
    def access_log(
        self, info: Info[RequestContext, None], record_id: strawberry.ID
    ) -> list[AccessLogEntry] | None:
        entries = services.access_log(info.context.user, record_id)
        exports = _exports({str(e.detail["export"]) for e in entries if e.detail.get("export")})
        return [
            AccessLogEntry(
                user=UserRef.of(entry.user),
                action=AccessAction(entry.action),
                at=entry.at,
                export=exports.get(str(entry.detail.get("export"))),
            )
            for entry in entries
        ]
