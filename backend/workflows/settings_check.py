"""Workflow settings against the published forms: the shape, and every named field.

Each name a setting holds must be a current (not removed) field of the right record type,
place and type: the services' due date a date inside the services subform, the consent
field a boolean, an incident field mapped from a case field of the same kind. Run when the
settings change and when a publication or retirement changes the forms.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from backend.error_codes import ErrorCode
from backend.forms.configuration import TenantConfiguration
from backend.workflows.config import REQUIRED_SERVICE_KEYS, SERVICE_KEYS, TODAY
from formengine import FieldDefinition, ValueKind
from formengine.model import FieldType, is_valid_name

Path = tuple[str, ...]


@dataclass(frozen=True)
class SettingError:
    path: Path  # keys inside the settings, e.g. ("services", "due_date_field")
    code: ErrorCode
    message: str
    field: str = ""  # the form field the setting names, when the error is about it
    record_type: str = ""  # where that field was looked for
    missing: bool = False  # that field is not in the published forms (or was removed)

    def as_dict(self) -> dict[str, Any]:
        return {"path": list(self.path), "code": str(self.code), "message": self.message}


KEYS = frozenset(
    {
        "record_types",
        "approval_types",
        "stages",
        "stage_on_request",
        "stage_on_approval",
        "stage_on_close",
        "stage_on_reopen",
        "closure_approval_type",
        "closure_reason_field",
        "consent_field",
        "services",
        "incident_from_case",
        "incident_defaults",
        "location_fields",
    }
)
_REASON_TYPES = frozenset({FieldType.SELECT, FieldType.RADIO, FieldType.TEXT, FieldType.TEXTAREA})
_SERVICE_TYPE_TYPES = frozenset({FieldType.SELECT, FieldType.RADIO, FieldType.TEXT})
_DATES = frozenset({ValueKind.DATE, ValueKind.DATETIME})
# A service is implemented when this is true, or holds when it was (a date or datetime).
_IMPLEMENTED = frozenset({ValueKind.BOOLEAN, *_DATES})


def validate_workflow_settings(
    settings: object, configuration: TenantConfiguration
) -> list[SettingError]:
    """Every problem of the settings at once; empty when they fit the published forms."""
    if not isinstance(settings, Mapping):
        return [_error((), "Workflow settings are a JSON object.")]
    check = _Check(settings, configuration)
    check.run()
    return check.errors


def introduced_errors(
    settings: object, before: TenantConfiguration, after: TenantConfiguration
) -> list[SettingError]:
    """What a change of the forms breaks: errors against `after` about a named field that
    `before` had, and that were not errors before. (Fields not published yet, as while a
    tenant's forms are first published one by one, break nothing.)"""
    old = {(e.path, e.message) for e in validate_workflow_settings(settings, before)}
    return [
        e
        for e in validate_workflow_settings(settings, after)
        if e.field and (e.path, e.message) not in old and _holds(before, e.record_type, e.field)
    ]


def _holds(configuration: TenantConfiguration, record_type: str, name: str) -> bool:
    """The record type (no type: any) has a current field of that name, at the top or in a
    subform."""
    types = [record_type] if record_type else list(configuration.record_types)
    for schema in filter(None, map(configuration.schema_for, types)):
        for found in schema.current_fields:
            if found.name == name or any(c.name == name and not c.deprecated for c in found.fields):
                return True
    return False


def _error(path: Path, message: str, **named: Any) -> SettingError:
    return SettingError(path, ErrorCode.INVALID_WORKFLOW_SETTINGS, message, **named)


def _dotted(path: Path) -> str:
    return ".".join(path) or "workflow settings"


class _Check:
    def __init__(self, settings: Mapping[str, Any], configuration: TenantConfiguration) -> None:
        self.settings = settings
        self.configuration = configuration
        self.errors: list[SettingError] = []

    def fail(self, path: Path, message: str, **named: Any) -> None:
        self.errors.append(_error(path, f"{_dotted(path)}: {message}", **named))

    def run(self) -> None:
        for key in sorted(set(self.settings) - KEYS):
            self.fail((key,), "not a workflow setting; known: " + ", ".join(sorted(KEYS)))
        record_types = self.name_list("record_types")
        for index, record_type in enumerate(record_types):
            if record_type not in self.configuration.record_types:
                self.fail(
                    ("record_types", str(index)),
                    f"`{record_type}` has no published forms in this tenant.",
                )
        approvals = self.name_list("approval_types")
        stages = self.name_list("stages")
        for key in ("stage_on_request", "stage_on_approval"):
            for approval, stage in self.name_map(key).items():
                if approval not in approvals:
                    self.fail((key, approval), f"`{approval}` is not one of approval_types.")
                if stage not in stages:
                    self.fail((key, approval), f"`{stage}` is not one of stages.")
        for key in ("stage_on_close", "stage_on_reopen"):
            stage = self.name(key)
            if stage and stage not in stages:
                self.fail((key,), f"`{stage}` is not one of stages.")
        closure = self.name("closure_approval_type")
        if closure and closure not in approvals:
            self.fail(("closure_approval_type",), f"`{closure}` is not one of approval_types.")
        self.consent_field(record_types)
        self.closure_reason_field(record_types)
        self.services()
        self.incident_from_case()
        self.incident_defaults()
        self.location_fields()

    # shapes

    def name(self, key: str) -> str:
        value = self.settings.get(key, "")
        if value is None or value == "":
            return ""
        if not isinstance(value, str) or not is_valid_name(value):
            self.fail((key,), "a snake_case name, or empty.")
            return ""
        return value

    def name_list(self, key: str) -> list[str]:
        value = self.settings.get(key, [])
        if not isinstance(value, list):
            self.fail((key,), "a list of snake_case names.")
            return []
        names: list[str] = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not is_valid_name(item):
                self.fail((key, str(index)), "a snake_case name.")
            elif item in names:
                self.fail((key, str(index)), f"`{item}` is listed twice.")
            else:
                names.append(item)
        return names

    def name_map(self, key: str) -> dict[str, str]:
        value = self.settings.get(key, {})
        if not isinstance(value, Mapping):
            self.fail((key,), "an object of snake_case name to snake_case name.")
            return {}
        names: dict[str, str] = {}
        for source, target in value.items():
            if not (is_valid_name(source) and isinstance(target, str) and is_valid_name(target)):
                self.fail((key, str(source)), "a snake_case name to a snake_case name.")
            else:
                names[source] = target
        return names

    # named fields

    def field(
        self,
        path: Path,
        record_type: str,
        name: str,
        suits: Callable[[FieldDefinition], bool],
        wanted: str,
        *,
        subform: FieldDefinition | None = None,
    ) -> FieldDefinition | None:
        """The current field `name` of the record type (or of the subform), of a suitable type."""
        schema = self.configuration.schema_for(record_type)
        found = (
            (subform.field(name) if subform is not None else schema.field(name)) if schema else None
        )
        where = (
            f"the `{subform.name}` subform of the published {record_type} forms does not have"
            if subform is not None
            else f"the published {record_type} forms do not have"
        )
        if found is None or found.deprecated:
            self.fail(
                path,
                f"names `{name}`, which {where}.",
                field=name,
                record_type=record_type,
                missing=True,
            )
            return None
        if not suits(found):
            message = f"names `{name}`, a {found.type} field; it must be {wanted}."
            self.fail(path, message, field=name, record_type=record_type)
            return None
        return found

    def consent_field(self, record_types: Sequence[str]) -> None:
        name = self.name("consent_field")
        for record_type in record_types if name else ():
            if record_type in self.configuration.record_types:
                self.field(
                    ("consent_field",),
                    record_type,
                    name,
                    lambda f: f.value_kind == ValueKind.BOOLEAN,
                    "a boolean",
                )

    def location_fields(self) -> None:
        """record type -> the top-level location field that places its records (scope,
        filters); a record type left out uses its first top-level location field."""
        for record_type, name in self.name_map("location_fields").items():
            if record_type not in self.configuration.record_types:
                self.fail(
                    ("location_fields", record_type),
                    f"`{record_type}` has no published forms in this tenant.",
                )
                continue
            self.field(
                ("location_fields", record_type),
                record_type,
                name,
                lambda f: f.type == FieldType.LOCATION,
                "a location field",
            )

    def closure_reason_field(self, record_types: Sequence[str]) -> None:
        name = self.name("closure_reason_field")
        if not name:
            return
        holders = [
            rt
            for rt in record_types
            if (schema := self.configuration.schema_for(rt)) and schema.field(name)
        ]
        if not holders:
            self.fail(
                ("closure_reason_field",),
                f"names `{name}`, which no published form of "
                + (" or ".join(record_types) or "a workflow record type")
                + " has.",
                field=name,
                missing=True,
            )
        for record_type in holders:
            self.field(
                ("closure_reason_field",),
                record_type,
                name,
                lambda f: f.type in _REASON_TYPES,
                "a select, radio, text or textarea",
            )

    def services(self) -> None:
        value = self.settings.get("services")
        if value is None:
            return
        if not isinstance(value, Mapping):
            self.fail(("services",), "an object naming the services subform and its fields.")
            return
        for key in sorted(set(value) - set(SERVICE_KEYS)):
            known = ", ".join(SERVICE_KEYS)
            self.fail(("services", key), f"not a services setting; known: {known}")
        names: dict[str, str] = {}
        for key in SERVICE_KEYS:
            item = value.get(key, "")
            if item == "" and key not in REQUIRED_SERVICE_KEYS:
                continue
            if not isinstance(item, str) or not is_valid_name(item):
                self.fail(("services", key), "a snake_case name.")
            else:
                names[key] = item
        record_type, subform_name = names.get("record_type"), names.get("field")
        if not record_type or not subform_name:
            return
        if record_type not in self.configuration.record_types:
            message = f"`{record_type}` has no published forms in this tenant."
            self.fail(("services", "record_type"), message)
            return
        subform = self.field(
            ("services", "field"),
            record_type,
            subform_name,
            lambda f: f.value_kind == ValueKind.SUBFORM,
            "a subform",
        )
        if subform is None:
            return
        inside: list[tuple[str, Callable[[FieldDefinition], bool], str]] = [
            ("due_date_field", lambda f: f.value_kind in _DATES, "a date or datetime"),
            (
                "implemented_field",
                lambda f: f.value_kind in _IMPLEMENTED,
                "a boolean, date or datetime",
            ),
            ("type_field", lambda f: f.type in _SERVICE_TYPE_TYPES, "a select, radio or text"),
        ]
        for key, suits, wanted in inside:
            if key in names:
                self.field(
                    ("services", key), record_type, names[key], suits, wanted, subform=subform
                )

    def incident_from_case(self) -> None:
        mapping = self.name_map("incident_from_case")
        if not mapping:
            return
        for record_type in ("case", "incident"):
            if record_type not in self.configuration.record_types:
                self.fail(
                    ("incident_from_case",),
                    f"maps fields, but {record_type} has no published forms in this tenant.",
                )
                return
        for source, target in mapping.items():
            path = ("incident_from_case", source)
            case_field = self.field(path, "case", source, _copyable, "a field holding a value")
            incident_field = self.field(
                path, "incident", target, _writable, "a field a record write may set"
            )
            if case_field and incident_field and case_field.value_kind != incident_field.value_kind:
                self.fail(
                    path,
                    f"copies `{source}` ({case_field.type}) into `{target}` "
                    f"({incident_field.type}); they must hold the same kind of value.",
                    field=target,
                    record_type="incident",
                )

    def incident_defaults(self) -> None:
        value = self.settings.get("incident_defaults", {})
        if not isinstance(value, Mapping):
            self.fail(("incident_defaults",), "an object of incident field to its first value.")
            return
        if value and "incident" not in self.configuration.record_types:
            self.fail(("incident_defaults",), "incident has no published forms in this tenant.")
            return
        for name, default in value.items():
            path = ("incident_defaults", str(name))
            found = self.field(path, "incident", str(name), _writable, "a field a write may set")
            if found and default == TODAY and found.value_kind not in _DATES:
                self.fail(path, f"`{TODAY}` fits date fields only; `{name}` is a {found.type}.")


def _copyable(definition: FieldDefinition) -> bool:
    return definition.value_kind not in (ValueKind.NONE, ValueKind.SUBFORM)


def _writable(definition: FieldDefinition) -> bool:
    return _copyable(definition) and not definition.is_calculated


def broken_by(errors: Sequence[SettingError], cause: str) -> list[SettingError]:
    """The errors a form change brings, told as what the change does to each setting."""
    return [
        replace(
            e,
            code=ErrorCode.BREAKS_WORKFLOW_SETTINGS,
            message=f"Workflow setting {_dotted(e.path)} names `{e.field}`, which {cause}."
            if e.missing
            else f"After this change, workflow setting {e.message}",
        )
        for e in errors
    ]
