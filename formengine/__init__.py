"""The form engine: versioned JSON form definitions validated on the server.

Pure Python; imports no Django and no GraphQL. See formengine/README.md.
"""

from formengine.calculations import CALCULATION_OPERATORS, FieldPath, calculation_inputs
from formengine.compatibility import check_compatibility
from formengine.conditions import (
    CONDITION_OPERATORS,
    Comparison,
    Condition,
    Junction,
    Negation,
    condition_fields,
    condition_to_json,
    evaluate_condition,
    parse_condition,
)
from formengine.defaults import DefaultContext, apply_defaults, resolve_default, resolve_defaults
from formengine.definition_validation import validate_form_set
from formengine.diff import FieldChange, FieldSummary, FormDiff, PropertyChange, diff_versions
from formengine.errors import DefinitionCode, DefinitionError, FieldError, ValueCode
from formengine.json_schema import form_definition_json_schema, render_json_schema
from formengine.lookups import is_valid_lookup_key, validate_lookup, validate_lookups
from formengine.model import (
    DYNAMIC_DEFAULTS,
    FIELD_TYPES,
    TAGS,
    Calculation,
    FieldDefinition,
    FieldType,
    FormDefinition,
    Option,
    ValueKind,
    describe_type,
    graphql_name,
    value_kind,
)
from formengine.parse import LookupOptions, parse_form, parse_form_set, parse_lookups
from formengine.record_schema import RecordSchema, build_record_schema
from formengine.record_validation import RecordValidation, validate_record
from formengine.references import KnownReferences, reference_source, referenced_values

__all__ = [
    "CALCULATION_OPERATORS",
    "CONDITION_OPERATORS",
    "DYNAMIC_DEFAULTS",
    "FIELD_TYPES",
    "TAGS",
    "Calculation",
    "Comparison",
    "Condition",
    "DefaultContext",
    "DefinitionCode",
    "DefinitionError",
    "FieldChange",
    "FieldDefinition",
    "FieldError",
    "FieldPath",
    "FieldSummary",
    "FieldType",
    "FormDefinition",
    "FormDiff",
    "Junction",
    "KnownReferences",
    "LookupOptions",
    "Negation",
    "Option",
    "PropertyChange",
    "RecordSchema",
    "RecordValidation",
    "ValueCode",
    "ValueKind",
    "apply_defaults",
    "build_record_schema",
    "calculation_inputs",
    "check_compatibility",
    "condition_fields",
    "condition_to_json",
    "describe_type",
    "diff_versions",
    "evaluate_condition",
    "form_definition_json_schema",
    "graphql_name",
    "is_valid_lookup_key",
    "parse_condition",
    "parse_form",
    "parse_form_set",
    "parse_lookups",
    "reference_source",
    "referenced_values",
    "render_json_schema",
    "resolve_default",
    "resolve_defaults",
    "validate_form_set",
    "validate_lookup",
    "validate_lookups",
    "validate_record",
    "value_kind",
]
