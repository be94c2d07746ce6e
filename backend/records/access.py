"""Which records a user may see, and how: the AccessPlan per (user, record type) and the
records it lets through. A record outside the plan is NOT_FOUND, never FORBIDDEN, so that its
existence does not leak."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import QuerySet

from backend.accounts.models import User
from backend.errors import NotFound
from backend.forms.configuration import TenantConfiguration, published_configuration
from backend.ids import parse_id
from backend.records.models import Record
from backend.records.referral_grants import referral_grants
from backend.request_state import request_state
from formengine import RecordSchema
from permissions.actions import require_action
from permissions.plan import AccessKind, AccessPlan, RecordAccess, build_plan


@dataclass(frozen=True)
class VisibleRecord:
    record: Record
    access: RecordAccess


def record_schema(user: User, record_type: str) -> tuple[TenantConfiguration, RecordSchema]:
    configuration = published_configuration(user.tenant)
    schema = configuration.schema_for(record_type)
    if schema is None:
        raise NotFound(f"Record type '{record_type}' is not in use here.")
    return configuration, schema


def access_plan(user: User, record_type: str) -> AccessPlan:
    """The user's plan for a record type, computed once per request."""
    configuration, schema = record_schema(user, record_type)
    cache: dict[tuple[object, ...], AccessPlan] = request_state().setdefault("access_plans", {})
    key = (user.pk, record_type, configuration.config_version)
    if key not in cache:
        cache[key] = build_plan(user, configuration, schema, referral_grants(user, record_type))
    return cache[key]


def visible_records(user: User, record_type: str) -> QuerySet[Record]:
    """The records of a type that the user may see at all (scope, referrals)."""
    plan = access_plan(user, record_type)
    return Record.objects.filter(plan.visible_filter(), tenant_id=user.tenant_id)


def list_records(user: User, record_type: str) -> QuerySet[Record]:
    """For list views: FORBIDDEN when the role cannot read the type at all."""
    require_action(user, "read", record_type)
    return visible_records(user, record_type)


def get_record(user: User, record_type: str, record_id: str | uuid.UUID) -> VisibleRecord:
    missing = NotFound(f"No {record_type} with id {record_id}.")
    pk = parse_id(record_id)
    record = visible_records(user, record_type).select_related("owner").filter(pk=pk).first()
    access = access_plan(user, record_type).access(record) if record else None
    if record is None or access is None or access.kind is AccessKind.NONE:
        raise missing
    return VisibleRecord(record, access)


def get_any_record(user: User, record_id: str | uuid.UUID) -> VisibleRecord:
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


def visible_among(user: User, records: list[Record]) -> dict[uuid.UUID, VisibleRecord]:
    """Of records loaded elsewhere (alerts, workflow steps), those the user may see now, with
    the access each gives: one query per record type, however many records."""
    by_type: dict[str, set[uuid.UUID]] = {}
    for record in records:
        by_type.setdefault(record.record_type, set()).add(record.pk)
    found: dict[uuid.UUID, VisibleRecord] = {}
    for record_type, pks in by_type.items():
        try:
            plan = access_plan(user, record_type)
        except NotFound:
            continue
        for record in visible_records(user, record_type).filter(pk__in=pks):
            access = plan.access(record)
            if access.kind is not AccessKind.NONE:
                found[record.pk] = VisibleRecord(record, access)
    return found
