"""`syncPush`, `syncConflicts` and `resolveSyncConflict`: a device's offline changes and the
values that met a different one on the server.

Values travel as JSON in the record's input shape (the keys of `CaseInput`), so these are
static fields; every write goes through the record services and every value shown through
the read service.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.sync import conflicts, pushing
from backend.sync.values import entry_client_value
from formengine import graphql_name
from graphql_schema.context import RequestContext
from graphql_schema.payloads import MutationPayload, UserError, client_path, mutation_payload
from graphql_schema.scalars import DateTime

Ctx = Info[RequestContext, None]

SyncChangeStatus = strawberry.enum(
    pushing.ChangeStatus, name="SyncChangeStatus", description="What became of a pushed change."
)
SyncConflictKeep = strawberry.enum(
    conflicts.Keep, name="SyncConflictKeep", description="Which value a resolution keeps."
)


@strawberry.input(description="One change a device made offline.")
class SyncChangeInput:
    client_mutation_id: str = strawberry.field(
        description="Unique per change on this device: a change pushed again with the same id "
        f"is answered DUPLICATE. At most {pushing.CLIENT_MUTATION_ID_LENGTH} characters."
    )
    record_type: str
    id: strawberry.ID = strawberry.field(
        description="The record's id; for a record created offline, the UUID the device gave it "
        "(the record is created with it, once)."
    )
    base_revision: int | None = strawberry.field(
        default=None,
        description="The revision the device held when it made the change (null or 0 for a "
        "record it created).",
    )
    values: JSON = strawberry.field(
        description="The fields changed, as in the record type's input (`CaseInput`): "
        "camelCase names, subform entries with their `uid`."
    )
    module: str | None = strawberry.field(
        default=None, description="For a record created offline: as for `createCase`."
    )


def conflict_path(path: str | list[str]) -> list[str]:
    """A conflict's path in client names (an answer stored before entry paths: a name)."""
    name, entry, child = [*([path] if isinstance(path, str) else path), "", ""][:3]
    return [
        graphql_name(name),
        *([entry] if entry else []),
        *([graphql_name(child)] if child else []),
    ]


@strawberry.type(description="A field the device and the server both changed, differently.")
class SyncFieldConflict:
    path: list[str] = strawberry.field(
        description='The field: ["nameFirst"]; within a subform, the entry by its uid and '
        'its field: ["siblings", "<uid>", "siblingAge"], or ["siblings", "<uid>"] for an '
        "entry edited on one side and deleted on the other (its value null on that side)."
    )
    server_value: JSON | None = strawberry.field(description="The value that stayed.")
    client_value: JSON | None = strawberry.field(
        description="The device's value, kept in a sync conflict until someone decides."
    )


@strawberry.type(description="The answer to one pushed change.")
class SyncChangeResult:
    client_mutation_id: str
    status: SyncChangeStatus  # type: ignore[valid-type]
    original_status: SyncChangeStatus | None = strawberry.field(  # type: ignore[valid-type]
        description="For DUPLICATE: the status of the first answer, repeated here."
    )
    revision: int | None = strawberry.field(
        description="The record's revision after the change (null when REJECTED)."
    )
    conflicts: list[SyncFieldConflict]
    errors: list[UserError] = strawberry.field(
        description='Why a REJECTED change was refused; paths as ["values", "age"].'
    )

    @classmethod
    def of(cls, outcome: pushing.ChangeOutcome) -> SyncChangeResult:
        return cls(
            client_mutation_id=outcome.client_mutation_id,
            status=outcome.status,
            original_status=outcome.original_status,
            revision=outcome.revision,
            conflicts=[
                SyncFieldConflict(
                    path=conflict_path(c["path"]),
                    server_value=c["server_value"],
                    client_value=c["client_value"],
                )
                for c in outcome.conflicts
            ],
            errors=[
                UserError.of(e["code"], e["message"], client_path(e["path"]) if e["path"] else None)
                for e in outcome.errors
            ],
        )


@strawberry.type
class SyncPushPayload(MutationPayload):
    results: list[SyncChangeResult] | None = strawberry.field(
        default=None, description="One per change, in the order pushed."
    )


@strawberry.type(description="A device's value that met a different value on the server.")
class SyncConflict:
    id: strawberry.ID
    record_type: str
    record_id: strawberry.ID
    short_id: str
    path: list[str] = strawberry.field(
        description="The field: [\"nameFirst\"], or a subform entry's field by the entry's "
        'uid: ["siblings", "<uid>", "siblingAge"] (["siblings", "<uid>"]: the whole entry).'
    )
    server_value: JSON | None = strawberry.field(
        description="The record's value now (what SERVER keeps)."
    )
    client_value: JSON | None = strawberry.field(description="The device's value (CLIENT).")
    base_revision: int = strawberry.field(
        description="The revision the device's change was based on."
    )
    server_revision: int = strawberry.field(description="The record's revision when it was pushed.")
    pushed_by: str = strawberry.field(description="The username whose device pushed it.")
    pushed_at: DateTime

    @classmethod
    def of(cls, view: conflicts.ConflictView, definition: Any) -> SyncConflict:
        conflict, record = view.conflict, view.record
        return cls(
            id=strawberry.ID(str(conflict.pk)),
            record_type=record.record_type,
            record_id=strawberry.ID(str(record.pk)),
            short_id=record.short_id,
            path=conflict_path([conflict.field, conflict.entry_uid, conflict.entry_field]),
            server_value=entry_client_value(definition, conflict.entry_field, view.current_value),
            client_value=entry_client_value(definition, conflict.entry_field, view.client_value),
            base_revision=conflict.base_revision,
            server_revision=conflict.server_revision,
            pushed_by=conflict.pushed_by.username,
            pushed_at=conflict.created_at,
        )


