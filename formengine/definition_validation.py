"""Validation of a record type's form set: every error at once, each with a JSON path.

`validate_form_set` checks the shape of each document here, then hands the parsed fields to
reference_checks.py for what spans fields and forms (unique names, conditions, calculations).
Paths start at the list of documents: `$[1].fields[3].visible_if.eq[0]`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from formengine.defaults import check_default
from formengine.errors import DefinitionCode as Code
from formengine.errors import DefinitionError
from formengine.model import (
    FIELD_PROPERTY_TYPES,
    FIELD_TYPES,
    FORM_PROPERTIES,
    MAX_SUBFORM_DEPTH,
    NAME_MAX_LENGTH,
    REQUIRED_FIELD_PROPERTIES,
    REQUIRED_FORM_PROPERTIES,
    RESERVED_ENTRY_FIELD_NAMES,
    RESERVED_FIELD_NAMES,
    is_valid_name,
)
from formengine.parse import LookupOptions, parse_field, parse_form
from formengine.property_checks import (
    check_calculation_shape,
    check_constraints,
    check_localized_text,
    check_options,
    check_tags,
    invalid_property,
)
from formengine.reference_checks import FieldSite, FormSite, check_references


def validate_form_set(
    docs: Sequence[Any], lookups: Mapping[str, LookupOptions] | None = None
) -> list[DefinitionError]:
    """Every error in the forms of one record type, checked together.

    `lookups` maps lookup names to their options. With `None` the lookups are unknown and
    not checked (lookup references and option ids in conditions on lookup fields pass); with
    a mapping, a field naming a lookup outside it is an `UNKNOWN_LOOKUP` error.
    """
    errors: list[DefinitionError] = []
    sites: list[FormSite] = []
    for index, doc in enumerate(docs):
        path = f"$[{index}]"
        if not isinstance(doc, Mapping):
            errors.append(DefinitionError(path, Code.INVALID_DOCUMENT, "a form is a JSON object"))
            continue
        errors += _check_form(doc, path, lookups)
        form = parse_form(doc)
        sites.append(FormSite(form, path, _field_sites(doc.get("fields"), f"{path}.fields")))
    errors += _check_set(sites)
    errors += check_references(sites, lookups)
    return sorted(errors, key=lambda error: _natural_key(error.path))


def _natural_key(path: str) -> list[tuple[int, int | str]]:
    # "fields[9]" before "fields[10]"; the sort is stable, so one path keeps its order.
    return [(0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", path)]


def _field_sites(raw: Any, path: str) -> tuple[FieldSite, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        FieldSite(
            parse_field(item),
            f"{path}[{i}]",
            item,
            _field_sites(item.get("fields"), f"{path}[{i}].fields"),
        )
        for i, item in enumerate(raw)
        if isinstance(item, Mapping)
    )


def _check_set(sites: Sequence[FormSite]) -> list[DefinitionError]:
    errors: list[DefinitionError] = []
    record_types = [s.form.record_type for s in sites if s.form.record_type]
    expected = max(record_types, key=record_types.count) if record_types else ""
    keys: dict[str, str] = {}
    for site in sites:
        form = site.form
        if form.record_type and form.record_type != expected:
            errors.append(
                DefinitionError(
                    f"{site.path}.record_type",
                    Code.RECORD_TYPE_MISMATCH,
                    f"form '{form.key}' is for record type '{form.record_type}', the other "
                    f"forms of this set are for '{expected}'",
                )
            )
        if form.key in keys:
            errors.append(
                DefinitionError(
                    f"{site.path}.key",
                    Code.DUPLICATE_FORM_KEY,
                    f"form key '{form.key}' is already used by {keys[form.key]}",
                )
            )
        elif form.key:
            keys[form.key] = site.path
    return errors


def _check_form(
    doc: Mapping[str, Any], path: str, lookups: Mapping[str, LookupOptions] | None
) -> list[DefinitionError]:
    errors = [
        DefinitionError(f"{path}.{key}", Code.UNKNOWN_PROPERTY, f"unknown form property '{key}'")
        for key in doc
        if key not in FORM_PROPERTIES
    ]
    errors += [
        DefinitionError(path, Code.MISSING_PROPERTY, f"a form needs '{key}'")
        for key in REQUIRED_FORM_PROPERTIES
        if key not in doc
    ]
    for key, code in (("key", Code.INVALID_FORM_KEY), ("record_type", Code.INVALID_RECORD_TYPE)):
        if key in doc and not is_valid_name(doc[key]):
            errors.append(
                DefinitionError(f"{path}.{key}", code, f"'{key}' must be snake_case, {_NAME_RULE}")
            )
    errors += check_localized_text(doc, "label", path)
    errors += check_localized_text(doc, "help", path)
    fields = doc.get("fields")
    if "fields" in doc and not isinstance(fields, list):
        errors.append(
            DefinitionError(f"{path}.fields", Code.INVALID_PROPERTY_VALUE, "'fields' is a list")
        )
    elif isinstance(fields, list):
        for i, raw in enumerate(fields):
            errors += _check_field(raw, f"{path}.fields[{i}]", 0, lookups)
    return errors


_NAME_RULE = f"lower-case letters, digits and single underscores, at most {NAME_MAX_LENGTH} long"


def _check_field(
    raw: Any, path: str, depth: int, lookups: Mapping[str, LookupOptions] | None
) -> list[DefinitionError]:
    if not isinstance(raw, Mapping):
        return [DefinitionError(path, Code.INVALID_DOCUMENT, "a field is a JSON object")]
    errors = _check_name(raw, path, depth)
    field_type = raw.get("type")
    if "type" not in raw:
        errors.append(DefinitionError(path, Code.MISSING_PROPERTY, "a field needs a 'type'"))
        known_type = False
    elif field_type not in FIELD_TYPES:
        errors.append(
            DefinitionError(
                f"{path}.type",
                Code.UNKNOWN_FIELD_TYPE,
                f"unknown field type {field_type!r}; known types: {', '.join(FIELD_TYPES)}",
            )
        )
        known_type = False
    else:
        known_type = True
    for key in raw:
        applies_to = FIELD_PROPERTY_TYPES.get(key)
        if applies_to is None:
            errors.append(
                DefinitionError(f"{path}.{key}", Code.UNKNOWN_PROPERTY, f"unknown property '{key}'")
            )
        elif known_type and field_type not in applies_to:
            errors.append(
                DefinitionError(
                    f"{path}.{key}",
                    Code.PROPERTY_NOT_APPLICABLE,
                    f"'{key}' does not apply to a {field_type} field",
                )
            )
    if known_type:
        for key, types in REQUIRED_FIELD_PROPERTIES.items():
            if field_type in types and key not in raw and key not in ("name", "type"):
                code = Code.MISSING_OPTIONS if key == "options" else Code.MISSING_PROPERTY
                errors.append(DefinitionError(path, code, f"a {field_type} field needs '{key}'"))
    errors += check_localized_text(raw, "label", path)
    errors += check_localized_text(raw, "help", path)
    for key in ("required", "not_future", "read_only", "hidden", "multiple"):
        if key in raw and not isinstance(raw[key], bool):
            errors.append(invalid_property(path, key, "true or false"))
    errors += check_tags(raw, path)
    if "options" in raw:
        errors += check_options(raw["options"], f"{path}.options", lookups, field_type)
    errors += check_constraints(raw, path, field_type)
    if "fields" in raw:
        errors += _check_subform_fields(raw["fields"], path, depth, lookups)
    if "calculate" in raw:
        errors += check_calculation_shape(raw["calculate"], f"{path}.calculate")
    if "default" in raw and known_type and field_type in FIELD_PROPERTY_TYPES["default"]:
        errors += check_default(parse_field(raw), path, lookups)
    return errors


def _check_name(raw: Mapping[str, Any], path: str, depth: int) -> list[DefinitionError]:
    if "name" not in raw:
        return [DefinitionError(path, Code.MISSING_PROPERTY, "a field needs a 'name'")]
    name = raw["name"]
    if not is_valid_name(name):
        return [
            DefinitionError(
                f"{path}.name", Code.INVALID_FIELD_NAME, f"field name {name!r}: {_NAME_RULE}"
            )
        ]
    reserved, where = (
        (RESERVED_FIELD_NAMES, "record fields")
        if depth == 0
        else (RESERVED_ENTRY_FIELD_NAMES, "subform entry fields")
    )
    if name in reserved:
        return [
            DefinitionError(
                f"{path}.name",
                Code.RESERVED_FIELD_NAME,
                f"'{name}' is reserved for the platform's own {where}",
            )
        ]
    return []


def _check_subform_fields(
    fields: Any, path: str, depth: int, lookups: Mapping[str, LookupOptions] | None
) -> list[DefinitionError]:
    if not isinstance(fields, list):
        return [invalid_property(path, "fields", "a list of fields")]
    if not fields:
        return [DefinitionError(f"{path}.fields", Code.EMPTY_SUBFORM, "a subform needs fields")]
    if depth >= MAX_SUBFORM_DEPTH:
        return [
            DefinitionError(
                path,
                Code.SUBFORM_TOO_DEEP,
                "a subform inside a subform cannot contain another subform",
            )
        ]
    errors: list[DefinitionError] = []
    for i, raw in enumerate(fields):
        errors += _check_field(raw, f"{path}.fields[{i}]", depth + 1, lookups)
    return errors
