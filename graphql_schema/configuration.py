"""A tenant's whole configuration as one bundle: export, and import (all or nothing)."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.deployment import services
from graphql_schema.context import RequestContext
from graphql_schema.payloads import MutationPayload, mutation_payload


@strawberry.type
class ConfigurationQuery:
    @strawberry.field(
        description="The tenant's configuration (settings, lookups, published forms, roles) "
        "as one bundle, for importConfiguration here or on another server. Needs manage_forms."
    )
    def export_configuration(self, info: Info[RequestContext, None]) -> JSON:
        bundle: JSON = services.export_configuration(info.context.user)  # type: ignore[assignment]
        return bundle


@strawberry.type
class ImportConfigurationPayload(MutationPayload):
    changes: list[str] | None = strawberry.field(
        default=None, description="What the import changed, for people; empty when nothing."
    )
    config_version: int | None = strawberry.field(
        default=None, description="The tenant's configuration version after the import."
    )


@strawberry.type
class ConfigurationMutation:
    @strawberry.mutation(
        description="Import a bundle from exportConfiguration. Every problem is listed with "
        "its path under `bundle` and nothing is applied, or all of it is. Needs manage_forms "
        "and manage_users."
    )
    @mutation_payload
    def import_configuration(
        self,
        info: Info[RequestContext, None],
        bundle: JSON,
        client_mutation_id: str | None = None,
    ) -> ImportConfigurationPayload:
        report = services.import_configuration(info.context.user, bundle)
        return ImportConfigurationPayload(
            changes=report.changes, config_version=report.config_version
        )
