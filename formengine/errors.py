"""Errors reported by the form engine: a JSON path, a stable code and a message for people.

Errors are values, not exceptions: every check collects all of them and returns a list, so
an administrator or a caseworker sees every problem at once. The codes are documented in
formengine/README.md; a code, once released, is never renamed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DefinitionCode(StrEnum):
    """Codes of errors in form definitions (validation, compatibility, the CLI)."""

    UNREADABLE_FILE = "UNREADABLE_FILE"
    INVALID_JSON = "INVALID_JSON"
    INVALID_DOCUMENT = "INVALID_DOCUMENT"
    MISSING_PROPERTY = "MISSING_PROPERTY"
    UNKNOWN_PROPERTY = "UNKNOWN_PROPERTY"
    INVALID_PROPERTY_VALUE = "INVALID_PROPERTY_VALUE"
    PROPERTY_NOT_APPLICABLE = "PROPERTY_NOT_APPLICABLE"
    INVALID_LOCALIZED_TEXT = "INVALID_LOCALIZED_TEXT"
    INVALID_FORM_KEY = "INVALID_FORM_KEY"
    DUPLICATE_FORM_KEY = "DUPLICATE_FORM_KEY"
    INVALID_RECORD_TYPE = "INVALID_RECORD_TYPE"
    RECORD_TYPE_MISMATCH = "RECORD_TYPE_MISMATCH"
    UNKNOWN_FIELD_TYPE = "UNKNOWN_FIELD_TYPE"
    INVALID_FIELD_NAME = "INVALID_FIELD_NAME"
    RESERVED_FIELD_NAME = "RESERVED_FIELD_NAME"
    DUPLICATE_FIELD_NAME = "DUPLICATE_FIELD_NAME"
    GRAPHQL_NAME_COLLISION = "GRAPHQL_NAME_COLLISION"
    EMPTY_SUBFORM = "EMPTY_SUBFORM"
    SUBFORM_TOO_DEEP = "SUBFORM_TOO_DEEP"
    MISSING_OPTIONS = "MISSING_OPTIONS"
    UNKNOWN_LOOKUP = "UNKNOWN_LOOKUP"
    INVALID_OPTION_ID = "INVALID_OPTION_ID"
    DUPLICATE_OPTION_ID = "DUPLICATE_OPTION_ID"
    INVALID_RANGE = "INVALID_RANGE"
    INVALID_PATTERN = "INVALID_PATTERN"
    UNKNOWN_TAG = "UNKNOWN_TAG"
    INVALID_CONDITION = "INVALID_CONDITION"
    UNKNOWN_CONDITION_OPERATOR = "UNKNOWN_CONDITION_OPERATOR"
    UNKNOWN_CONDITION_FIELD = "UNKNOWN_CONDITION_FIELD"
    CONDITION_TYPE_MISMATCH = "CONDITION_TYPE_MISMATCH"
    UNKNOWN_CONDITION_OPTION = "UNKNOWN_CONDITION_OPTION"
    UNKNOWN_CALCULATION_OPERATOR = "UNKNOWN_CALCULATION_OPERATOR"
    INVALID_CALCULATION_ARGUMENTS = "INVALID_CALCULATION_ARGUMENTS"
    UNKNOWN_CALCULATION_INPUT = "UNKNOWN_CALCULATION_INPUT"
    NON_NUMERIC_CALCULATION_INPUT = "NON_NUMERIC_CALCULATION_INPUT"
    NON_DATE_CALCULATION_INPUT = "NON_DATE_CALCULATION_INPUT"
    CALCULATION_RESULT_MISMATCH = "CALCULATION_RESULT_MISMATCH"
    CALCULATION_CYCLE = "CALCULATION_CYCLE"
    FIELD_TYPE_CHANGED = "FIELD_TYPE_CHANGED"
    RECORD_TYPE_CHANGED = "RECORD_TYPE_CHANGED"


class ValueCode(StrEnum):
    """Codes of errors in record values (writes checked by `validate_record`)."""

    UNKNOWN_FIELD = "UNKNOWN_FIELD"
    CALCULATED_FIELD_READ_ONLY = "CALCULATED_FIELD_READ_ONLY"
    DEPRECATED_FIELD_READ_ONLY = "DEPRECATED_FIELD_READ_ONLY"
    DISPLAY_ONLY_FIELD = "DISPLAY_ONLY_FIELD"
    FIELD_REQUIRED = "FIELD_REQUIRED"
    INVALID_TEXT = "INVALID_TEXT"
    TEXT_TOO_LONG = "TEXT_TOO_LONG"
    PATTERN_MISMATCH = "PATTERN_MISMATCH"
    INVALID_INTEGER = "INVALID_INTEGER"
    INVALID_DECIMAL = "INVALID_DECIMAL"
    BELOW_MINIMUM = "BELOW_MINIMUM"
    ABOVE_MAXIMUM = "ABOVE_MAXIMUM"
    INVALID_BOOLEAN = "INVALID_BOOLEAN"
    INVALID_DATE = "INVALID_DATE"
    INVALID_DATETIME = "INVALID_DATETIME"
    DATE_IN_FUTURE = "DATE_IN_FUTURE"
    UNKNOWN_OPTION = "UNKNOWN_OPTION"
    RETIRED_OPTION = "RETIRED_OPTION"
    INVALID_OPTION_LIST = "INVALID_OPTION_LIST"
    INVALID_TALLY = "INVALID_TALLY"
    INVALID_LOCATION_CODE = "INVALID_LOCATION_CODE"
    UNKNOWN_LOCATION = "UNKNOWN_LOCATION"
    INVALID_USERNAME = "INVALID_USERNAME"
    UNKNOWN_USER = "UNKNOWN_USER"
    INVALID_PHONE_NUMBER = "INVALID_PHONE_NUMBER"
    INVALID_ATTACHMENT_REFERENCE = "INVALID_ATTACHMENT_REFERENCE"
    INVALID_SUBFORM_ENTRIES = "INVALID_SUBFORM_ENTRIES"
    INVALID_SUBFORM_UID = "INVALID_SUBFORM_UID"
    DUPLICATE_SUBFORM_UID = "DUPLICATE_SUBFORM_UID"


@dataclass(frozen=True, slots=True)
class DefinitionError:
    """A problem in a form definition. `path` is a JSON path such as `$[1].fields[3].type`."""

    path: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.code}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "code": self.code, "message": self.message}


@dataclass(frozen=True, slots=True)
class FieldError:
    """A problem in a record value. `path` is `age` or `siblings[uid=ab12][0].sibling_age`."""

    path: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.code}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "code": self.code, "message": self.message}
