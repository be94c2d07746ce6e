"""Creating, changing and reading records, through the caller's AccessPlan.

Every write is validated by the form engine; every read and write is limited to the fields
and records the plan allows. A record outside the plan is NOT_FOUND, never FORBIDDEN, so
that its existence does not leak.
"""

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
from backend.ids import parse_id
from backend.records.models import Record, RecordHistory
from backend.records.revisions import append_revision
from formengine import FieldError, RecordSchema, validate_record
from permissions.actions import require_action
from permissions.plan import AccessKind, AccessPlan, RecordAccess, build_plan


@dataclass
class WriteResult:
    """A saved record and what the caller may read of it, or why nothing was saved."""

    record: Record | None
    access: RecordAccess | None = None
    errors: list[FieldError] = field(default_factory=list)


@dataclass(frozen=True)
class VisibleRecord:
    record: Record
    access: RecordAccess


def _configuration(user: User, record_type: str) -> tuple[TenantConfiguration, RecordSchema]:
    configuration = published_configuration(user.tenant)
    schema = configuration.schema_for(record_type)
    if schema is None:
        raise NotFound(f"Record type '{record_type}' is not in use here.")
    return configuration, schema


def access_plan(user: User, record_type: str) -> AccessPlan:
    """The user's plan for a record type, computed once per request (cached on the user)."""
    configuration, schema = _configuration(user, record_type)
    cache: dict[tuple[str, int], AccessPlan] = user.__dict__.setdefault("_access_plans", {})
    key = (record_type, configuration.config_version)
    if key not in cache:
        from backend.records.referral_grants import referral_grants

        cache[key] = build_plan(user, configuration, schema, referral_grants(user, record_type))
    return cache[key]


def _form_versions(configuration: TenantConfiguration, schema: RecordSchema) -> dict[str, int]:
    return {
        f.key: configuration.form_versions[f.key]
        for f in schema.forms
        if f.key in configuration.form_versions
    }


def _forbidden_fields(patch: Mapping[str, Any], writable: frozenset[str]) -> list[FieldError]:
    return [
        FieldError(name, "FORBIDDEN_FIELD", "you may not write this field")
        for name in patch
        if name not in writable
    ]


def visible_records(user: User, record_type: str) -> QuerySet[Record]:
    """The records of a type that the user may see at all (scope, referrals)."""
    plan = access_plan(user, record_type)
    return Record.objects.filter(plan.visible_filter(), tenant_id=user.tenant_id)


def list_records(user: User, record_type: str) -> QuerySet[Record]:
    """For list views: FORBIDDEN when the role cannot read the type at all."""
    require_action(user, "read", record_type)
    return visible_records(user, record_type)


def get_record(user: User, record_type: str, record_id: str | uuid.UUID) -> VisibleRecord:
    pk = parse_id(record_id)
    record = visible_records(user, record_type).select_related("owner").filter(pk=pk).first()
    access = access_plan(user, record_type).access(record) if record else None
    if record is None or access is None or access.kind is AccessKind.NONE:
        raise NotFound(f"No {record_type} with id {record_id}.")
    return VisibleRecord(record, access)


def create_record(
    user: User,
    record_type: str,
    patch: Mapping[str, Any],
    *,
    source: str = "web",
    client_mutation_id: str = "",
) -> WriteResult:
    require_action(user, "create", record_type)
    configuration, schema = _configuration(user, record_type)
    plan = access_plan(user, record_type)
    forbidden = _forbidden_fields(patch, plan.writable)
    if forbidden:
        return WriteResult(None, errors=forbidden)
    result = validate_record(schema, {}, patch)
    if not result.ok:
        return WriteResult(None, errors=result.errors)
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
            data_fields=result.changes,
            created=True,
        )
    return WriteResult(record, plan.access(record))


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
    configuration, schema = _configuration(user, record_type)
    with transaction.atomic():
        visible = get_record(user, record_type, record_id)
        require_action(user, "write", record_type)
        record = Record.objects.select_for_update().get(pk=visible.record.pk)
        forbidden = _forbidden_fields(patch, visible.access.writable)
        if forbidden:
            return WriteResult(None, errors=forbidden)
        if base_revision > record.revision or base_revision < 1:
            raise BadUserInput(
                f"baseRevision {base_revision} is not a revision of this record "
                f"(current: {record.revision}).",
                field="baseRevision",
            )
        result = validate_record(schema, record.data, patch)
        if not result.ok:
            return WriteResult(None, errors=result.errors)
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
            append_revision(
                record,
                result.changes,
                actor=user,
                source=source,
                action="update",
                client_mutation_id=client_mutation_id,
                data_fields=result.changes,
            )
            from backend.notifications.services import notify_record_changed

            notify_record_changed(record, user)
    return WriteResult(record, visible.access)


def get_any_record(user: User, record_id: str) -> VisibleRecord:
    """A record of any type the user may see. A record that exists but is out of sight
    answers exactly as one that does not exist: neither its existence nor its type leaks."""
    missing = NotFound(f"No record with id {record_id}.")
    pk = parse_id(record_id)
    record_type = (
        Record.objects.filter(pk=pk, tenant_id=user.tenant_id)
        .values_list("record_type", flat=True)
        .first()
    )
    if record_type is None:
        raise missing
    try:
        return get_record(user, record_type, pk)
    except NotFound:
        raise missing from None


def record_history(user: User, record_id: str) -> list[tuple[RecordHistory, dict[str, Any]]]:
    """The history of a record the user may see, each diff cut to the readable fields.

    Workflow steps (owner, status, referral, ...) are not form fields and stay visible.
    """
    from backend.audit.services import log_access

    visible = get_any_record(user, record_id)
    log_access(user, [visible.record], "history")
    readable = visible.access.readable
    _, schema = _configuration(user, visible.record.record_type)
    entries = visible.record.history.select_related("actor").order_by("revision")
    return [
        (
            entry,
            {
                name: pair
                for name, pair in entry.diff.items()
                if name in readable or name not in schema.fields
            },
        )
        for entry in entries
    ]
