"""A tenant's published configuration: the effective schema of each of its record types.

Loaded once per (tenant, config_version) per process; `digest` identifies the content, so
tenants whose published configuration is identical share one compiled GraphQL schema.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from backend.forms.models import FormVersion, Lookup
from backend.modules.models import Module
from backend.tenancy.models import Tenant
from backend.workflows.config import ServiceSettings, workflow_of
from formengine import LookupOptions, RecordSchema, build_record_schema, parse_lookups


@dataclass(frozen=True)
class TenantConfiguration:
    tenant_id: int
    config_version: int
    digest: str
    default_locale: str
    locales: tuple[str, ...]
    record_types: dict[str, RecordSchema]
    form_versions: dict[str, int]  # form key -> published version number in force
    # record type -> top-level field name -> keys of the forms that hold (or last held) it;
    # a field may be shown on several forms of one record type (one value)
    field_forms: dict[str, dict[str, tuple[str, ...]]]
    lookups: Mapping[str, LookupOptions]
    # Record types with workflow operations (Tenant.workflow["record_types"])
    workflow_record_types: tuple[str, ...] = ()
    # The subform of services (due date, implemented), for the derived `overdue`
    services: ServiceSettings | None = None
    # record type -> module key -> the module's form keys for it (backend/modules); a
    # record type without modules is absent
    modules: Mapping[str, Mapping[str, frozenset[str]]] = dataclasses.field(default_factory=dict)

    def schema_for(self, record_type: str) -> RecordSchema | None:
        return self.record_types.get(record_type)


_cache: dict[tuple[int, int], TenantConfiguration] = {}
_lock = threading.Lock()


def published_configuration(tenant: Tenant) -> TenantConfiguration:
    key = (tenant.pk, tenant.config_version)
    found = _cache.get(key)
    if found is None:
        found = _load(tenant)
        with _lock:
            for stale in [k for k in _cache if k[0] == tenant.pk]:
                del _cache[stale]
            _cache[key] = found
    return found


def lookup_documents(tenant: Tenant) -> dict[str, list[dict[str, Any]]]:
    return {lookup.key: lookup.options for lookup in Lookup.objects.filter(tenant=tenant)}


def load_configuration(tenant: Tenant) -> TenantConfiguration:
    """The configuration as the database holds it now, uncached: what a change would leave."""
    return _load(tenant)


def _load(tenant: Tenant) -> TenantConfiguration:
    versions = list(
        FormVersion.objects.filter(tenant=tenant, published_at__isnull=False)
        .select_related("form")
        .order_by("published_at", "number")
    )
    lookup_docs = lookup_documents(tenant)
    lookups = parse_lookups(lookup_docs)
    history: dict[str, list[dict[str, Any]]] = defaultdict(list)
    current: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    in_force: dict[str, int] = {}
    field_forms: dict[str, dict[str, tuple[str, ...]]] = defaultdict(dict)
    for version in versions:
        record_type = version.form.record_type
        history[record_type].append(version.document)
        for field in version.document.get("fields", []):
            held = field_forms[record_type].get(field["name"], ())
            if version.form.key not in held:
                field_forms[record_type][field["name"]] = (*held, version.form.key)
        if version.status == FormVersion.Status.PUBLISHED and version.form.retired_at is None:
            current[record_type][version.form.key] = version.document
            in_force[version.form.key] = version.number
    enabled = [rt for rt in tenant.record_types if rt in current or rt in history]
    schemas = {
        rt: build_record_schema(
            list(current.get(rt, {}).values()), published=history[rt], lookups=lookups
        )
        for rt in enabled
    }
    digest_source = {
        "locales": [tenant.default_locale, *tenant.locales],
        "record_types": enabled,
        "current": {rt: current.get(rt, {}) for rt in enabled},
        "history": {rt: history[rt] for rt in enabled},
        "lookups": lookup_docs,
        "workflow": tenant.workflow,
    }
    digest = hashlib.sha256(
        json.dumps(digest_source, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    workflow = workflow_of(tenant)
    modules: dict[str, dict[str, frozenset[str]]] = defaultdict(dict)
    for module in Module.objects.filter(tenant=tenant):
        for record_type, keys in module.record_types.items():
            modules[record_type][module.key] = frozenset(keys)
    return TenantConfiguration(
        tenant_id=tenant.pk,
        config_version=tenant.config_version,
        digest=digest,
        default_locale=tenant.default_locale,
        locales=tuple(tenant.locales),
        record_types=schemas,
        form_versions=in_force,
        field_forms={rt: field_forms[rt] for rt in enabled},
        lookups=lookups,
        services=workflow.services,
        workflow_record_types=tuple(rt for rt in workflow.record_types if rt in enabled),
        modules=dict(modules),
    )
