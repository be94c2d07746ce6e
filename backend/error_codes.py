"""Every error code a client can receive, declared once, each with what it means.

Domain errors take their `code` from here, the GraphQL schema exposes these as the `ErrorCode`
enum, and frontend_contract/README.md lists them. The form engine keeps its own codes (it
imports nothing of ours); they are declared here too, and a test keeps the two in step. A
code, once released, is never renamed.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    description: str

    def __new__(cls, value: str, description: str) -> ErrorCode:
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member

    # The platform
    BAD_REQUEST = "BAD_REQUEST", "The request cannot be carried out as sent."
    BAD_USER_INPUT = "BAD_USER_INPUT", "An argument is not acceptable; `path` names it."
    INVALID_ID = "INVALID_ID", "An id that is not one this server gave out (ids are UUIDs)."
    UNAUTHENTICATED = "UNAUTHENTICATED", "No valid access token: sign in or refresh."
    FORBIDDEN = "FORBIDDEN", "Your role may not do this."
    NOT_FOUND = "NOT_FOUND", "No such object, or one you may not see: the two answer alike."
    INVALID_TRANSITION = (
        "INVALID_TRANSITION",
        "The workflow step does not apply to the object in its current state.",
    )
    CONSENT_REQUIRED = (
        "CONSENT_REQUIRED",
        "Sharing needs consent that is not recorded on the record.",
    )
    APPROVAL_REQUIRED = "APPROVAL_REQUIRED", "The step needs an approval that has not been given."
    FORBIDDEN_FIELD = "FORBIDDEN_FIELD", "A field you may not write, or not filter or sort by."
    REVISION_CONFLICT = (
        "REVISION_CONFLICT",
        "The field changed on the server after `baseRevision`: re-read and merge.",
    )
    INVALID_FORM_DEFINITION = (
        "INVALID_FORM_DEFINITION",
        "The form definition breaks the form language.",
    )
    INCOMPATIBLE_FORM_VERSION = (
        "INCOMPATIBLE_FORM_VERSION",
        "The form version is incompatible with what is published.",
    )
    INVALID_XLSFORM = (
        "INVALID_XLSFORM",
        "XLSForm rows that cannot be converted; each message names its sheet and row.",
    )
    INVALID_TRANSLATIONS = (
        "INVALID_TRANSLATIONS",
        "A translation sheet with unknown keys or locales or bad rows; nothing imported.",
    )
    INVALID_WORKFLOW_SETTINGS = (
        "INVALID_WORKFLOW_SETTINGS",
        "A workflow setting of the wrong shape, or naming a field the published forms lack or "
        "hold with an unsuitable type; `path` names the setting.",
    )
    INVALID_MATCHING_RULES = (
        "INVALID_MATCHING_RULES",
        "Matching rules of the wrong shape, or naming a record type, subform or field the "
        "published forms lack or hold with a type the method cannot compare; `path` names it.",
    )
    INVALID_MATCH_PAIR = (
        "INVALID_MATCH_PAIR",
        "A match decision on a record and itself, or on two records of types no matching "
        "pair relates (a duplicate or a merge: two records of one type).",
    )
    BREAKS_MATCHING_RULES = (
        "BREAKS_MATCHING_RULES",
        "Publishing or retiring the form would remove a field the matching rules compare (the "
        "message names it): change the matching rules first.",
    )
    BREAKS_WORKFLOW_SETTINGS = (
        "BREAKS_WORKFLOW_SETTINGS",
        "Publishing or retiring the form would break a workflow setting (the message names "
        "it and why): change the settings first.",
    )
    INVALID_CONFIGURATION_BUNDLE = (
        "INVALID_CONFIGURATION_BUNDLE",
        "A configuration bundle with problems (each listed with its path); nothing imported.",
    )
    WEAK_PASSWORD = "WEAK_PASSWORD", "The new password breaks the policy; `reasons` lists why."
    INVALID_CURRENT_PASSWORD = (
        "INVALID_CURRENT_PASSWORD",
        "A wrong current password (counts as a failed sign-in).",
    )
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED", "Too many failed sign-ins; locked until `lockedUntil`."
    TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS", "Too many attempts; retry after `retryAfter` seconds."
    TOTP_REQUIRED = "TOTP_REQUIRED", "The password was right; now send `totpCode`."
    INVALID_TOTP = "INVALID_TOTP", "The two-factor code is wrong, expired or already used."
    TOTP_ENROLLMENT_REQUIRED = "TOTP_ENROLLMENT_REQUIRED", "These tokens only allow TOTP enrolment."
    TOTP_ALREADY_ENABLED = "TOTP_ALREADY_ENABLED", "Enrolment while TOTP is on: disable it first."
    TOTP_NOT_ENABLED = "TOTP_NOT_ENABLED", "Disabling TOTP while it is off."
    TOTP_REQUIRED_BY_ROLE = (
        "TOTP_REQUIRED_BY_ROLE",
        "The role requires two-factor: it cannot be turned off.",
    )
    TOTP_ENROLLMENT_NOT_STARTED = (
        "TOTP_ENROLLMENT_NOT_STARTED",
        "Confirming TOTP enrolment before beginning it.",
    )
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED", "The document is not GraphQL."
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED", "The document does not fit the schema."
    INTERNAL_SERVER_ERROR = (
        "INTERNAL_SERVER_ERROR",
        "A fault of the server; reported, never caused by input.",
    )
    SERVICE_UNAVAILABLE = (
        "SERVICE_UNAVAILABLE",
        "The database cannot be reached (HTTP 503, with Retry-After): send the request again "
        "shortly.",
    )
    RECIPIENT_CANNOT_ACCESS = (
        "RECIPIENT_CANNOT_ACCESS",
        "The user named to receive a record could not read it after the step.",
    )
    INVALID_CURSOR = "INVALID_CURSOR", "A page cursor that is not one this server gave out."
    # Location registry imports (one error per bad row; `path` is ["csv", row, column])
    INVALID_LOCATION_CSV = (
        "INVALID_LOCATION_CSV",
        "A location file's header is not `code,parent_code,admin_level,name_<locale>,...`.",
    )
    DUPLICATE_LOCATION_CODE = "DUPLICATE_LOCATION_CODE", "A location code twice in one file."
    UNKNOWN_PARENT_LOCATION = (
        "UNKNOWN_PARENT_LOCATION",
        "A parent code neither in the file nor in the registry.",
    )
    INVALID_ADMIN_LEVEL = "INVALID_ADMIN_LEVEL", "An admin level that is not a whole number 0-12."
    ADMIN_LEVEL_MISMATCH = (
        "ADMIN_LEVEL_MISMATCH",
        "A location not one level below its parent (level 0 has no parent).",
    )
    MISSING_LOCATION_NAME = (
        "MISSING_LOCATION_NAME",
        "A location without a name in the tenant's default locale.",
    )
    # Modules (programmes with their own forms per record type)
    UNKNOWN_MODULE = "UNKNOWN_MODULE", "No such module of this tenant for the record type."
    MODULE_NOT_GRANTED = (
        "MODULE_NOT_GRANTED",
        "A module that neither your role nor you are granted.",
    )
    MODULE_REQUIRED = (
        "MODULE_REQUIRED",
        "The record type has modules and you are granted several: name one in `module`.",
    )
    INVALID_MODULE = "INVALID_MODULE", "A module declaration with errors; each entry names one."
    MODULE_IN_USE = "MODULE_IN_USE", "Records belong to the module (for that record type)."
    # Offline sync
    UNKNOWN_DEVICE = (
        "UNKNOWN_DEVICE",
        "A device id that is not one of yours (registerDevice gives one).",
    )
    DEVICE_REVOKED = (
        "DEVICE_REVOKED",
        "The device was revoked: it may not push; its next pull says wipe.",
    )
    # Documents and transport (top-level errors only)
    DOCUMENT_TOO_LARGE = (
        "DOCUMENT_TOO_LARGE",
        "The document has too many tokens or nests too deep; refused before validation.",
    )
    QUERY_TOO_COMPLEX = (
        "QUERY_TOO_COMPLEX",
        "The document costs more than the budget (`extensions.cost`); ask for smaller pages.",
    )
    SIGN_IN_MUST_BE_ALONE = (
        "SIGN_IN_MUST_BE_ALONE",
        "login, loginWithOidc and refreshToken go alone in their mutation.",
    )
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED", "Operations are sent by POST (HTTP 405)."
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE", "The request body is over the limit (HTTP 413)."
    UNSUPPORTED_MEDIA_TYPE = (
        "UNSUPPORTED_MEDIA_TYPE",
        "The body is not application/json in UTF-8 (HTTP 415).",
    )
    # Attachments
    UNSUPPORTED_FILE_TYPE = (
        "UNSUPPORTED_FILE_TYPE",
        "The file's content is not a type the field accepts (whatever its name says).",
    )
    FILE_TOO_LARGE = "FILE_TOO_LARGE", "The file is over the size limit (HTTP 413 when streaming)."
    TOO_MANY_FILES = "TOO_MANY_FILES", "The record holds as many attachments as it may."
    IMAGE_TOO_LARGE = (
        "IMAGE_TOO_LARGE",
        "The image has more pixels than the limit (a decompression bomb, or simply too big).",
    )
    INFECTED_FILE = "INFECTED_FILE", "The virus scanner found something in the file."
    NOT_AN_ATTACHMENT_FIELD = (
        "NOT_AN_ATTACHMENT_FIELD",
        "The field is not a photo, audio, document or signature field of the record type.",
    )
    EXPORT_TOO_LARGE = (
        "EXPORT_TOO_LARGE",
        "More records than a PDF export takes, or a file over the export size limit: narrow "
        "the filter or the fields (or export CSV or XLSX).",
    )
    EXPORT_INTERRUPTED = (
        "EXPORT_INTERRUPTED",
        "The worker running the export stopped before it finished: start the export again.",
    )
    SCANNER_UNAVAILABLE = (
        "SCANNER_UNAVAILABLE",
        "The virus scanner cannot be reached or could not scan the file: try again later.",
    )
    INVALID_ATTACHMENT_TYPES = (
        "INVALID_ATTACHMENT_TYPES",
        "A tenant's attachment types name a field type or content type the server does not "
        "check; each entry names one.",
    )
    UNKNOWN_SUBFORM_ENTRY = (
        "UNKNOWN_SUBFORM_ENTRY",
        "No entry with that uid in the subform (or entryUid given for a top-level field).",
    )
    # Form definitions (formengine.DefinitionCode)
    UNREADABLE_FILE = "UNREADABLE_FILE", "CLI: a file cannot be read."
    INVALID_JSON = "INVALID_JSON", "CLI: a file is not JSON."
    INVALID_DOCUMENT = "INVALID_DOCUMENT", "A form, field or lookup file is not a JSON object."
    MISSING_PROPERTY = (
        "MISSING_PROPERTY",
        "A required property is absent (a form's `key`, a field's `name`, ...).",
    )
    UNKNOWN_PROPERTY = (
        "UNKNOWN_PROPERTY",
        "A property the language does not have (typos such as `visibe_if`).",
    )
    INVALID_PROPERTY_VALUE = (
        "INVALID_PROPERTY_VALUE",
        'A property has the wrong JSON type or value (`required: "yes"`).',
    )
    PROPERTY_NOT_APPLICABLE = (
        "PROPERTY_NOT_APPLICABLE",
        "A property that does not apply to the field's type (`min` on text).",
    )
    INVALID_LOCALIZED_TEXT = (
        "INVALID_LOCALIZED_TEXT",
        "A `label`/`help` that is not an object of locale code to non-empty text.",
    )
    INVALID_FORM_KEY = "INVALID_FORM_KEY", "A form key that is not snake_case."
    DUPLICATE_FORM_KEY = "DUPLICATE_FORM_KEY", "Two forms of the set share a key."
    INVALID_RECORD_TYPE = "INVALID_RECORD_TYPE", "A record type that is not snake_case."
    RECORD_TYPE_MISMATCH = "RECORD_TYPE_MISMATCH", "A form of the set is for another record type."
    UNKNOWN_FIELD_TYPE = "UNKNOWN_FIELD_TYPE", "A field type the language does not have."
    INVALID_FIELD_NAME = (
        "INVALID_FIELD_NAME",
        "A name that is not snake_case or is longer than 63 characters.",
    )
    RESERVED_FIELD_NAME = (
        "RESERVED_FIELD_NAME",
        "A name the platform uses (`id`, `uid`, `status`, `revision`, ...).",
    )
    DUPLICATE_FIELD_NAME = (
        "DUPLICATE_FIELD_NAME",
        "A name used twice in one form (or in one subform).",
    )
    SHARED_FIELD_MISMATCH = (
        "SHARED_FIELD_MISMATCH",
        "A field on several forms defined differently (beyond label, help, hidden) on two.",
    )
    GRAPHQL_NAME_COLLISION = (
        "GRAPHQL_NAME_COLLISION",
        "Two names with the same camelCase (`line_1`, `line1`).",
    )
    EMPTY_SUBFORM = "EMPTY_SUBFORM", "A subform without fields."
    SUBFORM_TOO_DEEP = "SUBFORM_TOO_DEEP", "A subform inside a subform inside a subform."
    MISSING_OPTIONS = "MISSING_OPTIONS", "An option field without options or with an empty list."
    UNKNOWN_LOOKUP = "UNKNOWN_LOOKUP", "Options from a lookup that does not exist."
    UNKNOWN_OPTION_SOURCE = (
        "UNKNOWN_OPTION_SOURCE",
        "`options: {source: ...}` naming other than agencies, users or locations.",
    )
    INVALID_OPTION_ID = (
        "INVALID_OPTION_ID",
        "An option id with characters outside `A-Za-z0-9_.:-`, or longer than 200.",
    )
    DUPLICATE_OPTION_ID = "DUPLICATE_OPTION_ID", "An option id used twice in one field."
    INVALID_RANGE = "INVALID_RANGE", "`min` above `max`."
    INVALID_PATTERN = "INVALID_PATTERN", "A `pattern` that is not a regular expression."
    INVALID_DEFAULT = (
        "INVALID_DEFAULT",
        "A `default` the field would refuse, or not in its stored form.",
    )
    INVALID_LOOKUP_KEY = "INVALID_LOOKUP_KEY", "A lookup key that is not snake_case (at most 100)."
    UNKNOWN_TAG = "UNKNOWN_TAG", "A tag outside the known tags."
    INVALID_CONDITION = "INVALID_CONDITION", "A malformed condition."
    UNKNOWN_CONDITION_OPERATOR = (
        "UNKNOWN_CONDITION_OPERATOR",
        "An operator outside `eq ne gt ge lt le in and or not`.",
    )
    UNKNOWN_CONDITION_FIELD = (
        "UNKNOWN_CONDITION_FIELD",
        "A condition naming a field that does not exist.",
    )
    CONDITION_TYPE_MISMATCH = (
        "CONDITION_TYPE_MISMATCH",
        "A literal of the wrong type for the field, or an ordering on a field that has none.",
    )
    UNKNOWN_CONDITION_OPTION = (
        "UNKNOWN_CONDITION_OPTION",
        "A condition comparing an option field with an id it does not offer.",
    )
    UNKNOWN_CALCULATION_OPERATOR = (
        "UNKNOWN_CALCULATION_OPERATOR",
        "A calculation operator outside the known ones.",
    )
    INVALID_CALCULATION_ARGUMENTS = (
        "INVALID_CALCULATION_ARGUMENTS",
        "Wrong number or kind of arguments.",
    )
    UNKNOWN_CALCULATION_INPUT = (
        "UNKNOWN_CALCULATION_INPUT",
        "An argument naming a field that does not exist.",
    )
    NON_NUMERIC_CALCULATION_INPUT = (
        "NON_NUMERIC_CALCULATION_INPUT",
        "A non-numeric input to sum, avg, min or max.",
    )
    NON_DATE_CALCULATION_INPUT = "NON_DATE_CALCULATION_INPUT", "A non-date input to years_between."
    CALCULATION_RESULT_MISMATCH = (
        "CALCULATION_RESULT_MISMATCH",
        "`result: integer` for a calculation that can be fractional.",
    )
    CALCULATION_CYCLE = "CALCULATION_CYCLE", "Calculated fields that depend on each other."
    FIELD_TYPE_CHANGED = (
        "FIELD_TYPE_CHANGED",
        "A published field name with another type (message names both types).",
    )
    RECORD_TYPE_CHANGED = (
        "RECORD_TYPE_CHANGED",
        "A published form key moved to another record type.",
    )
    # Record values (formengine.ValueCode)
    UNKNOWN_FIELD = "UNKNOWN_FIELD", "A written key that no current form defines."
    CALCULATED_FIELD_READ_ONLY = "CALCULATED_FIELD_READ_ONLY", "A write to a calculated field."
    DEPRECATED_FIELD_READ_ONLY = (
        "DEPRECATED_FIELD_READ_ONLY",
        "A write to a field removed from the forms.",
    )
    DISPLAY_ONLY_FIELD = "DISPLAY_ONLY_FIELD", "A write to a separator."
    FIELD_REQUIRED = "FIELD_REQUIRED", "A visible required field without a value."
    INVALID_TEXT = (
        "INVALID_TEXT",
        "Not a string, or a string holding a NUL character or a lone surrogate.",
    )
    TEXT_TOO_LONG = (
        "TEXT_TOO_LONG",
        "Longer than the field allows (`max_length`, or the default cap; `maxLength` says).",
    )
    PATTERN_MISMATCH = "PATTERN_MISMATCH", "Does not fully match `pattern`."
    INVALID_INTEGER = "INVALID_INTEGER", "Not a whole number."
    INVALID_DECIMAL = "INVALID_DECIMAL", "Not a finite number."
    TOO_MANY_DECIMALS = (
        "TOO_MANY_DECIMALS",
        "More digits after the decimal point than the field's `precision`.",
    )
    BELOW_MINIMUM = "BELOW_MINIMUM", "Below `min` (or the 32-bit range)."
    ABOVE_MAXIMUM = "ABOVE_MAXIMUM", "Above `max` (or the 32-bit range)."
    INVALID_BOOLEAN = "INVALID_BOOLEAN", "Not true or false."
    INVALID_DATE = "INVALID_DATE", "Not a `YYYY-MM-DD` date."
    INVALID_DATETIME = "INVALID_DATETIME", "Not an ISO 8601 datetime with a time-zone offset."
    DATE_IN_FUTURE = (
        "DATE_IN_FUTURE",
        "Later than today (date) or now (datetime) on a `not_future` field.",
    )
    UNKNOWN_OPTION = "UNKNOWN_OPTION", "Not an option of the field."
    RETIRED_OPTION = (
        "RETIRED_OPTION",
        "An option removed from the form or disabled in its lookup, written anew.",
    )
    INVALID_OPTION_LIST = "INVALID_OPTION_LIST", "A multi_select value that is not a list."
    INVALID_TALLY = "INVALID_TALLY", "Not an object of option id to non-negative whole number."
    INVALID_LOCATION_CODE = (
        "INVALID_LOCATION_CODE",
        "Not a location code (`A-Za-z0-9_.-`, at most 64).",
    )
    UNKNOWN_LOCATION = "UNKNOWN_LOCATION", "No location with this code in the tenant's registry."
    WRONG_LOCATION_LEVEL = (
        "WRONG_LOCATION_LEVEL",
        "A location at another admin level than the field's `admin_level`.",
    )
    INVALID_USERNAME = "INVALID_USERNAME", "Not a username."
    UNKNOWN_USER = "UNKNOWN_USER", "No active user of the tenant with this username."
    INVALID_PHONE_NUMBER = (
        "INVALID_PHONE_NUMBER",
        "Not 7 to 15 digits with an optional leading `+` (spaces, dashes, dots, brackets aside).",
    )
    INVALID_ATTACHMENT_REFERENCE = "INVALID_ATTACHMENT_REFERENCE", "Not an attachment id."
    INVALID_SUBFORM_ENTRIES = (
        "INVALID_SUBFORM_ENTRIES",
        "A subform value that is not a list of objects.",
    )
    INVALID_SUBFORM_UID = "INVALID_SUBFORM_UID", "An entry uid outside 1 to 64 `A-Za-z0-9_-`."
    DUPLICATE_SUBFORM_UID = "DUPLICATE_SUBFORM_UID", "Two entries of one list with the same uid."
