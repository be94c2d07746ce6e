"""syncPush: a device's offline changes, applied in order, each at most once.

Each change names a record (a new one by the UUID the device gave it), the revision the
device based it on and the values it set. Changes apply in the order given, each in its own
savepoint: one that fails is answered REJECTED and the others go on. Every write goes
through the record services (validation, permissions, write guard, history with source
`sync`, the device and the client mutation id). Each answer is kept by client mutation id;
the same id pushed again is answered DUPLICATE with the first answer, changing nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db import IntegrityError, transaction

from backend.accounts.models import User
from backend.error_codes import ErrorCode
from backend.errors import BadUserInput, DomainError, NotFound, check_text_length
from backend.ids import parse_id
from backend.records import services
from backend.records.access import VisibleRecord, get_record, record_schema
from backend.records.models import Record
from backend.records.reading import present
from backend.sync.base_values import subforms_at
from backend.sync.conflicts import hold_conflicts
from backend.sync.devices import device_for
from backend.sync.errors import DeviceRevoked
from backend.sync.merging import merge_change
from backend.sync.models import Device, PushedChange
from backend.sync.values import (
    client_patch,
    conflict_value,
    entry_client_value,
)
from formengine import FieldDefinition, FieldError
from permissions.actions import require_action
from permissions.plan import RecordAccess

MAX_PUSH_CHANGES = 500
CLIENT_MUTATION_ID_LENGTH = 100
SOURCE = "sync"


class ChangeStatus(StrEnum):
    APPLIED = "APPLIED"  # written as sent, on the revision it was based on
    MERGED = "MERGED"  # written; other fields had changed on the server since its base
    CONFLICT = "CONFLICT"  # some fields held as conflicts, the others written
    REJECTED = "REJECTED"  # nothing written: see errors
    DUPLICATE = "DUPLICATE"  # pushed before: the first answer, nothing changed


@dataclass(frozen=True)
class Change:
    client_mutation_id: str
    record_type: str
    id: str
    base_revision: int | None
    values: Any
    module: str | None = None


@dataclass
class ChangeOutcome:
    """The answer to one change. Paths are stored names (`values.name_first`), values in the
    client's input shape."""

    client_mutation_id: str
    status: ChangeStatus
    revision: int | None = None
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    original_status: ChangeStatus | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "revision": self.revision,
            "conflicts": self.conflicts,
            "errors": self.errors,
        }

    @classmethod
    def duplicate(cls, client_mutation_id: str, first: dict[str, Any]) -> ChangeOutcome:
        return cls(
            client_mutation_id,
            ChangeStatus.DUPLICATE,
            revision=first["revision"],
            conflicts=first["conflicts"],
            errors=first["errors"],
            original_status=ChangeStatus(first["status"]),
        )


