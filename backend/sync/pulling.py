"""syncPull: a page of the records a device should hold and of those it should drop.

What a device holds is kept per device (`DeviceRecord`): the version last sent and the
version the device confirmed by presenting the cursor of the page that carried it. A page
holds, oldest change first, the records in the sync scope the device has not confirmed at
their current version (changed, newly in scope, or sent on a page the device never got),
and, once no such record is left, tombstones for records it may hold that left the scope. A
lost page is therefore sent again by a pull with the previous cursor, and a pull ends
(`has_more` false) when the device holds exactly the scope. Every value comes from the read service.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from backend.accounts.models import User
from backend.database.arrays import int_array, uuid_array
from backend.errors import BadUserInput
from backend.forms.configuration import published_configuration
from backend.records.access import access_plan
from backend.records.models import Record
from backend.records.reading import RecordView, read_records, read_rows
from backend.records.rows import RecordRow, record_rows
from backend.sync.cursors import cursor_for, page_of
from backend.sync.devices import device_for
from backend.sync.models import Device, DeviceRecord, OfflinePin
from backend.sync.scope import access_digest, reached_by, sync_scope
from permissions.plan import AccessPlan, RecordAccess

_R = TypeVar("_R", Record, RecordRow)

DEFAULT_PULL_SIZE = 100
MAX_PULL_SIZE = 500


class TombstoneReason(StrEnum):
    DELETED = "DELETED"  # the record was deleted
    OUT_OF_SCOPE = "OUT_OF_SCOPE"  # transferred away, referral ended, role or module changed
    UNPINNED = "UNPINNED"  # held only because the user pinned it, and they unpinned it


@dataclass(frozen=True)
class PulledRecord:
    record_type: str
    id: uuid.UUID
    revision: int
    change_seq: int
    # field name -> revision of its last change, for the fields the caller may read
    field_revisions: dict[str, int]
    # the permitted form values, from the read service
    values: dict[str, Any]
    # the whole record as its caller may read it, when the pull was asked for it
    view: RecordView | None
    via_source: Record | RecordRow = field(repr=False, compare=False)


@dataclass(frozen=True)
class Tombstone:
    record_type: str
    record_id: uuid.UUID
    reason: TombstoneReason


@dataclass(frozen=True)
class PullPage:
    items: list[PulledRecord] = field(default_factory=list)
    tombstones: list[Tombstone] = field(default_factory=list)
    cursor: str | None = None
    has_more: bool = False
    forms_digest: str | None = None
    wipe: bool = False


def pull(
    user: User,
    device_id: object,
    *,
    since: str | None = None,
    first: int | None = None,
    record_types: Sequence[str] | None = None,
    whole: bool = True,
) -> PullPage:
    """The next page for the device. `since` is the cursor of the last page the device
    received (None: it holds nothing, start afresh); a revoked device is told to wipe.
    Without `whole`, items carry only their permitted values (no `RecordView`): the records
    are read as rows, for clients that do not select the record as its type."""
    size = _page_size(first)
    with transaction.atomic():
        device = device_for(user, device_id, allow_revoked=True)
        device = Device.objects.select_for_update().get(pk=device.pk)
        if device.revoked:
            return PullPage(wipe=True)
        configuration = published_configuration(user.tenant)
        every_type = sorted(configuration.record_types)
        types = _chosen_types(record_types, every_type)
        plans = {record_type: access_plan(user, record_type) for record_type in every_type}
        held = DeviceRecord.objects.filter(device=device)
        if record_types is not None:
            held = held.filter(record__record_type__in=types)
        if since is None:
            held.delete()
        else:
            _acknowledge(device, page_of(since, device))
        digest = access_digest(plans)
        if digest != device.access_digest:
            # What the user may read changed: every record goes again, cut anew.
            DeviceRecord.objects.filter(device=device).update(acked_seq=None)
            device.access_digest = digest
        page = device.pages + 1
        scope = sync_scope(user, {t: plans[t] for t in types})
        items, more_items = _items(user, device, plans, scope, size, page, whole)
        # Tombstones come once the items are all sent: checking every record the device
        # holds against the scope is the same work on each page of a long pull.
        tombstones, more_tombstones = (
            ([], False) if more_items else _tombstones(user, held, scope, size, page)
        )
        device.pages = page
        device.last_pull_at = timezone.now()
        device.save(update_fields=["pages", "last_pull_at", "access_digest"])
        return PullPage(
            items=items,
            tombstones=tombstones,
            cursor=cursor_for(device, page),
            has_more=more_items or more_tombstones,
            forms_digest=_forms_digest(configuration.digest, digest),
        )


def _page_size(first: int | None) -> int:
    size = DEFAULT_PULL_SIZE if first is None else first
    if not 1 <= size <= MAX_PULL_SIZE:
        raise BadUserInput(f"first must be between 1 and {MAX_PULL_SIZE}.", field="first")
    return size


def _chosen_types(record_types: Sequence[str] | None, every_type: list[str]) -> list[str]:
    if record_types is None:
        return every_type
    unknown = sorted(set(record_types) - set(every_type))
    if unknown:
        raise BadUserInput(f"Record types not in use here: {unknown}.", field="recordTypes")
    return sorted(set(record_types))


def _forms_digest(configuration_digest: str, access: str) -> str:
    return hashlib.sha256(f"{configuration_digest}:{access}".encode()).hexdigest()[:32]


def _acknowledge(device: Device, page: int) -> None:
    """The device holds page `page`: what it carried is confirmed."""
    sent = DeviceRecord.objects.filter(device=device, sent_page=page)
    sent.filter(gone=False).update(acked_seq=F("sent_seq"))
    sent.filter(gone=True).delete()


def _items(
    user: User,
    device: Device,
    plans: dict[str, AccessPlan],
    scope: Any,
    size: int,
    page: int,
    whole: bool,
) -> tuple[list[PulledRecord], bool]:
    # The version the device confirmed, looked up per record on the one-per-(device, record)
    # index: as a scalar subquery, not an anti-join, which the planner would run as a scan of
    # every row the device holds for each record whenever its statistics show few rows for
    # a device (a new one, or a table not analysed since it grew): quadratic in the pull.
    confirmed = DeviceRecord.objects.filter(device=device, record=OuterRef("pk"), gone=False)
    due = (
        Record.objects.filter(scope)
        .alias(confirmed=Coalesce(Subquery(confirmed.values("acked_seq")[:1]), Value(-1)))
        .filter(confirmed__lt=F("change_seq"))
        .order_by("change_seq", "pk")
    )
    items: list[PulledRecord] = []
    if whole:
        records = list(due.select_related("owner")[: size + 1])
        more = len(records) > size
        for record_type, batch in _by_type(records[:size]).items():
            items += [
                _pulled(v.record, v.values, v.access, v)
                for v in read_records(user, record_type, batch)
            ]
    else:
        rows = record_rows(due, size + 1)
        more = len(rows) > size
        for record_type, row_batch in _by_type(rows[:size]).items():
            items += [
                _pulled(v.row, v.values, v.access, None)
                for v in read_rows(user, record_type, row_batch)
            ]
    items.sort(key=lambda item: (item.change_seq, item.id))
    _remember_sent(user, device, plans, items, page)
    return items, more


def _by_type(records: Sequence[_R]) -> dict[str, list[_R]]:
    found: dict[str, list[_R]] = {}
    for record in records:
        found.setdefault(record.record_type, []).append(record)
    return found


def _pulled(
    record: Record | RecordRow,
    values: dict[str, Any],
    access: RecordAccess,
    view: RecordView | None,
) -> PulledRecord:
    readable = access.readable
    return PulledRecord(
        record_type=record.record_type,
        id=record.pk,
        revision=record.revision,
        change_seq=record.change_seq,
        field_revisions=(
            dict(record.field_revs)
            if record.field_revs.keys() <= readable
            else {n: r for n, r in record.field_revs.items() if n in readable}
        ),
        values=values,
        view=view,
        via_source=record,
    )


def _remember_sent(
    user: User, device: Device, plans: dict[str, AccessPlan], items: list[PulledRecord], page: int
) -> None:
    """One statement for the page: each record sent, at its change, on this page."""
    if not items:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO sync_devicerecord"
            " (tenant_id, device_id, record_id, sent_seq, sent_page, gone, via)"
            " SELECT %s, %s, sent.record_id, sent.seq, %s, false, sent.via"
            " FROM unnest(%s::uuid[], %s::bigint[], %s::text[]) AS sent(record_id, seq, via)"
            " ON CONFLICT (device_id, record_id) DO UPDATE SET sent_seq = EXCLUDED.sent_seq,"
            " sent_page = EXCLUDED.sent_page, gone = false, via = EXCLUDED.via",
            [
                user.tenant_id,
                device.pk,
                page,
                uuid_array([item.id for item in items]),
                int_array([item.change_seq for item in items]),
                [reached_by(user, plans[item.record_type], item.via_source) for item in items],
            ],
        )


def _tombstones(
    user: User, held: Any, scope: Any, size: int, page: int
) -> tuple[list[Tombstone], bool]:
    in_scope = Record.objects.filter(scope).values("pk")
    rows = list(
        held.exclude(record_id__in=in_scope)
        .order_by("pk")
        .values("pk", "record_id", "via", "record__record_type", "record__deleted_at")[: size + 1]
    )
    found = rows[:size]
    pinned_away = [r["record_id"] for r in found if r["via"] == DeviceRecord.Via.PINNED]
    still_pinned = set(
        OfflinePin.objects.filter(user=user, record_id__in=pinned_away).values_list(
            "record_id", flat=True
        )
        if pinned_away
        else ()
    )
    tombstones = []
    for row in found:
        if row["record__deleted_at"] is not None:
            reason = TombstoneReason.DELETED
        elif row["via"] == DeviceRecord.Via.PINNED and row["record_id"] not in still_pinned:
            reason = TombstoneReason.UNPINNED
        else:
            reason = TombstoneReason.OUT_OF_SCOPE
        tombstones.append(Tombstone(row["record__record_type"], row["record_id"], reason))
    if found:
        DeviceRecord.objects.filter(pk__in=[r["pk"] for r in found]).update(
            gone=True, sent_page=page
        )
    return tombstones, len(rows) > size
