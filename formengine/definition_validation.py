"""Validation of a record type's form set: every error at once, each with a JSON path.

`validate_form_set` checks the shape of each document here, then hands the parsed fields to
reference_checks.py for what spans fields and forms (unique names, conditions, calculations).
Paths start at the list of documents: `$[1].fields[3].visible_if.eq[0]`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from formengine.calculations import CALCULATION_OPERATORS, RESULT_KINDS
from formengine.errors import DefinitionCode as Code
from formengine.errors import DefinitionError
from formengine.model import (
    FIELD_PROPERTY_TYPES,
    FIELD_TYPES,
    FORM_PROPERTIES,
    LOCALE_PATTERN,
    MAX_SUBFORM_DEPTH,
    NAME_MAX_LENGTH,
    OPTION_ID_PATTERN,
    REQUIRED_FIELD_PROPERTIES,
    REQUIRED_FORM_PROPERTIES,
    RESERVED_FIELD_NAMES,
    TAGS,
    FieldType,
    is_valid_name,
)
from formengine.parse import LookupOptions, parse_field, parse_form
from formengine.reference_checks import FieldSite, FormSite, check_references

_LOCALE_RE = re.compile(LOCALE_PATTERN)
_OPTION_ID_RE = re.compile(OPTION_ID_PATTERN)


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
    errors += _check_localized_text(doc, "label", path)
    errors += _check_localized_text(doc, "help", path)
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
    errors = _check_name(raw, path)
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
    errors += _check_localized_text(raw, "label", path)
    errors += _check_localized_text(raw, "help", path)
    for key in ("required", "not_future"):
        if key in raw and not isinstance(raw[key], bool):
            errors.append(_invalid(path, key, "true or false"))
    errors += _check_tags(raw, path)
    if "options" in raw:
        errors += _check_options(raw["options"], f"{path}.options", lookups)
    errors += _check_constraints(raw, path, field_type)
    if "fields" in raw:
        errors += _check_subform_fields(raw["fields"], path, depth, lookups)
    if "calculate" in raw:
        errors += _check_calculation_shape(raw["calculate"], f"{path}.calculate")
    return errors


def _check_name(raw: Mapping[str, Any], path: str) -> list[DefinitionError]:
    if "name" not in raw:
        return [DefinitionError(path, Code.MISSING_PROPERTY, "a field needs a 'name'")]
    name = raw["name"]
    if not is_valid_name(name):
        return [
            DefinitionError(
                f"{path}.name", Code.INVALID_FIELD_NAME, f"field name {name!r}: {_NAME_RULE}"
            )
        ]
    if name in RESERVED_FIELD_NAMES:
        return [
            DefinitionError(
                f"{path}.name",
                Code.RESERVED_FIELD_NAME,
                f"'{name}' is reserved for the platform's own record fields",
            )
        ]
    return []


def _invalid(path: str, key: str, expected: str) -> DefinitionError:
    return DefinitionError(
        f"{path}.{key}", Code.INVALID_PROPERTY_VALUE, f"'{key}' must be {expected}"
    )


def _check_localized_text(raw: Mapping[str, Any], key: str, path: str) -> list[DefinitionError]:
    if key not in raw:
        return []
    text = raw[key]
    message = f'\'{key}\' is an object of locale code to non-empty text, e.g. {{"en": "Age"}}'
    if not isinstance(text, Mapping) or not text:
        return [DefinitionError(f"{path}.{key}", Code.INVALID_LOCALIZED_TEXT, message)]
    return [
        DefinitionError(f"{path}.{key}.{locale}", Code.INVALID_LOCALIZED_TEXT, message)
        for locale, value in text.items()
        if not _LOCALE_RE.fullmatch(str(locale)) or not isinstance(value, str) or not value.strip()
    ]


def _check_tags(raw: Mapping[str, Any], path: str) -> list[DefinitionError]:
    tags = raw.get("tags")
    if "tags" not in raw:
        return []
    if not isinstance(tags, list):
        return [_invalid(path, "tags", f"a list of tags ({', '.join(TAGS)})")]
    return [
        DefinitionError(
            f"{path}.tags[{i}]", Code.UNKNOWN_TAG, f"unknown tag {tag!r}; known: {', '.join(TAGS)}"
        )
        for i, tag in enumerate(tags)
        if tag not in TAGS
    ]


def _check_options(
    options: Any, path: str, lookups: Mapping[str, LookupOptions] | None
) -> list[DefinitionError]:
    if isinstance(options, Mapping):
        lookup = options.get("lookup")
        if set(options) != {"lookup"} or not isinstance(lookup, str) or not lookup:
            return [
                DefinitionError(
                    path,
                    Code.INVALID_PROPERTY_VALUE,
                    "'options' is a list of {id, label} or {\"lookup\": name}",
                )
            ]
        if lookups is not None and lookup not in lookups:
            return [DefinitionError(f"{path}.lookup", Code.UNKNOWN_LOOKUP, f"no lookup '{lookup}'")]
        return []
    if not isinstance(options, list):
        return [
            DefinitionError(
                path, Code.INVALID_PROPERTY_VALUE, "'options' is a list or {\"lookup\": name}"
            )
        ]
    if not options:
        return [DefinitionError(path, Code.MISSING_OPTIONS, "the option list is empty")]
    errors: list[DefinitionError] = []
    seen: set[str] = set()
    for i, option in enumerate(options):
        option_path = f"{path}[{i}]"
        if not isinstance(option, Mapping):
            errors.append(
                DefinitionError(
                    option_path, Code.INVALID_PROPERTY_VALUE, "an option is {id, label}"
                )
            )
            continue
        errors += [
            DefinitionError(f"{option_path}.{k}", Code.UNKNOWN_PROPERTY, f"unknown property '{k}'")
            for k in option
            if k not in ("id", "label")
        ]
        option_id = option.get("id")
        if not isinstance(option_id, str) or not _OPTION_ID_RE.fullmatch(option_id):
            errors.append(
                DefinitionError(
                    f"{option_path}.id",
                    Code.INVALID_OPTION_ID,
                    f"option id {option_id!r}: letters, digits and _ . : -, at most 100 long",
                )
            )
        elif option_id in seen:
            errors.append(
                DefinitionError(
                    f"{option_path}.id", Code.DUPLICATE_OPTION_ID, f"duplicate option '{option_id}'"
                )
            )
        else:
            seen.add(option_id)
        if "label" not in option:
            errors.append(
                DefinitionError(option_path, Code.MISSING_PROPERTY, "an option needs a label")
            )
        errors += _check_localized_text(option, "label", option_path)
    return errors


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_constraints(raw: Mapping[str, Any], path: str, field_type: Any) -> list[DefinitionError]:
    errors: list[DefinitionError] = []
    for key in ("min", "max"):
        if key not in raw:
            continue
        value = raw[key]
        if field_type == FieldType.INTEGER and not (_is_number(value) and value == int(value)):
            errors.append(_invalid(path, key, "an integer"))
        elif not _is_number(value):
            errors.append(_invalid(path, key, "a number"))
    low: Any = raw.get("min")
    high: Any = raw.get("max")
    if _is_number(low) and _is_number(high) and low > high:
        errors.append(
            DefinitionError(f"{path}.min", Code.INVALID_RANGE, f"min {low} is above max {high}")
        )
    max_length = raw.get("max_length")
    if "max_length" in raw and not (
        isinstance(max_length, int) and not isinstance(max_length, bool) and max_length > 0
    ):
        errors.append(_invalid(path, "max_length", "a positive integer"))
    if "pattern" in raw:
        pattern = raw["pattern"]
        if not isinstance(pattern, str):
            errors.append(_invalid(path, "pattern", "a regular expression (a string)"))
        else:
            try:
                re.compile(pattern)
            except re.error as error:
                errors.append(
                    DefinitionError(
                        f"{path}.pattern",
                        Code.INVALID_PATTERN,
                        f"invalid regular expression: {error}",
                    )
                )
    return errors


def _check_subform_fields(
    fields: Any, path: str, depth: int, lookups: Mapping[str, LookupOptions] | None
) -> list[DefinitionError]:
    if not isinstance(fields, list):
        return [_invalid(path, "fields", "a list of fields")]
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


def _check_calculation_shape(raw: Any, path: str) -> list[DefinitionError]:
    if not isinstance(raw, Mapping):
        return [
            DefinitionError(
                path, Code.INVALID_PROPERTY_VALUE, "'calculate' is {op, args[, result]}"
            )
        ]
    errors = [
        DefinitionError(f"{path}.{key}", Code.UNKNOWN_PROPERTY, f"unknown property '{key}'")
        for key in raw
        if key not in ("op", "args", "result")
    ]
    op, args = raw.get("op"), raw.get("args")
    if op not in CALCULATION_OPERATORS:
        errors.append(
            DefinitionError(
                f"{path}.op",
                Code.UNKNOWN_CALCULATION_OPERATOR,
                f"unknown operator {op!r}; known: {', '.join(CALCULATION_OPERATORS)}",
            )
        )
    if not isinstance(args, list) or not args or not all(isinstance(a, str) for a in args):
        errors.append(
            DefinitionError(
                f"{path}.args",
                Code.INVALID_CALCULATION_ARGUMENTS,
                "'args' is a non-empty list of field names",
            )
        )
    elif op == "years_between" and len(args) != 2:
        errors.append(
            DefinitionError(
                f"{path}.args",
                Code.INVALID_CALCULATION_ARGUMENTS,
                "'years_between' takes two dates: [from, to]",
            )
        )
    if "result" in raw and raw["result"] not in RESULT_KINDS:
        errors.append(_invalid(path, "result", "'integer' or 'decimal'"))
    return errors
