"""Form administration for roles with `manage_forms`: drafts, publication, lookups, diffs."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.forms import services
from backend.forms.models import FormVersion
from graphql_schema.context import RequestContext
from graphql_schema.payloads import MutationPayload, mutation_payload
from graphql_schema.scalars import DateTime


@strawberry.type
class FormVersionInfo:
    key: str
    record_type: str
    number: int
    status: str
    definition: JSON
    published_at: DateTime | None

    @classmethod
    def of(cls, version: FormVersion) -> FormVersionInfo:
        return cls(
            key=version.form.key,
            record_type=version.form.record_type,
            number=version.number,
            status=version.status,
            definition=version.document,
            published_at=version.published_at,
        )


@strawberry.type
class FormDiffInfo:
    changes: JSON = strawberry.field(description="Added, removed and changed fields and options.")
    summary: str = strawberry.field(description="The same changes, for people.")


@strawberry.type
class LookupInfo:
    key: str
    options: JSON


@strawberry.type
class FormAdminQuery:
    @strawberry.field(description="Every version of a form, oldest first.")
    def form_versions(self, info: Info[RequestContext, None], key: str) -> list[FormVersionInfo]:
        versions = services.form_versions(info.context.user, key)
        return [FormVersionInfo.of(v) for v in versions]

    @strawberry.field(description="What changed between two versions of a form.")
    def form_diff(
        self, info: Info[RequestContext, None], key: str, from_version: int, to_version: int
    ) -> FormDiffInfo:
        diff = services.form_diff(info.context.user, key, from_version, to_version)
        return FormDiffInfo(changes=diff.to_dict(), summary=diff.describe())  # type: ignore[arg-type]


@strawberry.type
class FormVersionPayload(MutationPayload):
    form_version: FormVersionInfo | None = None


@strawberry.type
class RetireFormPayload(MutationPayload):
    retired: bool = False


@strawberry.type
class SaveLookupPayload(MutationPayload):
    lookup: LookupInfo | None = None


@strawberry.type
class FormAdminMutation:
    @strawberry.mutation(
        description="Create or replace a form's draft (a form-definition "
        "document; see frontend_contract/form-definition.schema.json)."
    )
    @mutation_payload
    def save_form_draft(
        self,
        info: Info[RequestContext, None],
        definition: JSON,
        client_mutation_id: str | None = None,
    ) -> FormVersionPayload:
        version = services.save_form_draft(info.context.user, definition)
        return FormVersionPayload(form_version=FormVersionInfo.of(version))

    @strawberry.mutation(description="Publish a form's draft; refused when incompatible.")
    @mutation_payload
    def publish_form_version(
        self,
        info: Info[RequestContext, None],
        record_type: str,
        key: str,
        client_mutation_id: str | None = None,
    ) -> FormVersionPayload:
        version = services.publish_form_version(info.context.user, record_type, key)
        return FormVersionPayload(form_version=FormVersionInfo.of(version))

    @strawberry.mutation(description="Take a form out of use; its data stays readable.")
    @mutation_payload
    def retire_form(
        self, info: Info[RequestContext, None], key: str, client_mutation_id: str | None = None
    ) -> RetireFormPayload:
        services.retire_form(info.context.user, key)
        return RetireFormPayload(retired=True)

    @strawberry.mutation(description="Create or replace a lookup; left-out options are disabled.")
    @mutation_payload
    def save_lookup(
        self,
        info: Info[RequestContext, None],
        key: str,
        options: JSON,
        client_mutation_id: str | None = None,
    ) -> SaveLookupPayload:
        lookup = services.save_lookup(info.context.user, key, options)
        return SaveLookupPayload(lookup=LookupInfo(key=lookup.key, options=lookup.options))
