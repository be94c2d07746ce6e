"""`recordHistory(id)`: every write to a record, oldest first."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.records import services
from graphql_schema.context import RequestContext
from graphql_schema.records.types import UserRef
from graphql_schema.scalars import DateTime


@strawberry.type
class FieldChange:
    field: str
    old: JSON | None
    new: JSON | None


@strawberry.type
class RecordChange:
    revision: int
    at: DateTime
    actor: UserRef | None
    source: str
    action: str
    changes: list[FieldChange]


@strawberry.type
class RecordHistoryQuery:
    @strawberry.field(description="The changes made to a record, oldest first.")
    def record_history(
        self, info: Info[RequestContext, None], id: strawberry.ID
    ) -> list[RecordChange]:
        entries = services.record_history(info.context.user, id)
        return [
            RecordChange(
                revision=entry.revision,
                at=entry.at,
                actor=UserRef.of(entry.actor) if entry.actor else None,
                source=entry.source,
                action=entry.action,
                changes=[
                    FieldChange(field=name, old=pair[0], new=pair[1]) for name, pair in diff.items()
                ],
            )
            for entry, diff in entries
        ]
