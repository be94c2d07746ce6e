"""The JSON Schema (draft 2020-12) of a form document, generated from the engine's tables.

It describes the shape of one form for editors and client teams; what spans fields and
forms (unique names, condition and calculation references, cycles, lookups, the depth of
subforms) only `validate_form_set` checks. The committed copy lives in
frontend_contract/form-definition.schema.json; regenerate it with
`python -m formengine schema > frontend_contract/form-definition.schema.json`.
"""

from __future__ import annotations

import json
from typing import Any

from formengine.calculations import CALCULATION_OPERATORS, RESULT_KINDS
from formengine.conditions import COMPARISON_OPERATORS, JUNCTION_OPERATORS, NEGATION_OPERATOR
from formengine.model import (
    DYNAMIC_DEFAULTS,
    FIELD_PROPERTY_TYPES,
    FIELD_TYPES,
    FORM_PROPERTIES,
    LOCALE_PATTERN,
    MAX_PRECISION,
    NAME_MAX_LENGTH,
    NAME_PATTERN,
    OPTION_ID_PATTERN,
    OPTION_SOURCES,
    REQUIRED_FIELD_PROPERTIES,
    REQUIRED_FORM_PROPERTIES,
    SOURCE_DEFAULTS,
    TAGS,
    FieldType,
    stored_kind,
)

REGENERATE_COMMAND = "python -m formengine schema > frontend_contract/form-definition.schema.json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/$defs/{name}"}


def _field_properties() -> dict[str, Any]:
    properties: dict[str, Any] = {
        "name": _ref("name"),
        "type": {"enum": list(FIELD_TYPES)},
        "label": _ref("localizedText"),
        "help": _ref("localizedText"),
        "required": {"type": "boolean"},
        "visible_if": _ref("condition"),
        "tags": {"type": "array", "items": {"enum": list(TAGS)}, "uniqueItems": True},
        "options": _ref("options"),
        "min": {"type": "number"},
        "max": {"type": "number"},
        "max_length": {"type": "integer", "minimum": 1},
        "pattern": {"type": "string", "format": "regex"},
        "not_future": {"type": "boolean"},
        "precision": {
            "type": "integer",
            "minimum": 0,
            "maximum": MAX_PRECISION,
            "description": "Most digits after the decimal point.",
        },
        "fields": {"type": "array", "minItems": 1, "items": _ref("field")},
        "calculate": _ref("calculation"),
        "read_only": {
            "type": "boolean",
            "description": "Clients may not write it; defaults, calculations and imports may.",
        },
        "default": {
            "description": "Set on a new record or subform entry when the write leaves the "
            "field out: a value of the field in stored form, or "
            + "; ".join(
                f"`{token}` ({', '.join(sorted(types))})"
                for token, types in DYNAMIC_DEFAULTS.items()
            )
            + "; "
            + ", ".join(
                f"`{token}` (a select or radio whose option source is `{source}`)"
                for token, source in SOURCE_DEFAULTS.items()
            )
            + ".",
            "not": {"type": "null"},
        },
        "hidden": {
            "type": "boolean",
            "description": "Stored and permitted as usual, left out of rendered forms.",
        },
        "multiple": {"type": "boolean"},
    }
    assert list(properties) == list(FIELD_PROPERTY_TYPES)
    return properties


def _type_rules() -> list[dict[str, Any]]:
    """Per field type: the properties it requires and those that do not apply to it."""
    rules = []
    for field_type in FIELD_TYPES:
        then: dict[str, Any] = {}
        required = [
            key
            for key, types in REQUIRED_FIELD_PROPERTIES.items()
            if field_type in types and key not in ("name", "type")
        ]
        if required:
            then["required"] = required
        excluded = {
            key: False for key, types in FIELD_PROPERTY_TYPES.items() if field_type not in types
        }
        if excluded:
            then["properties"] = excluded
        if field_type == FieldType.INTEGER:
            then.setdefault("properties", {}).update(
                {"min": {"type": "integer"}, "max": {"type": "integer"}}
            )
        if then:
            rules.append(
                {
                    "if": {"properties": {"type": {"const": field_type}}, "required": ["type"]},
                    "then": then,
                }
            )
    return rules


