"""`forms(recordType, module, locale)`: the form metadata clients need to render and validate
forms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.forms.configuration import TenantConfiguration, published_configuration
from backend.modules.services import granted_module
from backend.records.access import access_plan
from formengine import FieldDefinition, FieldPath, RecordSchema, condition_to_json
from graphql_schema.context import RequestContext
from graphql_schema.naming import field_name
from permissions.actions import require_action
from permissions.plan import RecordAccess


@strawberry.type
class OptionMeta:
    id: str
    label: str
    disabled: bool


@strawberry.type
class FormFieldMeta:
    name: str
    graphql_name: str
    type: str
    required: bool
    label: str
    help: str | None
    options: list[OptionMeta]
    visible_if: JSON | None
    tags: list[str]
    min: float | None
    max: float | None
    max_length: int | None
    pattern: str | None
    not_future: bool
    calculated: bool
    writable: bool = strawberry.field(description="Whether you may write this field.")
    fields: list[FormFieldMeta] = strawberry.field(description="A subform's entry fields.")


@strawberry.type
class FormMeta:
    key: str
    label: str
    version: int
    writable: bool = strawberry.field(description="Whether you may write fields of this form.")
    fields: list[FormFieldMeta]


def localized(text: Mapping[str, str], locale: str, default_locale: str) -> str:
    """The text in `locale`, else the tenant default, else any."""
    return text.get(locale) or text.get(default_locale) or next(iter(text.values()), "")


class _Describer:
    def __init__(
        self, schema: RecordSchema, access: RecordAccess, locale: str, default_locale: str
    ) -> None:
        self.schema, self.access, self.locale, self.default = schema, access, locale, default_locale

    def field(self, definition: FieldDefinition, parent: FieldPath = ()) -> FormFieldMeta:
        path = (*parent, definition.name)
        return FormFieldMeta(
            name=definition.name,
            graphql_name=field_name(definition.name),
            type=definition.type,
            required=definition.required,
            label=localized(definition.label, self.locale, self.default),
            help=localized(definition.help, self.locale, self.default) or None,
            options=[
                OptionMeta(
                    id=o.id,
                    label=localized(o.label, self.locale, self.default),
                    disabled=o.disabled,
                )
                for o in self.schema.options(definition)
            ],
            visible_if=condition_to_json(definition.visible_if)  # type: ignore[arg-type]
            if definition.visible_if
            else None,
            tags=sorted(definition.tags),
            min=definition.min,
            max=definition.max,
            max_length=definition.text_limit,
            pattern=definition.pattern,
            not_future=definition.not_future,
            calculated=definition.is_calculated,
            writable=self.access.may_write(path),
            fields=self.fields(definition.fields, path),
        )

    def fields(
        self, definitions: Sequence[FieldDefinition], parent: FieldPath = ()
    ) -> list[FormFieldMeta]:
        """Only the fields the caller may read, at every depth."""
        readable = self.access.readable_paths
        return [self.field(d, parent) for d in definitions if (*parent, d.name) in readable]


def describe_forms(
    configuration: TenantConfiguration,
    access: RecordAccess,
    record_type: str,
    locale: str | None,
    form_keys: frozenset[str] | None = None,
) -> list[FormMeta]:
    """The forms (of `form_keys`, when given) the access lets the caller read, with only
    their readable fields."""
    schema = configuration.schema_for(record_type)
    if schema is None:
        return []
    wanted = locale or configuration.default_locale
    describer = _Describer(schema, access, wanted, configuration.default_locale)
    described = []
    for form in schema.forms:
        if form_keys is not None and form.key not in form_keys:
            continue
        fields = describer.fields(form.fields)
        if not fields:
            continue
        described.append(
            FormMeta(
                key=form.key,
                label=localized(form.label, wanted, configuration.default_locale),
                version=configuration.form_versions.get(form.key, 0),
                writable=any(f.writable for f in fields),
                fields=fields,
            )
        )
    return described


@strawberry.type
class FormsQuery:
    @strawberry.field(
        description="Published forms of a record type, labels in `locale` "
        "(falling back to the tenant's default locale). Where the type has modules: the forms "
        "of `module` (UNKNOWN_MODULE, MODULE_NOT_GRANTED), or of all your modules without it."
    )
    def forms(
        self,
        info: Info[RequestContext, None],
        record_type: str,
        locale: str | None = None,
        module: str | None = None,
    ) -> list[FormMeta]:
        user = info.context.user
        require_action(user, "read", record_type)
        plan = access_plan(user, record_type)
        if module is not None:
            form_keys: frozenset[str] | None = plan.modules[granted_module(plan, module)]
        else:
            form_keys = plan.granted_forms()
        access = plan.full_access if form_keys is None else plan.forms_access(form_keys)
        configuration = published_configuration(user.tenant)
        return describe_forms(configuration, access, record_type, locale, form_keys)
