"""`accessLog(recordId)`: who read a record and when, for roles allowed to audit."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from backend.audit import services
from graphql_schema.context import RequestContext
from graphql_schema.enums import AccessAction
from graphql_schema.records.types import UserRef
from graphql_schema.scalars import DateTime


@strawberry.type
class AccessLogEntry:
    user: UserRef
    action: AccessAction
    at: DateTime


@strawberry.type
class AuditQuery:
    @strawberry.field(description="Who accessed a record, newest first (role action read_audit).")
    def access_log(
        self, info: Info[RequestContext, None], record_id: strawberry.ID
    ) -> list[AccessLogEntry] | None:
        return [
            AccessLogEntry(
                user=UserRef.of(entry.user),
                action=AccessAction(entry.action),
                at=entry.at,
            )
            for entry in services.access_log(info.context.user, record_id)
        ]
