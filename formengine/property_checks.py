"""Checks of single properties of a field or form: texts, tags, options, bounds, patterns
and the shape of a calculation (what needs other fields is in reference_checks.py)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from formengine.calculations import CALCULATION_OPERATORS, RESULT_KINDS
from formengine.errors import DefinitionCode as Code
from formengine.errors import DefinitionError
from formengine.model import (
    LOCALE_PATTERN,
    MAX_PRECISION,
    OPTION_ID_MAX_LENGTH,
    OPTION_ID_PATTERN,
    OPTION_SOURCES,
    TAGS,
    FieldType,
)
from formengine.parse import LookupOptions

_LOCALE_RE = re.compile(LOCALE_PATTERN)
_OPTION_ID_RE = re.compile(OPTION_ID_PATTERN)


def invalid_property(path: str, key: str, expected: str) -> DefinitionError:
    return DefinitionError(
        f"{path}.{key}", Code.INVALID_PROPERTY_VALUE, f"'{key}' must be {expected}"
    )


def check_localized_text(raw: Mapping[str, Any], key: str, path: str) -> list[DefinitionError]:
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


def check_tags(raw: Mapping[str, Any], path: str) -> list[DefinitionError]:
    tags = raw.get("tags")
    if "tags" not in raw:
        return []
    if not isinstance(tags, list):
        return [invalid_property(path, "tags", f"a list of tags ({', '.join(TAGS)})")]
    return [
        DefinitionError(
            f"{path}.tags[{i}]", Code.UNKNOWN_TAG, f"unknown tag {tag!r}; known: {', '.join(TAGS)}"
        )
        for i, tag in enumerate(tags)
        if tag not in TAGS
    ]


def check_options(
    options: Any,
    path: str,
    lookups: Mapping[str, LookupOptions] | None,
    field_type: Any = None,
    *,
    in_lookup: bool = False,
) -> list[DefinitionError]:
    """A field's `options` (a list, a lookup or a source); with `in_lookup`, a lookup's
    option list, whose options may also carry `"disabled": true|false`."""
    if isinstance(options, Mapping) and "source" in options:
        return check_option_source(options, path, field_type)
    if isinstance(options, Mapping):
        lookup = options.get("lookup")
        if set(options) != {"lookup"} or not isinstance(lookup, str) or not lookup:
            return [
                DefinitionError(
                    path,
                    Code.INVALID_PROPERTY_VALUE,
                    "'options' is a list of {id, label}, {\"lookup\": name} or "
                    '{"source": agencies | users | locations}',
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
            if k not in (("id", "label", "disabled") if in_lookup else ("id", "label"))
        ]
        if "disabled" in option and in_lookup and not isinstance(option["disabled"], bool):
            errors.append(invalid_property(option_path, "disabled", "true or false"))
        option_id = option.get("id")
        if not isinstance(option_id, str) or not _OPTION_ID_RE.fullmatch(option_id):
            errors.append(
                DefinitionError(
                    f"{option_path}.id",
                    Code.INVALID_OPTION_ID,
                    f"option id {option_id!r}: letters, digits and _ . - (or :), "
                    f"at most {OPTION_ID_MAX_LENGTH} long",
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
        errors += check_localized_text(option, "label", option_path)
    return errors


def check_option_source(
    options: Mapping[str, Any], path: str, field_type: Any
) -> list[DefinitionError]:
    """`{"source": "agencies" | "users" | "locations"[, "admin_level": N]}`."""
    source = options.get("source")
    errors = [
        DefinitionError(f"{path}.{key}", Code.UNKNOWN_PROPERTY, f"unknown property '{key}'")
        for key in options
        if key not in ("source", "admin_level")
    ]
    if source not in OPTION_SOURCES:
        errors.append(
            DefinitionError(
                f"{path}.source",
                Code.UNKNOWN_OPTION_SOURCE,
                f"unknown option source {source!r}; known: {', '.join(OPTION_SOURCES)}",
            )
        )
    if field_type == FieldType.TALLY:
        errors.append(
            DefinitionError(
                f"{path}.source",
                Code.PROPERTY_NOT_APPLICABLE,
                "a tally counts its own options: it cannot take them from a source",
            )
        )
    if "admin_level" in options:
        level = options["admin_level"]
        if source != "locations":
            errors.append(
                DefinitionError(
                    f"{path}.admin_level",
                    Code.PROPERTY_NOT_APPLICABLE,
                    "'admin_level' applies to the 'locations' source only",
                )
            )
        elif isinstance(level, bool) or not isinstance(level, int) or level < 0:
            errors.append(invalid_property(path, "admin_level", "a whole number from 0"))
    return errors


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_constraints(raw: Mapping[str, Any], path: str, field_type: Any) -> list[DefinitionError]:
    errors: list[DefinitionError] = []
    for key in ("min", "max"):
        if key not in raw:
            continue
        value = raw[key]
        if field_type == FieldType.INTEGER and not (_is_number(value) and value == int(value)):
            errors.append(invalid_property(path, key, "an integer"))
        elif not _is_number(value):
            errors.append(invalid_property(path, key, "a number"))
    low: Any = raw.get("min")
    high: Any = raw.get("max")
    if _is_number(low) and _is_number(high) and low > high:
        errors.append(
            DefinitionError(f"{path}.min", Code.INVALID_RANGE, f"min {low} is above max {high}")
        )
    precision = raw.get("precision")
    if "precision" in raw and not (
        isinstance(precision, int)
        and not isinstance(precision, bool)
        and 0 <= precision <= MAX_PRECISION
    ):
        errors.append(
            invalid_property(path, "precision", f"a whole number from 0 to {MAX_PRECISION}")
        )
    max_length = raw.get("max_length")
    if "max_length" in raw and not (
        isinstance(max_length, int) and not isinstance(max_length, bool) and max_length > 0
    ):
        errors.append(invalid_property(path, "max_length", "a positive integer"))
    if "pattern" in raw:
        pattern = raw["pattern"]
        if not isinstance(pattern, str):
            errors.append(invalid_property(path, "pattern", "a regular expression (a string)"))
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


def check_calculation_shape(raw: Any, path: str) -> list[DefinitionError]:
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
        errors.append(invalid_property(path, "result", "'integer' or 'decimal'"))
    return errors
