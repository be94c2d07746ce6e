"""Modules: `modules`, and for roles with `manage_forms` `saveModule` / `removeModule`."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.modules import services
from backend.modules.models import Module
from graphql_schema.context import RequestContext
from graphql_schema.payloads import MutationPayload, mutation_payload


@strawberry.type(description="A programme with its own forms per record type.")
class ModuleInfo:
    key: str
    label: JSON = strawberry.field(description='Per locale: {"en": "Child protection"}.')
    record_types: JSON = strawberry.field(
        description='Form keys per record type: {"case": ["registration", ...]}.'
    )

    @classmethod
    def of(cls, module: Module) -> ModuleInfo:
        return cls(key=module.key, label=module.label, record_types=module.record_types)


@strawberry.type
class ModulesQuery:
    @strawberry.field(
        description="The tenant's modules: all of them for roles that manage forms, else "
        "those granted to you."
    )
    def modules(self, info: Info[RequestContext, None]) -> list[ModuleInfo]:
        return [ModuleInfo.of(m) for m in services.list_modules(info.context.user)]


@strawberry.type
class SaveModulePayload(MutationPayload):
    module: ModuleInfo | None = None


@strawberry.type
class RemoveModulePayload(MutationPayload):
    removed: bool = False


@strawberry.type
class ModulesMutation:
    @strawberry.mutation(
        description='Create or replace a module: {"key": "cp", "label": {"en": ...}, '
        '"record_types": {"case": [form keys]}}. Every problem is listed (INVALID_MODULE); '
        "a record type that records of the module belong to stays (MODULE_IN_USE)."
    )
    @mutation_payload
    def save_module(
        self,
        info: Info[RequestContext, None],
        definition: JSON,
        client_mutation_id: str | None = None,
    ) -> SaveModulePayload:
        module = services.save_module(info.context.user, definition)
        return SaveModulePayload(module=ModuleInfo.of(module))

    @strawberry.mutation(
        description="Remove a module no record belongs to (MODULE_IN_USE otherwise); it "
        "leaves every role's and user's grants."
    )
    @mutation_payload
    def remove_module(
        self, info: Info[RequestContext, None], key: str, client_mutation_id: str | None = None
    ) -> RemoveModulePayload:
        services.remove_module(info.context.user, key)
        return RemoveModulePayload(removed=True)
