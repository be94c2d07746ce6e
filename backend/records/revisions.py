"""The one revision writer: every change to a record, whoever makes it, is written here.

A write bumps `revision`, stamps the changed fields in `field_revs`, moves the record to a
fresh `change_seq` (the sync cursor) and appends one `RecordHistory` row, all in the caller's
transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Func, Value

from backend.accounts.models import User
from backend.records.models import Record, RecordHistory
from backend.records.signals import record_written

SOURCES = frozenset(RecordHistory.Source.values)


def _next_change_seq() -> Func:
    return Func(Value("record_change_seq"), function="nextval")


def append_revision(
    record: Record,
    diff: Mapping[str, Iterable[Any]],
    *,
    actor: User | None,
    source: str,
    action: str,
    client_mutation_id: str = "",
    device_id: uuid.UUID | None = None,
    data_fields: Iterable[str] = (),
    created: bool = False,
) -> RecordHistory:
    """Record one write of `record`: `diff` is `{name: (old, new)}`; `data_fields` are the
    form fields among them, whose `field_revs` move to the new revision.

    With `created`, the record was just inserted at revision 1 and is not bumped again.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown write source {source!r}")
    if not created:
        record.revision += 1
    record.field_revs = {**record.field_revs, **dict.fromkeys(data_fields, record.revision)}
    if created:
        Record.objects.filter(pk=record.pk).update(field_revs=record.field_revs)
    else:
        record.save()
        Record.objects.filter(pk=record.pk).update(change_seq=_next_change_seq())
    record.refresh_from_db(fields=["change_seq"])
    record_written.send(sender=Record, record=record)
    return RecordHistory.objects.create(
        tenant_id=record.tenant_id,
        record=record,
        revision=record.revision,
        actor=actor,
        source=source,
        client_mutation_id=client_mutation_id,
        device_id=device_id,
        action=action,
        diff={name: list(pair) for name, pair in diff.items()},
    )
