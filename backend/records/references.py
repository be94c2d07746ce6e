"""What a record write refers to outside its forms: locations, agencies and users named by
`location` fields, `user` fields and option fields with a source (users: active ones only).
One query per source the write names (only the values it names), never the whole registry.

A record's location (`Record.location_path`, for scope and filters) is the value of one
top-level location field per record type: the one the tenant names in
`Tenant.workflow["location_fields"][record_type]`, else the first top-level `location`
field of the record type's forms.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.accounts.models import User
from backend.locations.services import known_locations, location_path
from backend.tenancy.models import Agency, Tenant
from formengine import FieldType, KnownReferences, RecordSchema, referenced_values
from formengine.references import AGENCIES, LOCATIONS, USERS


def known_references(
    tenant_id: int, schema: RecordSchema, patch: Mapping[str, Any]
) -> KnownReferences:
    wanted = referenced_values(schema.fields, patch)
    agencies: frozenset[str] = frozenset()
    users: frozenset[str] = frozenset()
    if wanted.get(AGENCIES):
        found = Agency.objects.filter(tenant_id=tenant_id, code__in=sorted(wanted[AGENCIES]))
        agencies = frozenset(found.values_list("code", flat=True))
    if wanted.get(USERS):
        active = User.objects.filter(
            tenant_id=tenant_id, is_active=True, username__in=sorted(wanted[USERS])
        )
        users = frozenset(active.values_list("username", flat=True))
    return KnownReferences(
        agencies=agencies,
        users=users,
        locations=known_locations(tenant_id, wanted.get(LOCATIONS, ())),
    )


def record_location_field(tenant: Tenant, schema: RecordSchema) -> str | None:
    """The field whose location is the record's location, if the record type has one."""
    named = ((tenant.workflow or {}).get("location_fields") or {}).get(schema.record_type)
    if isinstance(named, str):
        definition = schema.field(named)
        return named if definition is not None and definition.type == FieldType.LOCATION else None
    return next((f.name for f in schema.current_fields if f.type == FieldType.LOCATION), None)


def record_location_path(tenant: Tenant, schema: RecordSchema, data: Mapping[str, Any]) -> str:
    name = record_location_field(tenant, schema)
    value = data.get(name) if name else None
    return location_path(tenant.pk, value if isinstance(value, str) else None)
