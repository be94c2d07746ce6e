"""Sync conflicts: values pushed from a device that met a different value on the server.

The server value stays; the device's value waits in a `SyncConflict` until a person who may
write the field on that record (its owner, a supervisor) keeps one side or enters another
value. Nothing a user entered is dropped without that decision. A record with unresolved
conflicts says so (`hasSyncConflicts`), and its owner is alerted.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backend.accounts.models import User
from backend.errors import BadUserInput, NotFound
from backend.ids import InvalidId, parse_id
from backend.notifications.services import Notice, raise_notices
from backend.records import services
from backend.records.access import access_plan, get_record, record_schema, visible_records
from backend.records.models import Record
from backend.records.paging import InvalidCursor
from backend.records.reading import RecordView, permitted_value, present, read_records
from backend.sync.models import Device, SyncConflict
from backend.sync.values import client_patch, conflict_value
from formengine import graphql_name
from permissions.actions import require_action
from permissions.plan import AccessKind

if TYPE_CHECKING:
    from backend.sync.merging import FieldConflict

SYNC_CONFLICT = "sync_conflict"
MAX_CONFLICT_PAGE = 100
DEFAULT_CONFLICT_PAGE = 20


class Keep(StrEnum):
    SERVER = "SERVER"  # the value on the record stays
    CLIENT = "CLIENT"  # the device's value is written
    VALUE = "VALUE"  # another value, given by the person resolving


def hold_conflicts(
    user: User,
    device: Device,
    record: Record,
    client_mutation_id: str,
    base_revision: int,
    conflicts: Sequence[FieldConflict],
) -> list[SyncConflict]:
    """Keep the device's values that lost, and alert the record's owner (in the app: a sync
    brings conflicts in batches, e-mail would be noise)."""
    held = SyncConflict.objects.bulk_create(
        SyncConflict(
            tenant_id=user.tenant_id,
            record=record,
            field=c.name,
            entry_uid=c.entry,
            entry_field=c.child,
            client_value=c.client_value,
            server_value=c.server_value,
            base_revision=base_revision,
            server_revision=record.revision,
            device=device,
            pushed_by=user,
            client_mutation_id=client_mutation_id,
        )
        for c in conflicts
    )
    if record.owner_id is not None:
        owner = User.objects.get(pk=record.owner_id)
        label = record.record_type.replace("_", " ").capitalize()
        raise_notices(
            [
                Notice(
                    owner,
                    SYNC_CONFLICT,
                    f"{label} {record.short_id}: {len(held)} value(s) synced from a device "
                    "differ from changes made meanwhile. Decide which to keep.",
                    record,
                )
            ],
            email=False,
        )
    return held


@dataclass(frozen=True)
class ConflictView:
    """A conflict as the caller may see it: `current_value` is the record's value now,
    through the read service; `client_value` cut to what the caller may read."""

    conflict: SyncConflict
    record: Record
    current_value: Any
    client_value: Any


@dataclass(frozen=True)
class ConflictPage:
    conflicts: list[ConflictView]
    cursor: str | None
    has_more: bool


def _cursor(conflict: SyncConflict) -> str:
    raw = json.dumps([conflict.created_at.isoformat(), str(conflict.pk)])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _position(after: str) -> tuple[dt.datetime, uuid.UUID]:
    try:
        at, pk = json.loads(base64.urlsafe_b64decode(after.encode()))
        return dt.datetime.fromisoformat(at), uuid.UUID(pk)
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise InvalidCursor("This is not a cursor this server gave out.", field="after") from None


def sync_conflicts(
    user: User, record_type: str, first: int | None = None, after: str | None = None
) -> ConflictPage:
    """Unresolved conflicts, oldest first, on records of the type the user may write, for
    fields they may write there. A page may hold fewer than `first` (conflicts on fields the
    caller may not write are skipped); `has_more` says whether to ask again."""
    size = DEFAULT_CONFLICT_PAGE if first is None else first
    if not 1 <= size <= MAX_CONFLICT_PAGE:
        raise BadUserInput(f"first must be between 1 and {MAX_CONFLICT_PAGE}.", field="first")
    plan = access_plan(user, record_type)
    require_action(user, "write", record_type)
    rows = SyncConflict.objects.filter(
        tenant_id=user.tenant_id,
        resolved_at__isnull=True,
        field__in=plan.writable,
        record__in=visible_records(user, record_type).filter(deleted_at__isnull=True),
    )
    if after:
        at, pk = _position(after)
        rows = rows.filter(Q(created_at__gt=at) | Q(created_at=at, pk__gt=pk))
    found = list(
        rows.select_related("record", "pushed_by").order_by("created_at", "pk")[: size + 1]
    )
    page = found[:size]
    views = {
        v.record.pk: v
        for v in read_records(
            user, record_type, list({c.record_id: c.record for c in page}.values())
        )
    }
    shown = [view for c in page if (view := _view(c, views.get(c.record_id))) is not None]
    return ConflictPage(shown, _cursor(page[-1]) if page else after, len(found) > size)


def _path(conflict: SyncConflict) -> tuple[str, ...]:
    """The field path the conflict's value sits at (an entry's field under its subform)."""
    if conflict.entry_uid and conflict.entry_field:
        return (conflict.field, conflict.entry_field)
    return (conflict.field,)


def _view(conflict: SyncConflict, view: RecordView | None) -> ConflictView | None:
    path = _path(conflict)
    if view is None or not view.access.may_write(path):
        return None
    client = conflict.client_value
    if conflict.entry_uid and not conflict.entry_field and isinstance(client, dict):
        [client] = permitted_value([client], view.access, path)
    elif isinstance(client, list):
        client = permitted_value(client, view.access, path)
    return ConflictView(
        conflict,
        view.record,
        conflict_value(conflict.entry_uid, conflict.entry_field, view.values.get(conflict.field)),
        client,
    )


def open_conflict_records(user: User, record_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Of these records (read through the read service already), those with unresolved
    conflicts: one query for a whole page."""
    return set(
        SyncConflict.objects.filter(
            tenant_id=user.tenant_id, record_id__in=record_ids, resolved_at__isnull=True
        ).values_list("record_id", flat=True)
    )


