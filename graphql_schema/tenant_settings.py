"""Tenant settings for roles with `manage_forms`: name, locales and workflow settings."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.tenancy import settings_service
from backend.tenancy.settings_service import TenantSettings
from graphql_schema.context import RequestContext
from graphql_schema.payloads import MutationPayload, mutation_payload

WORKFLOW_HELP = (
    "Which fields and stages workflows use (see the README, Workflow settings): "
    '{"services": {"record_type": "case", "field": "services", "due_date_field": ..., '
    '"implemented_field": ...}, "consent_field": ..., "stages": [...], ...}'
)

ATTACHMENT_TYPES_HELP = (
    "Per attachment field type (photo, signature, audio, document), the content types its "
    'files may have: {"audio": ["audio/mpeg", "audio/x-wav"], ...}. A field type left out keeps '
    "the defaults."
)


@strawberry.type(name="TenantSettings", description="A tenant's own settings.")
class TenantSettingsInfo:
    name: str
    default_locale: str
    locales: list[str]
    record_types: list[str] = strawberry.field(description="Record types this tenant works with.")
    workflow: JSON = strawberry.field(description=WORKFLOW_HELP)
    small_cell_threshold: int = strawberry.field(
        description="Aggregate counts under it are shown as `<N` to roles without the "
        "`exact_counts` action."
    )
    attachment_types: JSON = strawberry.field(description=ATTACHMENT_TYPES_HELP)

    @classmethod
    def of(cls, settings: TenantSettings) -> TenantSettingsInfo:
        return cls(
            name=settings.name,
            default_locale=settings.default_locale,
            locales=list(settings.locales),
            record_types=list(settings.record_types),
            workflow=JSON(settings.workflow),
            small_cell_threshold=settings.small_cell_threshold,
            attachment_types=JSON(settings.attachment_types),
        )


@strawberry.input(description="The settings to change; a field left out stays as it is.")
class TenantSettingsInput:
    name: str | None = None
    default_locale: str | None = strawberry.field(default=None, description="One of `locales`.")
    locales: list[str] | None = strawberry.field(
        default=None, description="Language tags: `en`, `fr`, `ar`, `pt-BR`."
    )
    workflow: JSON | None = strawberry.field(
        default=None,
        description="Replaces the workflow settings; checked against the published forms.",
    )
    small_cell_threshold: int | None = strawberry.field(
        default=None, description="1 to 100; 1 suppresses nothing."
    )
    attachment_types: JSON | None = strawberry.field(
        default=None,
        description="Replaces the tenant's choice of attachment types ({} for the defaults); "
        "only types the server checks for the field type (INVALID_ATTACHMENT_TYPES).",
    )


@strawberry.type
class TenantSettingsPayload(MutationPayload):
    tenant_settings: TenantSettingsInfo | None = None


@strawberry.type
class TenantSettingsQuery:
    @strawberry.field(description="The tenant's settings (manage_forms).")
    def tenant_settings(self, info: Info[RequestContext, None]) -> TenantSettingsInfo:
        return TenantSettingsInfo.of(settings_service.tenant_settings(info.context.user))


def _in_input(resolver: Any) -> Any:
    return mutation_payload(resolver, under=["input"])


@strawberry.type
class TenantSettingsMutation:
    @strawberry.mutation(
        description="Change the tenant's settings (manage_forms); refused, with every "
        "problem, unless all of it is valid."
    )
    @_in_input
    def update_tenant_settings(
        self,
        info: Info[RequestContext, None],
        input: TenantSettingsInput,
        client_mutation_id: str | None = None,
    ) -> TenantSettingsPayload:
        settings = settings_service.update_tenant_settings(
            info.context.user,
            {
                "name": input.name,
                "default_locale": input.default_locale,
                "locales": input.locales,
                "workflow": input.workflow,
                "small_cell_threshold": input.small_cell_threshold,
                "attachment_types": input.attachment_types,
            },
        )
        return TenantSettingsPayload(tenant_settings=TenantSettingsInfo.of(settings))
