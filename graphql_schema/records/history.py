"""`recordHistory(id)`: every write to a record, oldest first."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from backend.records import reading
from graphql_schema.context import RequestContext
from graphql_schema.enums import ChangeSource
from graphql_schema.records.types import UserRef
from graphql_schema.scalars import JSON, DateTime


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
    source: ChangeSource
    action: str
    changes: list[FieldChange]


@strawberry.type
class RecordHistoryQuery:
    @strawberry.field(description="The changes made to a record, oldest first.")
    def record_history(
        self, info: Info[RequestContext, None], id: strawberry.ID
    ) -> list[RecordChange] | None:
        entries = reading.read_history(info.context.user, id)
        return [
            RecordChange(
                revision=view.entry.revision,
                at=view.entry.at,
                actor=UserRef.of(view.entry.actor) if view.entry.actor else None,
                source=ChangeSource(view.entry.source),
                action=view.entry.action,
                changes=[
                    FieldChange(field=name, old=old, new=new)
                    for name, (old, new) in view.changes.items()
                ],
            )
            for view in entries
        ]
