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


@strawberry.type(
    description="Where an option field takes its options instead of `options`: fetch them "
    "yourself (`locations(adminLevel: ...)` for locations)."
)
class OptionSourceMeta:
    kind: str = strawberry.field(
        description="`agencies` (values are agency codes), `users` (usernames) or "
        "`locations` (location codes)."
    )
    admin_level: int | None = strawberry.field(
        description="For `locations`: only locations at this level (null: any level)."
    )


@strawberry.type
class FormFieldMeta:
    name: str
    graphql_name: str
    type: str
    required: bool
    label: str
    help: str | None
    options: list[OptionMeta]
    option_source: OptionSourceMeta | None = strawberry.field(
        description="Set when the options come from the tenant (then `options` is empty)."
    )
    multiple: bool = strawberry.field(
        description="An attachment field holding a list of attachment ids (not one)."
    )
    visible_if: JSON | None
    tags: list[str]
    min: float | None
    max: float | None
    max_length: int | None
    pattern: str | None
    not_future: bool
    precision: int | None = strawberry.field(
        description="A decimal's most digits after the decimal point."
    )
    calculated: bool
    read_only: bool = strawberry.field(
        description="Set by the server only (its default, calculations, workflows, imports)."
    )
    hidden: bool = strawberry.field(
        description="Stored and permitted as usual, but not shown when the form is rendered."
    )
    default: JSON | None = strawberry.field(
        description="The value a new record or subform entry gets without one: a value of "
        "the field, or `today`, `now`, `current_user`, `current_agency` (resolved by the "
        "server on create)."
    )
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

    def field(
        self, definition: FieldDefinition, parent: FieldPath = (), in_read_only: bool = False
    ) -> FormFieldMeta:
        path = (*parent, definition.name)
        read_only = in_read_only or definition.read_only
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
            option_source=OptionSourceMeta(
                kind=definition.source, admin_level=definition.admin_level
            )
            if definition.source is not None
            else None,
            multiple=definition.multiple,
            visible_if=condition_to_json(definition.visible_if)  # type: ignore[arg-type]
            if definition.visible_if
            else None,
            tags=sorted(definition.tags),
            min=definition.min,
            max=definition.max,
            max_length=definition.text_limit,
            pattern=definition.pattern,
            not_future=definition.not_future,
            precision=definition.precision,
            calculated=definition.is_calculated,
            read_only=read_only,
            hidden=definition.hidden,
            default=definition.default,
            writable=self.access.may_write(path) and not read_only,
            fields=self.fields(definition.fields, path, read_only),
        )

    def fields(
        self,
        definitions: Sequence[FieldDefinition],
        parent: FieldPath = (),
        in_read_only: bool = False,
    ) -> list[FormFieldMeta]:
        """Only the fields the caller may read, at every depth (hidden ones included)."""
        readable = self.access.readable_paths
        return [
            self.field(d, parent, in_read_only)
            for d in definitions
            if (*parent, d.name) in readable
        ]


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
