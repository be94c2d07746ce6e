"""Creating, changing and reading records. Every write is validated by the form engine."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from backend.accounts.models import User
from backend.errors import BadUserInput, NotFound
from backend.forms.configuration import TenantConfiguration, published_configuration
from backend.records.models import Record, RecordHistory
from formengine import FieldError, RecordSchema, validate_record
from permissions.actions import require_action, role_allows
from permissions.scope import scope_filter


@dataclass
class WriteResult:
    """A saved record, or the reasons nothing was saved."""

    record: Record | None
    errors: list[FieldError] = field(default_factory=list)


def _record_schema(user: User, record_type: str) -> tuple[TenantConfiguration, RecordSchema]:
    configuration = published_configuration(user.tenant)
    schema = configuration.schema_for(record_type)
    if schema is None:
        raise NotFound(f"Record type '{record_type}' is not in use here.")
    return configuration, schema


def _form_versions(configuration: TenantConfiguration, schema: RecordSchema) -> dict[str, int]:
    return {
        f.key: configuration.form_versions[f.key]
        for f in schema.forms
        if f.key in configuration.form_versions
    }


def visible_records(user: User, record_type: str) -> QuerySet[Record]:
    """The records of a type that the user may see at all."""
    require_action(user, "read", record_type)
    return Record.objects.filter(scope_filter(user), record_type=record_type)


def get_record(user: User, record_type: str, record_id: str | uuid.UUID) -> Record:
    try:
        pk = uuid.UUID(str(record_id))
    except ValueError:
        raise NotFound(f"No {record_type} with id {record_id}.") from None
    record = visible_records(user, record_type).filter(pk=pk).first()
    if record is None:
        raise NotFound(f"No {record_type} with id {record_id}.")
    return record


def create_record(
    user: User,
    record_type: str,
    patch: Mapping[str, Any],
    *,
    source: str = "web",
    client_mutation_id: str = "",
) -> WriteResult:
    require_action(user, "create", record_type)
    configuration, schema = _record_schema(user, record_type)
    result = validate_record(schema, {}, patch)
    if not result.ok:
        return WriteResult(None, result.errors)
    with transaction.atomic():
        record = Record.objects.create(
            tenant_id=user.tenant_id,
            record_type=record_type,
            short_id=uuid.uuid4().hex[:10],
            owner=user,
            created_by=user,
            agency_id=user.agency_id,
            group_ids=list(user.groups.values_list("pk", flat=True)),
            data=result.data,
            field_revs={name: 1 for name in result.changes},
            form_versions=_form_versions(configuration, schema),
            revision=1,
        )
        RecordHistory.objects.create(
            tenant_id=user.tenant_id,
            record=record,
            revision=1,
            actor=user,
            source=source,
            client_mutation_id=client_mutation_id,
            action="create",
            diff={name: list(change) for name, change in result.changes.items()},
        )
    record.refresh_from_db(fields=["change_seq"])
    return WriteResult(record)


def update_record(
    user: User,
    record_type: str,
    record_id: str,
    base_revision: int,
    patch: Mapping[str, Any],
    *,
    source: str = "web",
    client_mutation_id: str = "",
) -> WriteResult:
    """Apply a patch written against `base_revision`.

    A stale base revision is fine as long as none of the fields this write changes were
    changed after it; otherwise nothing is saved and the conflicting fields are named.
    """
    require_action(user, "write", record_type)
    configuration, schema = _record_schema(user, record_type)
    with transaction.atomic():
        record = get_record(user, record_type, record_id)
        record = Record.objects.select_for_update().get(pk=record.pk)
        if base_revision > record.revision or base_revision < 1:
            raise BadUserInput(
                f"baseRevision {base_revision} is not a revision of this record "
                f"(current: {record.revision}).",
                field="baseRevision",
            )
        result = validate_record(schema, record.data, patch)
        if not result.ok:
            return WriteResult(None, result.errors)
        conflicts = [
            FieldError(
                name,
                "REVISION_CONFLICT",
                f"changed in revision {record.field_revs[name]}, after {base_revision}",
            )
            for name in result.changes
            if name in patch and record.field_revs.get(name, 0) > base_revision
        ]
        if conflicts:
            return WriteResult(None, conflicts)
        if not result.changes:
            return WriteResult(record)
        record.revision += 1
        record.data = result.data
        record.field_revs = {
            **record.field_revs,
            **{name: record.revision for name in result.changes},
        }
        record.form_versions = _form_versions(configuration, schema)
        record.save()
        Record.objects.filter(pk=record.pk).update(change_seq=_next_change_seq())
        RecordHistory.objects.create(
            tenant_id=user.tenant_id,
            record=record,
            revision=record.revision,
            actor=user,
            source=source,
            client_mutation_id=client_mutation_id,
            action="update",
            diff={name: list(change) for name, change in result.changes.items()},
        )
    record.refresh_from_db(fields=["change_seq"])
    return WriteResult(record)


def record_history(user: User, record_id: str) -> list[RecordHistory]:
    """The history of any record the user may see, whatever its type."""
    try:
        pk = uuid.UUID(str(record_id))
    except ValueError:
        raise NotFound(f"No record with id {record_id}.") from None
    record_type = (
        Record.objects.filter(pk=pk, tenant_id=user.tenant_id)
        .values_list("record_type", flat=True)
        .first()
    )
    if record_type is None or not role_allows(user, "read", record_type):
        raise NotFound(f"No record with id {record_id}.")
    record = get_record(user, record_type, pk)
    return list(record.history.select_related("actor").order_by("revision"))


def _next_change_seq() -> Any:
    from django.db.models import Func, Value

    return Func(Value("record_change_seq"), function="nextval")
