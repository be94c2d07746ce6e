"""Form administration for roles with `manage_forms`: drafts, publication, lookups, diffs."""

from __future__ import annotations

import base64
import binascii
from enum import Enum

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.errors import BadUserInput
from backend.forms import services, translations
from backend.forms.models import FormVersion
from backend.forms.xlsform_import import import_xlsform
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


@strawberry.enum(description="A translation sheet's file format.")
class TranslationFormat(Enum):
    CSV = "csv"
    XLSX = "xlsx"


@strawberry.type(description="A file to save, as a download would give it.")
class TranslationFile:
    filename: str
    media_type: str
    content: str = strawberry.field(description="The file's bytes, base64-encoded.")
    text: str | None = strawberry.field(description="CSV only: the same file as text.")


def _decoded(content: str) -> bytes:
    try:
        return base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise BadUserInput("content is not base64.", field="content") from None


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

    @strawberry.field(
        description="Every label of the tenant (forms, fields, help, options, lookups) as a "
        "sheet for translators: columns key, then one per locale."
    )
    def export_translations(
        self, info: Info[RequestContext, None], format: TranslationFormat
    ) -> TranslationFile:
        file = translations.export_translations(info.context.user, format.value)
        return TranslationFile(
            filename=file.filename,
            media_type=file.media_type,
            content=base64.b64encode(file.content).decode("ascii"),
            text=file.content.decode("utf-8-sig") if file.format == "csv" else None,
        )


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
class ImportXlsFormPayload(MutationPayload):
    form_version: FormVersionInfo | None = None
    warnings: list[str] = strawberry.field(
        default_factory=list, description="What was left out on purpose, by sheet and row."
    )


@strawberry.type
class ImportTranslationsPayload(MutationPayload):
    published_forms: list[str] = strawberry.field(
        default_factory=list, description="Forms republished with new labels."
    )
    updated_lookups: list[str] = strawberry.field(
        default_factory=list, description="Lookups whose option labels changed."
    )


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

    @strawberry.mutation(
        description="Convert an XLSForm workbook (.xlsx, base64) into a form draft; refused "
        "with one error per row that cannot be converted."
    )
    @mutation_payload
    def import_xls_form(
        self,
        info: Info[RequestContext, None],
        record_type: str,
        content: str,
        key: str | None = None,
        client_mutation_id: str | None = None,
    ) -> ImportXlsFormPayload:
        imported = import_xlsform(info.context.user, record_type, _decoded(content), key)
        return ImportXlsFormPayload(
            form_version=FormVersionInfo.of(imported.draft), warnings=imported.warnings
        )

    @strawberry.mutation(
        description="Apply a translation sheet (base64) exported by exportTranslations; "
        "refused whole on any error."
    )
    @mutation_payload
    def import_translations(
        self,
        info: Info[RequestContext, None],
        format: TranslationFormat,
        content: str,
        client_mutation_id: str | None = None,
    ) -> ImportTranslationsPayload:
        result = translations.import_translations(
            info.context.user, format.value, _decoded(content)
        )
        return ImportTranslationsPayload(
            published_forms=result.published_forms, updated_lookups=result.updated_lookups
        )
