"""Offline sync for mobile clients: devices, mark for offline, and `syncPull`.

Devices and pins are static; `syncPull` is compiled per tenant, its items carrying each
record as its compiled type (`SyncRecord`). Values come from the read service through the
record types' own resolvers, redactions listed like everywhere else.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.tools import create_type
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from backend.records.access import record_schema
from backend.sync import devices, pins, pulling
from backend.sync.models import Device
from backend.sync.values import ClientShape, client_shape
from graphql_schema.context import RequestContext
from graphql_schema.payloads import MutationPayload, mutation_payload
from graphql_schema.records.batch import PageBatch
from graphql_schema.records.fields import compiled_field, record_union
from graphql_schema.records.operations import Placements, RecordResolvers
from graphql_schema.records.redaction import response_key, selections
from graphql_schema.scalars import DateTime

Ctx = Info[RequestContext, None]


@strawberry.type(name="Device", description="A tablet or phone that syncs records offline.")
class DeviceInfo:
    id: strawberry.ID
    name: str
    platform: str
    registered_at: DateTime
    last_pull_at: DateTime | None
    revoked_at: DateTime | None = strawberry.field(
        description="Set once revoked: the device is told to wipe and may not push."
    )

    @classmethod
    def of(cls, device: Device) -> DeviceInfo:
        return cls(
            id=strawberry.ID(str(device.pk)),
            name=device.name,
            platform=device.platform,
            registered_at=device.registered_at,
            last_pull_at=device.last_pull_at,
            revoked_at=device.revoked_at,
        )


SyncTombstoneReason = strawberry.enum(
    pulling.TombstoneReason,
    name="SyncTombstoneReason",
    description="Why a device should drop a record.",
)


@strawberry.type(description="A record the device should drop, without any of its data.")
class SyncTombstone:
    record_type: str
    id: strawberry.ID
    reason: SyncTombstoneReason  # type: ignore[valid-type]


@strawberry.type
class DevicePayload(MutationPayload):
    device: DeviceInfo | None = None


@strawberry.type
class OfflinePinsPayload(MutationPayload):
    record_type: str | None = None
    ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="The records named, now pinned (or unpinned)."
    )


@strawberry.type
class SyncQuery:
    @strawberry.field(description="Your devices, newest first, revoked ones included.")
    def my_devices(self, info: Ctx) -> list[DeviceInfo]:
        return [DeviceInfo.of(d) for d in devices.user_devices(info.context.user)]

    @strawberry.field(
        description="A user's devices, for administrators (manage_users) revoking a lost "
        "one; NOT_FOUND for anyone else."
    )
    def user_devices(self, info: Ctx, username: str) -> list[DeviceInfo]:
        return [DeviceInfo.of(d) for d in devices.devices_of(info.context.user, username)]


@strawberry.type
class SyncMutation:
    @strawberry.mutation(
        description=f"Register this device for offline sync; its id goes with every pull. "
        f"`name` at most {devices.NAME_LENGTH} characters, `platform` "
        f"{devices.PLATFORM_LENGTH}; at most {devices.MAX_ACTIVE_DEVICES} active devices."
    )
    @mutation_payload
    def register_device(
        self,
        info: Ctx,
        name: str,
        platform: str | None = None,
        client_mutation_id: str | None = None,
    ) -> DevicePayload:
        return DevicePayload(
            device=DeviceInfo.of(devices.register_device(info.context.user, name, platform))
        )

    @strawberry.mutation(
        description="Revoke a device: yours, or any of the tenant's for administrators "
        "(manage_users). Its next pull answers `wipe: true`; UNKNOWN_DEVICE for any other id."
    )
    @mutation_payload
    def revoke_device(
        self, info: Ctx, id: strawberry.ID, client_mutation_id: str | None = None
    ) -> DevicePayload:
        return DevicePayload(device=DeviceInfo.of(devices.revoke_device(info.context.user, id)))

    @strawberry.mutation(
        description=f"Mark records you may see for offline (at most {pins.MAX_PIN_IDS}): "
        "your devices pull them with your own. NOT_FOUND, pinning none, if any is not "
        "visible to you."
    )
    @mutation_payload
    def pin_for_offline(
        self,
        info: Ctx,
        record_type: str,
        ids: list[strawberry.ID],
        client_mutation_id: str | None = None,
    ) -> OfflinePinsPayload:
        pinned = pins.pin_for_offline(info.context.user, record_type, ids)
        return OfflinePinsPayload(
            record_type=record_type, ids=[strawberry.ID(str(pk)) for pk in pinned]
        )

    @strawberry.mutation(
        description="Unmark records for offline; your devices drop those they hold only "
        "because of the pin (a tombstone UNPINNED at their next pull)."
    )
    @mutation_payload
    def unpin_for_offline(
        self,
        info: Ctx,
        record_type: str,
        ids: list[strawberry.ID],
        client_mutation_id: str | None = None,
    ) -> OfflinePinsPayload:
        unpinned = pins.unpin_for_offline(info.context.user, record_type, ids)
        return OfflinePinsPayload(
            record_type=record_type, ids=[strawberry.ID(str(pk)) for pk in unpinned]
        )


def sync_fields(resolvers: dict[str, RecordResolvers]) -> list[StrawberryField]:
    """`syncPull`, for a tenant's record types (none without record types)."""
    if not resolvers:
        return []
    item = create_type(
        "SyncItem",
        [
            compiled_field("record_type", str),
            compiled_field("id", strawberry.ID),
            compiled_field(
                "revision", int, description="Send it back as baseRevision when pushing."
            ),
            compiled_field(
                "field_revisions",
                JSON,
                description="Field name -> the revision that last changed it, for the fields "
                "you may read: the base of a field-by-field merge.",
            ),
            compiled_field(
                "record",
                record_union("SyncRecord", "A record of any type, as you may read it.", resolvers),
                description="The whole record as you may read it: it replaces the copy held.",
            ),
            compiled_field(
                "values",
                JSON,
                description="The same record's form values you may read, as one object in "
                "the input shape syncPush takes (camelCase names, subform entries with their "
                "uid, tallies as [{key, count}]); a field you may not read, or without a "
                "value, is absent. For clients that hold whole records: one value, no "
                "selection of every field.",
            ),
        ],
        description="A record the device should hold, at its current revision.",
    )
    page = create_type(
        "SyncPage",
        [
            compiled_field("items", list[item]),  # type: ignore[valid-type]
            compiled_field("tombstones", list[SyncTombstone]),
            compiled_field(
                "cursor",
                str | None,
                description="Pass it as `since` to the next pull, now or days later; null "
                "only with `wipe`.",
            ),
            compiled_field("has_more", bool, description="Pull again (with `cursor`) at once."),
            compiled_field(
                "forms_digest",
                str | None,
                description="Changes when the forms you may read change: refetch `forms`.",
            ),
            compiled_field(
                "wipe",
                bool,
                description="The device was revoked: delete every record it holds.",
            ),
        ],
        description="One page of a pull: records to hold and records to drop.",
    )

    def sync_pull(
        info: Ctx,
        device_id: strawberry.ID,
        since: str | None = None,
        first: int = pulling.DEFAULT_PULL_SIZE,
        record_types: list[str] | None = None,
    ) -> Any:
        user = info.context.user
        raw = info._raw_info
        whole = any(
            selections([i], raw, "record") for i in selections(raw.field_nodes, raw, "items")
        )
        result = pulling.pull(
            user, device_id, since=since, first=first, record_types=record_types, whole=whole
        )
        return _page(info, resolvers, result)

    sync_pull.__annotations__["return"] = page
    return [
        strawberry.field(
            sync_pull,
            name="syncPull",
            description="The next page of what the device should hold: records in your "
            "scope (yours, assigned or referred to you, and pinned) it does not hold at their "
            "current revision, oldest change first, and tombstones for those it should drop. "
            "`since`: the cursor of the last page received (null: the device holds nothing). "
            f"`first`: at most {pulling.MAX_PULL_SIZE} items (and as many tombstones). "
            "UNKNOWN_DEVICE for a device that is not yours; INVALID_CURSOR for a cursor this "
            "device was not given.",
        )
    ]