def _condition() -> dict[str, Any]:
    literal = _ref("literal")
    properties: dict[str, Any] = {
        op: {
            "type": "array",
            "prefixItems": [{"type": "string"}, literal],
            "minItems": 2,
            "maxItems": 2,
        }
        for op in COMPARISON_OPERATORS
        if op != "in"
    }
    properties["in"] = {
        "type": "array",
        "prefixItems": [{"type": "string"}, {"type": "array", "items": literal}],
        "minItems": 2,
        "maxItems": 2,
    }
    for op in JUNCTION_OPERATORS:
        properties[op] = {"type": "array", "minItems": 1, "items": _ref("condition")}
    properties[NEGATION_OPERATOR] = _ref("condition")
    return {
        "description": "One operator: a comparison [field, literal], and/or [conditions], not.",
        "type": "object",
        "minProperties": 1,
        "maxProperties": 1,
        "properties": properties,
        "additionalProperties": False,
    }


def form_definition_json_schema() -> dict[str, Any]:
    form_properties: dict[str, Any] = {
        "key": _ref("name"),
        "record_type": _ref("name"),
        "label": _ref("localizedText"),
        "help": _ref("localizedText"),
        "fields": {"type": "array", "items": _ref("field")},
    }
    assert list(form_properties) == list(FORM_PROPERTIES)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "form-definition.schema.json",
        "title": "Form definition",
        "description": (
            "One version of one form (DESIGN.md section 3). Generated by formengine: "
            f"do not edit; regenerate with `{REGENERATE_COMMAND}`."
        ),
        "type": "object",
        "required": list(REQUIRED_FORM_PROPERTIES),
        "properties": form_properties,
        "additionalProperties": False,
        "x-value-kinds": {
            **{t: str(stored_kind(t)) for t in FIELD_TYPES if t != FieldType.CALCULATED},
            FieldType.CALCULATED.value: "integer or decimal (calculate.result)",
        },
        "$defs": {
            "name": {"type": "string", "pattern": NAME_PATTERN, "maxLength": NAME_MAX_LENGTH},
            "localizedText": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"pattern": LOCALE_PATTERN},
                "additionalProperties": {"type": "string", "minLength": 1},
            },
            "option": {
                "type": "object",
                "required": ["id", "label"],
                "properties": {
                    "id": {"type": "string", "pattern": OPTION_ID_PATTERN},
                    "label": _ref("localizedText"),
                },
                "additionalProperties": False,
            },
            "options": {
                "oneOf": [
                    {"type": "array", "minItems": 1, "items": _ref("option")},
                    {
                        "type": "object",
                        "required": ["lookup"],
                        "properties": {"lookup": {"type": "string", "minLength": 1}},
                        "additionalProperties": False,
                    },
                    {
                        "type": "object",
                        "required": ["source"],
                        "properties": {
                            "source": {"enum": list(OPTION_SOURCES)},
                            "admin_level": {"type": "integer", "minimum": 0},
                        },
                        "additionalProperties": False,
                    },
                ]
            },
            "literal": {"type": ["string", "number", "boolean", "null"]},
            "condition": _condition(),
            "calculation": {
                "type": "object",
                "required": ["op", "args"],
                "properties": {
                    "op": {"enum": list(CALCULATION_OPERATORS)},
                    "args": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                    "result": {"enum": [str(kind) for kind in RESULT_KINDS]},
                },
                "additionalProperties": False,
            },
            "field": {
                "type": "object",
                "required": ["name", "type"],
                "properties": _field_properties(),
                "additionalProperties": False,
                "allOf": _type_rules(),
            },
        },
    }


def render_json_schema() -> str:
    """The schema exactly as committed: two-space indents, a final newline."""
    return json.dumps(form_definition_json_schema(), indent=2, ensure_ascii=False) + "\n"