class _Rejected(Exception):
    """Rolls a change's savepoint back; carries its answer."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("rejected")
        self.errors = errors


def _error(path: str | None, code: str, message: str) -> dict[str, Any]:
    return {"path": path, "code": str(code), "message": message}


def _field_errors(errors: Sequence[FieldError]) -> list[dict[str, Any]]:
    return [_error(f"values.{e.path}", e.code, e.message) for e in errors]


def push(user: User, device_id: object, changes: Sequence[Change]) -> list[ChangeOutcome]:
    """Apply the device's changes in order; one answer per change, in the same order.
    DEVICE_REVOKED (nothing applied) for a revoked device."""
    if len(changes) > MAX_PUSH_CHANGES:
        raise BadUserInput(f"Push at most {MAX_PUSH_CHANGES} changes at once.", field="changes")
    for change in changes:
        if not change.client_mutation_id:
            raise BadUserInput("Every change needs a clientMutationId.", field="changes")
        check_text_length("clientMutationId", change.client_mutation_id, CLIENT_MUTATION_ID_LENGTH)
    with transaction.atomic():
        device = device_for(user, device_id)
        # One push per device at a time: a retried batch waits for the first, then repeats.
        device = Device.objects.select_for_update().get(pk=device.pk)
        if device.revoked:
            raise DeviceRevoked("This device was revoked: wipe its data.", field="deviceId")
        answered = dict(
            PushedChange.objects.filter(
                device=device, client_mutation_id__in=[c.client_mutation_id for c in changes]
            ).values_list("client_mutation_id", "result")
        )
        outcomes = []
        for change in changes:
            first = answered.get(change.client_mutation_id)
            if first is not None:
                outcomes.append(ChangeOutcome.duplicate(change.client_mutation_id, first))
                continue
            outcome, record_id = _apply_one(user, device, change)
            PushedChange.objects.create(
                tenant_id=user.tenant_id,
                device=device,
                client_mutation_id=change.client_mutation_id,
                record_id=record_id,
                result=outcome.as_json(),
            )
            answered[change.client_mutation_id] = outcome.as_json()
            outcomes.append(outcome)
        return outcomes


def _apply_one(user: User, device: Device, change: Change) -> tuple[ChangeOutcome, Any]:
    record_id = None
    try:
        with transaction.atomic():
            record_id = parse_id(change.id, field="id")
            return _apply(user, device, change, record_id), record_id
    except _Rejected as rejected:
        errors = rejected.errors
    except DomainError as error:
        errors = [_error(error.details.get("field"), error.code, error.message)]
    except IntegrityError:
        # An id taken outside the caller's sight (another tenant's record): as not found.
        errors = [_error("id", ErrorCode.NOT_FOUND, f"No {change.record_type} with this id.")]
    return ChangeOutcome(change.client_mutation_id, ChangeStatus.REJECTED, errors=errors), record_id


def _apply(user: User, device: Device, change: Change, record_id: uuid.UUID) -> ChangeOutcome:
    configuration, schema = record_schema(user, change.record_type)
    patch = client_patch(schema.fields.values(), change.values)
    existing = Record.objects.filter(pk=record_id, tenant_id=user.tenant_id).values("deleted_at")
    found = existing.first()
    if found is None:
        return _create(user, device, change, record_id, patch)
    if found["deleted_at"] is not None:
        raise NotFound(f"No {change.record_type} with id {record_id}.", field="id")
    try:
        visible = get_record(user, change.record_type, record_id)
    except NotFound as missing:
        raise NotFound(missing.message, field="id") from None
    require_action(user, "write", change.record_type)
    record = Record.objects.select_for_update(no_key=True).get(pk=record_id)
    patch = _without_unchanged(patch, record.data, visible.access)
    base = change.base_revision or 0
    if not 0 <= base <= record.revision:
        raise BadUserInput(
            f"baseRevision {base} is not a revision of this record.", field="baseRevision"
        )
    checked = services.check_update(
        user, configuration, schema, VisibleRecord(record, visible.access), patch, source=SOURCE
    )
    if checked.errors:
        raise _Rejected(_field_errors(checked.errors))
    merge = merge_change(
        patch,
        checked.result.data,
        record.data,
        record.field_revs,
        base,
        subforms_at(record, base, [n for n in patch if _is_subform(schema.fields.get(n))]),
    )
    revision_at_push = record.revision
    if merge.apply:
        written = services.update_record(
            user,
            change.record_type,
            record_id,
            record.revision,
            merge.apply,
            source=SOURCE,
            client_mutation_id=change.client_mutation_id,
            device_id=device.pk,
        )
        if written.errors or written.record is None:
            raise _Rejected(_field_errors(written.errors))
        record = written.record
    conflicts: list[dict[str, Any]] = []
    if merge.conflicts:
        hold_conflicts(user, device, record, change.client_mutation_id, base, merge.conflicts)
        readable = present(user, record).values
        for conflict in merge.conflicts:
            definition = schema.fields.get(conflict.name)
            now = conflict_value(conflict.entry, conflict.child, readable.get(conflict.name))
            conflicts.append(
                {
                    "path": conflict.path,
                    "server_value": entry_client_value(definition, conflict.child, now),
                    "client_value": entry_client_value(
                        definition, conflict.child, conflict.client_value
                    ),
                }
            )
        status = ChangeStatus.CONFLICT
    elif revision_at_push == base:
        status = ChangeStatus.APPLIED
    else:
        status = ChangeStatus.MERGED
    return ChangeOutcome(
        change.client_mutation_id, status, revision=record.revision, conflicts=conflicts
    )


def _is_subform(definition: FieldDefinition | None) -> bool:
    return definition is not None and bool(definition.fields)


def _without_unchanged(
    patch: dict[str, Any], stored: dict[str, Any], access: RecordAccess
) -> dict[str, Any]:
    """The patch without the fields it sets to the value they hold: a device may send back
    a whole record as it pulled it (read-only and calculated fields included). Only fields
    the user may read are compared: for any other, the answer would tell its value."""
    return {
        name: value
        for name, value in patch.items()
        if not (access.may_read((name,)) and name in stored and stored[name] == value)
    }


def _create(
    user: User, device: Device, change: Change, record_id: uuid.UUID, patch: dict[str, Any]
) -> ChangeOutcome:
    written = services.create_record(
        user,
        change.record_type,
        patch,
        source=SOURCE,
        client_mutation_id=change.client_mutation_id,
        module=change.module,
        record_id=record_id,
        device_id=device.pk,
    )
    if written.errors or written.record is None:
        raise _Rejected(_field_errors(written.errors))
    return ChangeOutcome(
        change.client_mutation_id, ChangeStatus.APPLIED, revision=written.record.revision
    )