def _shapes(info: Ctx, result: pulling.PullPage) -> dict[str, ClientShape]:
    """The input shape of each record type on the page."""
    found: dict[str, ClientShape] = {}
    for item in result.items:
        if item.record_type not in found:
            _, schema = record_schema(info.context.user, item.record_type)
            found[item.record_type] = client_shape(schema.fields)
    return found


def _page(
    info: Ctx, resolvers: dict[str, RecordResolvers], result: pulling.PullPage
) -> dict[str, Any]:
    raw = info._raw_info
    base = info.path.as_list()
    record_sets = [
        (response_key(i), response_key(r), [r])
        for i in selections(raw.field_nodes, raw, "items")
        for r in selections([i], raw, "record")
    ]
    views = [item.view for item in result.items if item.view is not None]
    batch = PageBatch(info.context.user, views)
    wants_values = any(
        selections([i], raw, "values") for i in selections(raw.field_nodes, raw, "items")
    )
    shapes = _shapes(info, result) if wants_values else {}
    items = []
    for index, item in enumerate(result.items):
        record = None
        if record_sets and item.view is not None:
            placements: Placements = [([*base, i, index, r], nodes) for i, r, nodes in record_sets]
            record = resolvers[item.record_type].present(info, item.view, batch, placements)
        items.append(
            {
                "record_type": item.record_type,
                "id": str(item.id),
                "revision": item.revision,
                "field_revisions": item.field_revisions,
                "record": record,
                "values": shapes[item.record_type].of(item.values) if wants_values else None,
            }
        )
    tombstones = [
        SyncTombstone(
            record_type=t.record_type, id=strawberry.ID(str(t.record_id)), reason=t.reason
        )
        for t in result.tombstones
    ]
    return {
        "items": items,
        "tombstones": tombstones,
        "cursor": result.cursor,
        "has_more": result.has_more,
        "forms_digest": result.forms_digest,
        "wipe": result.wipe,
    }