@dataclass(frozen=True)
class Resolution:
    conflict: SyncConflict
    write: services.WriteResult | None  # None when the server value was kept

    def view(self, user: User) -> ConflictView | None:
        """The decided conflict beside the record as it now stands."""
        record = self.conflict.record
        if self.write is not None and self.write.record is not None:
            record = self.write.record
        return _view(self.conflict, present(user, record))


def resolve_sync_conflict(
    user: User, conflict_id: object, keep: Keep, value: Any = None
) -> Resolution:
    """Keep the server value, write the device's value, or write `value` (in the input
    shape, as pushed),
    through the normal write path; NOT_FOUND for a conflict the caller may not decide."""
    missing = NotFound("No such sync conflict.", field="id")
    try:
        pk = parse_id(conflict_id, field="id")
    except InvalidId:
        raise missing from None
    with transaction.atomic():
        conflict = (
            SyncConflict.objects.select_for_update()
            .filter(pk=pk, tenant_id=user.tenant_id, resolved_at__isnull=True)
            .select_related("record", "pushed_by")
            .first()
        )
        if conflict is None:
            raise missing
        record_type = conflict.record.record_type
        try:
            visible = get_record(user, record_type, conflict.record_id)
        except NotFound:
            raise missing from None
        if visible.access.kind is AccessKind.NONE or not visible.access.may_write(_path(conflict)):
            raise missing
        write = None
        if keep is not Keep.SERVER:
            chosen = (
                conflict.client_value if keep is Keep.CLIENT else _stored(user, conflict, value)
            )
            write = services.update_record(
                user,
                record_type,
                conflict.record_id,
                visible.record.revision,
                {conflict.field: _written(conflict, visible.record.data, chosen)},
                client_mutation_id=f"resolve:{conflict.pk}",
            )
            if write.errors:
                return Resolution(conflict, write)
        conflict.resolved_at = timezone.now()
        conflict.resolved_by = user
        conflict.resolution = keep.lower()
        conflict.save(update_fields=["resolved_at", "resolved_by", "resolution"])
        return Resolution(conflict, write)


def _stored(user: User, conflict: SyncConflict, value: Any) -> Any:
    """`value` in the input shape, for what the conflict names, as stored."""
    _, schema = record_schema(user, conflict.record.record_type)
    fields = list(schema.fields.values())
    if conflict.entry_uid:
        subform = schema.fields.get(conflict.field)
        fields = list(subform.fields) if subform is not None else []
        if not conflict.entry_field:  # a whole entry: its fields under their client names
            return client_patch(fields, value) if value is not None else None
    name = conflict.entry_field or conflict.field
    return client_patch(fields, {graphql_name(name): value}).get(name, value)


def _written(conflict: SyncConflict, data: Mapping[str, Any], chosen: Any) -> Any:
    """The value to write to the conflict's top-level field: `chosen` itself, or, for a
    conflict within a subform, every entry as it stands (by uid) with the one entry's
    field set to `chosen` (the entry set to `chosen`, or removed when it is None)."""
    if not conflict.entry_uid:
        return chosen
    entries: list[dict[str, Any]] = []
    found = False
    for entry in data.get(conflict.field) or ():
        uid = entry.get("uid") if isinstance(entry, Mapping) else None
        if uid != conflict.entry_uid:
            entries.append({"uid": uid})
            continue
        found = True
        if conflict.entry_field:
            entries.append({"uid": uid, conflict.entry_field: chosen})
        elif chosen is not None:
            entries.append({**chosen, "uid": uid})
    if (
        not found and chosen is not None
    ):  # the entry went meanwhile: the chosen value brings it back
        value = {conflict.entry_field: chosen} if conflict.entry_field else chosen
        entries.append({**value, "uid": conflict.entry_uid})
    return entries