@strawberry.type(description="A page of unresolved sync conflicts, oldest first.")
class SyncConflictPage:
    conflicts: list[SyncConflict]
    cursor: str | None = strawberry.field(description="Pass it as `after` for the next page.")
    has_more: bool


@strawberry.type
class SyncConflictPayload(MutationPayload):
    conflict: SyncConflict | None = None
    revision: int | None = strawberry.field(
        default=None, description="The record's revision after the resolution."
    )


def _definitions(info: Ctx, record_type: str) -> dict[str, Any]:
    from backend.records.access import record_schema

    _, schema = record_schema(info.context.user, record_type)
    return dict(schema.fields)


@strawberry.type
class SyncPushQuery:
    @strawberry.field(
        description="Unresolved sync conflicts on records of the type you may write (your "
        "own, your group's as a supervisor), for fields you may write there; oldest first. "
        f"`first` at most {conflicts.MAX_CONFLICT_PAGE}; a page may hold fewer."
    )
    def sync_conflicts(
        self,
        info: Ctx,
        record_type: str,
        first: int | None = None,
        after: str | None = None,
    ) -> SyncConflictPage:
        page = conflicts.sync_conflicts(info.context.user, record_type, first, after)
        definitions = _definitions(info, record_type)
        return SyncConflictPage(
            conflicts=[
                SyncConflict.of(v, definitions.get(v.conflict.field)) for v in page.conflicts
            ],
            cursor=page.cursor,
            has_more=page.has_more,
        )


@strawberry.type
class SyncPushMutation:
    @strawberry.mutation(
        description="Apply a device's offline changes in order, field by field against each "
        "change's baseRevision; one result per change. Changes already pushed answer "
        "DUPLICATE. DEVICE_REVOKED, applying nothing, for a revoked device; at most "
        f"{pushing.MAX_PUSH_CHANGES} changes."
    )
    @mutation_payload
    def sync_push(
        self,
        info: Ctx,
        device_id: strawberry.ID,
        changes: list[SyncChangeInput],
        client_mutation_id: str | None = None,
    ) -> SyncPushPayload:
        outcomes = pushing.push(
            info.context.user,
            device_id,
            [
                pushing.Change(
                    client_mutation_id=c.client_mutation_id,
                    record_type=c.record_type,
                    id=str(c.id),
                    base_revision=c.base_revision,
                    values=c.values,
                    module=c.module,
                )
                for c in changes
            ],
        )
        return SyncPushPayload(results=[SyncChangeResult.of(o) for o in outcomes])

    @strawberry.mutation(
        description="Decide a sync conflict: keep the SERVER value, write the CLIENT value, "
        "or write `value` (VALUE, in the input shape), through the normal write path. "
        "NOT_FOUND for a conflict you may not decide."
    )
    @mutation_payload
    def resolve_sync_conflict(
        self,
        info: Ctx,
        id: strawberry.ID,
        keep: SyncConflictKeep,  # type: ignore[valid-type]
        value: JSON | None = None,
        client_mutation_id: str | None = None,
    ) -> SyncConflictPayload:
        user = info.context.user
        resolution = conflicts.resolve_sync_conflict(user, id, keep, value)
        if resolution.write is not None and resolution.write.errors:
            return SyncConflictPayload(
                errors=[
                    UserError.of(e.code, e.message, client_path(e.path, ["value"]))
                    for e in resolution.write.errors
                ]
            )
        view = resolution.view(user)
        record = view.record if view is not None else resolution.conflict.record
        definitions = _definitions(info, record.record_type)
        shown = (
            SyncConflict.of(view, definitions.get(view.conflict.field))
            if view is not None
            else None
        )
        return SyncConflictPayload(conflict=shown, revision=record.revision)


def _open_conflicts(user: Any, views: Any) -> dict[Any, list[Any]]:
    found = conflicts.open_conflict_records(user, [v.record.pk for v in views])
    return {pk: [True] for pk in found}


def has_sync_conflicts(root: strawberry.Parent[Any], info: Ctx) -> bool:
    return bool(root["_batch"].load("sync_conflicts", _open_conflicts, root["_record"].pk))


def sync_record_fields() -> list[Any]:
    """Fields every compiled record type carries for sync."""
    return [
        strawberry.field(
            has_sync_conflicts,
            name="hasSyncConflicts",
            description="Values synced from a device wait for someone to decide between them "
            "and the record's (see `syncConflicts`).",
        )
    ]
