"""Compiled schemas, cached by the digest of a tenant's published configuration.

Tenants with identical configuration share one schema. A request picks its schema once, at
its start, from the tenant's current `config_version`; a publish elsewhere changes what the
next request sees, never the request already running.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import strawberry
from django.conf import settings
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types.field import StrawberryField

from backend.forms.configuration import TenantConfiguration, published_configuration
from backend.observability.metrics import SCHEMA_COMPILE
from backend.records.filtering.catalogue import catalogue
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant
from graphql_schema.compiled_schema import TenantSchema, static_types
from graphql_schema.execution import DictRecordExecutionContext
from graphql_schema.input_text import InputTextCheck
from graphql_schema.limits.extension import DocumentLimits
from graphql_schema.matching import matching_fields
from graphql_schema.node import node_fields
from graphql_schema.records.definitions import compiled_type
from graphql_schema.records.filters import compile_filter_types
from graphql_schema.records.operations import RecordResolvers, record_operations
from graphql_schema.records.types import compile_record_types
from graphql_schema.scalars import SCALAR_MAP, resolve_attribute
from graphql_schema.schema import Mutation, Query
from graphql_schema.schema_cache import SchemaCache, estimated_bytes
from graphql_schema.sync import sync_fields
from graphql_schema.sync_push import sync_record_fields
from graphql_schema.workflows.mutations import record_type_mutations, workflow_mutations
from graphql_schema.workflows.record_fields import workflow_fields
from graphql_schema.workflows.records import any_record, mark_record_type

# Built once: the validation cache keys on the rule classes, new ones per request would miss.
LIMIT_RULES = [
    *QueryDepthLimiter(max_depth=15).validation_rules,
    *MaxAliasesLimiter(max_alias_count=50).validation_rules,
]

_schemas = SchemaCache(
    max_bytes=settings.SCHEMA_REGISTRY_MAX_MB * 2**20,
    max_count=settings.SCHEMA_REGISTRY_MAX_COUNT,
)


def _static_fields(root: type) -> list[StrawberryField]:
    return list(root.__strawberry_definition__.fields)  # type: ignore[attr-defined]


def build_schema(
    query_fields: list[StrawberryField],
    mutation_fields: list[StrawberryField],
    schema_class: type[strawberry.Schema] = strawberry.Schema,
) -> strawberry.Schema:
    return schema_class(
        query=compiled_type("Query", query_fields),
        mutation=compiled_type("Mutation", mutation_fields),
        config=StrawberryConfig(
            default_resolver=resolve_attribute,
            scalar_map=SCALAR_MAP,  # type: ignore[arg-type]
        ),
        execution_context_class=DictRecordExecutionContext,
        # First the text check (no NUL or lone surrogate reaches the parser or an error
        # message); then DocumentLimits parses (and caches) only documents within the size
        # limits and refuses an over-budget query, before the validation cache sees it.
        extensions=[
            InputTextCheck,
            DocumentLimits,
            lambda: AddValidationRules(LIMIT_RULES),
            lambda: ValidationCache(maxsize=256),
        ],
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A compile makes thousands of long-lived objects: the cyclic collector, run over the
    whole process each time they pile up, would free none of them (a fifth of the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:  # a compile running alongside on another thread leaves it to this one
            gc.enable()


def compile_schema(configuration: TenantConfiguration) -> strawberry.Schema:
    with _collector_paused():
        return _compile(configuration)


def _compile(configuration: TenantConfiguration) -> strawberry.Schema:
    queries = _static_fields(Query)
    mutations = _static_fields(Mutation)
    resolvers: dict[str, RecordResolvers] = {}
    for record_type in sorted(configuration.record_types):
        has_workflow = record_type in configuration.workflow_record_types
        types = compile_record_types(
            configuration.record_types[record_type],
            extra_fields=[
                *(workflow_fields() if has_workflow else ()),
                *sync_record_fields(),
            ],
            services=configuration.services,
        )
        mark_record_type(types)
        resolvers[record_type] = RecordResolvers(types)
        filters = compile_filter_types(
            record_type,
            catalogue(
                configuration.record_types[record_type],
                has_modules=bool(configuration.modules.get(record_type)),
            ),
        )
        extra_queries, extra_mutations = record_operations(resolvers[record_type], filters)
        queries += extra_queries
        mutations += extra_mutations
        if has_workflow:
            mutations += record_type_mutations(types.output, resolvers[record_type])
    if configuration.workflow_record_types:
        mutations += workflow_mutations(any_record(resolvers), resolvers)
    return build_schema(
        queries + node_fields(resolvers) + sync_fields(resolvers) + matching_fields(resolvers),
        mutations,
        _TenantSchema,
    )


def _compile_measured(configuration: TenantConfiguration) -> tuple[strawberry.Schema, int]:
    with SCHEMA_COMPILE.time():
        schema = compile_schema(configuration)
    return schema, estimated_bytes(schema, _TenantSchema.shared_types)


def schema_for_tenant(tenant: Tenant) -> strawberry.Schema:
    configuration = published_configuration(tenant)
    return _schemas.get_or_compile(configuration.digest, lambda: _compile_measured(configuration))


base_schema = build_schema(_static_fields(Query) + node_fields({}), _static_fields(Mutation))


class _TenantSchema(TenantSchema):
    shared_types = static_types(base_schema)


def warm_schemas() -> int:
    """Compile the tenants' schemas now (at a worker's start), as many as the registry holds;
    returns how many tenants were warmed."""
    warmed = 0
    for tenant in Tenant.objects.order_by("pk").iterator():
        if len(_schemas) >= _schemas.max_count or _schemas.total_bytes >= _schemas.max_bytes:
            break  # more would only push out the ones just compiled
        with tenant_transaction(tenant.pk):
            schema_for_tenant(tenant)
        warmed += 1
    return warmed
