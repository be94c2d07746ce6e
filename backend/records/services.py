"""Creating and changing records, through the caller's AccessPlan and the write guard.

Every write is validated by the form engine, checked by the write guard at every depth, and
written by the one revision writer. Reading is `backend.records.reading`; who may see which
record is `backend.records.access` (its names are re-exported here for callers of old).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import User
from backend.errors import BadUserInput
from backend.forms.configuration import TenantConfiguration
from backend.modules.services import module_for_new_record
from backend.records.access import (
    VisibleRecord,
    access_plan,
    get_any_record,
    get_record,
    list_records,
    record_schema,
    visible_records,
)
from backend.records.models import Record
from backend.records.references import (
    known_references,
    record_location_field,
    record_location_path,
)
from backend.records.revisions import append_revision
from backend.records.signals import record_changed
from backend.records.write_guard import forbidden_changes
from formengine import (
    DefaultContext,
    FieldDefinition,
    FieldError,
    FieldPath,
    RecordSchema,
    RecordValidation,
    apply_defaults,
    resolve_defaults,
    validate_record,
)
from permissions.actions import require_action

__all__ = [
    "CheckedUpdate",
    "VisibleRecord",
    "WriteResult",
    "access_plan",
    "check_update",
    "create_record",
    "get_any_record",
    "get_record",
    "list_records",
    "update_record",
    "visible_records",
]


@dataclass
class WriteResult:
    """A saved record (read it back through the read service), or why nothing was saved."""

    record: Record | None
    errors: list[FieldError] = field(default_factory=list)


def _form_versions(configuration: TenantConfiguration, schema: RecordSchema) -> dict[str, int]:
    return {
        f.key: configuration.form_versions[f.key]
        for f in schema.forms
        if f.key in configuration.form_versions
    }


def _defaults(user: User, schema: RecordSchema) -> dict[FieldPath, Any]:
    """The schema's defaults for a write by `user` now (`today` in UTC, like `$today`)."""
    now = timezone.now()
    agency = None
    if user.agency_id is not None and _uses_agency(schema.current_fields):
        agency = getattr(user.agency, "code", None)  # a query only for forms that need it
    context = DefaultContext(today=now.date(), now=now, user=user.username, agency=agency)
    return resolve_defaults(schema.current_fields, context)


def _module_schema(
    configuration: TenantConfiguration, schema: RecordSchema, module: str | None
) -> RecordSchema:
    """What a record of `module` holds: its module's forms (another module's required
    fields and defaults are not its business)."""
    keys = configuration.modules.get(schema.record_type, {}).get(module or "")
    return schema if keys is None else schema.limited_to(keys)


def _uses_agency(fields: Iterable[FieldDefinition]) -> bool:
    return any(d.dynamic_default == "current_agency" or _uses_agency(d.fields) for d in fields)


def create_record(
    user: User,
    record_type: str,
    patch: Mapping[str, Any],
    *,
    source: str = "web",
    client_mutation_id: str = "",
    module: str | None = None,
    record_id: uuid.UUID | None = None,
    device_id: uuid.UUID | None = None,
) -> WriteResult:
    """A new record, of `module` where its type has modules (left out: the user's only
    module for the type); only fields of the module's forms may be written. `record_id`:
    the id a device gave a record it created offline (else a new one)."""
    require_action(user, "create", record_type)
    configuration, schema = record_schema(user, record_type)
    plan = access_plan(user, record_type)
    module = module_for_new_record(plan, module)
    access = plan.module_access(module)
    schema = _module_schema(configuration, schema, module)
    defaults = _defaults(user, schema)
    written = apply_defaults(schema.current_fields, patch, defaults)
    references = known_references(user.tenant_id, schema, written)
    result = validate_record(schema, {}, written, references=references)
    forbidden = forbidden_changes(
        access, schema, patch, {}, result.data, source=source, defaults=defaults
    )
    if forbidden:
        return WriteResult(None, errors=forbidden)
    if not result.ok:
        return WriteResult(None, errors=result.errors)
    with transaction.atomic():
        record = Record.objects.create(
            id=record_id or uuid.uuid4(),
            tenant_id=user.tenant_id,
            record_type=record_type,
            module=module,
            short_id=uuid.uuid4().hex[:10],
            owner=user,
            created_by=user,
            agency_id=user.agency_id,
            group_ids=list(user.groups.values_list("pk", flat=True)),
            location_path=record_location_path(user.tenant, schema, result.data),
            data=result.data,
            form_versions=_form_versions(configuration, schema),
            revision=1,
        )
        append_revision(
            record,
            result.changes,
            actor=user,
            source=source,
            action="create",
            client_mutation_id=client_mutation_id,
            device_id=device_id,
            data_fields=result.changes,
            created=True,
        )
    return WriteResult(record)


@dataclass(frozen=True)
class CheckedUpdate:
    """A patch applied to a record's stored data and validated, not saved: `errors` are the
    write guard's refusals, else the validation's."""

    schema: RecordSchema
    result: RecordValidation
    errors: list[FieldError]


def check_update(
    user: User,
    configuration: TenantConfiguration,
    schema: RecordSchema,
    visible: VisibleRecord,
    patch: Mapping[str, Any],
    *,
    source: str = "web",
) -> CheckedUpdate:
    """What `patch` would make of the (locked) record, through validation and the write
    guard, saving nothing."""
    record = visible.record
    schema = _module_schema(configuration, schema, record.module)
    defaults = _defaults(user, schema)
    written = apply_defaults(schema.current_fields, patch, defaults, record.data)
    references = known_references(user.tenant_id, schema, written)
    result = validate_record(schema, record.data, written, references=references)
    forbidden = forbidden_changes(
        visible.access, schema, patch, record.data, result.data, source=source, defaults=defaults
    )
    return CheckedUpdate(schema, result, forbidden or result.errors)


def update_record(
    user: User,
    record_type: str,
    record_id: str | uuid.UUID,
    base_revision: int,
    patch: Mapping[str, Any],
    *,
    source: str = "web",
    client_mutation_id: str = "",
    device_id: uuid.UUID | None = None,
) -> WriteResult:
    """Apply a patch written against `base_revision`.

    A stale base revision is fine as long as none of the fields this write changes were
    changed after it; otherwise nothing is saved and the conflicting fields are named.
    """
    configuration, schema = record_schema(user, record_type)
    with transaction.atomic():
        visible = get_record(user, record_type, record_id)
        require_action(user, "write", record_type)
        record = Record.objects.select_for_update(no_key=True).get(pk=visible.record.pk)
        if base_revision > record.revision or base_revision < 1:
            raise BadUserInput(
                f"baseRevision {base_revision} is not a revision of this record "
                f"(current: {record.revision}).",
                field="baseRevision",
            )
        checked = check_update(
            user,
            configuration,
            schema,
            VisibleRecord(record, visible.access),
            patch,
            source=source,
        )
        if checked.errors:
            return WriteResult(None, errors=checked.errors)
        schema, result = checked.schema, checked.result
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
            return WriteResult(None, errors=conflicts)
        if result.changes:
            record.data = result.data
            record.form_versions = _form_versions(configuration, schema)
            if record_location_field(user.tenant, schema) in result.changes:
                record.location_path = record_location_path(user.tenant, schema, result.data)
            append_revision(
                record,
                result.changes,
                actor=user,
                source=source,
                action="update",
                client_mutation_id=client_mutation_id,
                device_id=device_id,
                data_fields=result.changes,
            )
            record_changed.send(sender=Record, record=record, actor=user)
    return WriteResult(record)
