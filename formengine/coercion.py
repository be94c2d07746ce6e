"""Coercion and validation of one written value, for every field type but subforms.

A value is coerced to the JSON form it is stored in (see `ValueKind`) and checked against
its field's constraints. Coercion is idempotent: a stored value written again is unchanged.
The empty string clears a value like `null` does.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from formengine.errors import FieldError
from formengine.errors import ValueCode as Code
from formengine.model import ATTACHMENT_TYPES, OPTION_ID_PATTERN, FieldDefinition, FieldType
from formengine.references import AGENCIES, LOCATIONS, USERS, KnownReferences

GRAPHQL_INT_MIN, GRAPHQL_INT_MAX = -(2**31), 2**31 - 1
# Devices' clocks drift: a datetime this far ahead of the server's clock is still "not future".
CLOCK_SKEW = dt.timedelta(minutes=5)
LOCATION_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
USERNAME_PATTERN = r"^[A-Za-z0-9_.@+-]{1,150}$"
PHONE_PATTERN = r"^\+?[0-9]{7,15}$"
PHONE_SEPARATORS = " -().\u00a0"
ATTACHMENT_REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$"
_INTEGER_RE = re.compile(r"^[+-]?[0-9]+$")
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# Neither PostgreSQL (NUL) nor UTF-8 (a lone surrogate) can carry these in a text value.
_UNSTORABLE_RE = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class OptionSet:
    """The option ids a field accepts on new writes (`active`) and those only kept on records
    that already hold them (`retained`: removed from the form, or a disabled lookup option)."""

    active: frozenset[str]
    retained: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ValueContext:
    today: dt.date
    now: dt.datetime
    options: Callable[[FieldDefinition], OptionSet]
    location_exists: Callable[[str], bool] | None = None
    user_exists: Callable[[str], bool] | None = None
    # What exists among the locations and source values a write names; None: not checked.
    references: KnownReferences | None = None


def is_empty(value: Any) -> bool:
    return (
        value is None
        or value == []
        or value == {}
        or (isinstance(value, str) and not value.strip())
    )


class _Invalid(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def coerce_value(
    field: FieldDefinition, raw: Any, old: Any, path: str, context: ValueContext
) -> tuple[Any, list[FieldError]]:
    """The stored form of `raw` and the errors that prevent storing it (the value is then
    None). `old` is the stored value, which may keep options no longer offered."""
    if raw is None or raw == "":
        return None, []
    if field.type == FieldType.MULTI_SELECT:
        return _coerce_option_list(field, raw, old, path, context)
    if field.type == FieldType.TALLY:
        return _coerce_tally(field, raw, old, path, context)
    if field.multiple and field.type in ATTACHMENT_TYPES:
        return _coerce_attachment_list(raw, path)
    try:
        return _coerce_scalar(field, raw, old, context), []
    except _Invalid as invalid:
        return None, [FieldError(path, invalid.code, invalid.message)]


def _coerce_scalar(field: FieldDefinition, raw: Any, old: Any, context: ValueContext) -> Any:
    match field.type:
        case FieldType.TEXT | FieldType.TEXTAREA:
            return _text(field, raw)
        case FieldType.INTEGER:
            return _bounded(field, _integer(raw))
        case FieldType.DECIMAL:
            return _bounded(field, _precise(field, _decimal(raw)))
        case FieldType.BOOLEAN:
            return _boolean(raw)
        case FieldType.DATE:
            return _date(field, raw, context)
        case FieldType.DATETIME:
            return _datetime(field, raw, context)
        case FieldType.SELECT | FieldType.RADIO:
            return _option(field, raw, old == raw, context)
        case FieldType.LOCATION:
            code = _location(field, raw, old == raw, context)
            if context.location_exists is not None and not context.location_exists(code):
                raise _Invalid(Code.UNKNOWN_LOCATION, f"no location with code '{code}'")
            return code
        case FieldType.USER:
            username = _username(raw, old == raw, context)
            if context.user_exists is not None and not context.user_exists(username):
                raise _Invalid(Code.UNKNOWN_USER, f"no user '{username}'")
            return username
        case FieldType.PHONE:
            return _phone(raw)
    if field.type in ATTACHMENT_TYPES:
        return _matching(
            raw, ATTACHMENT_REFERENCE_PATTERN, Code.INVALID_ATTACHMENT_REFERENCE, "an attachment id"
        )
    raise TypeError(f"{field.type} values are not coerced here")


def _text(field: FieldDefinition, raw: Any) -> str:
    if not isinstance(raw, str):
        raise _Invalid(Code.INVALID_TEXT, "must be text")
    if _UNSTORABLE_RE.search(raw):
        raise _Invalid(Code.INVALID_TEXT, "holds a NUL character or an unpaired surrogate")
    limit = field.text_limit
    if limit is not None and len(raw) > limit:
        raise _Invalid(
            Code.TEXT_TOO_LONG, f"is {len(raw)} characters long, at most {limit} allowed"
        )
    if field.pattern is not None and re.fullmatch(field.pattern, raw) is None:
        raise _Invalid(Code.PATTERN_MISMATCH, f"does not match the pattern {field.pattern}")
    return raw


def _integer(raw: Any) -> int:
    if isinstance(raw, bool):
        raise _Invalid(Code.INVALID_INTEGER, "must be a whole number")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float) and math.isfinite(raw) and raw.is_integer():
        value = int(raw)
    elif isinstance(raw, str) and _INTEGER_RE.fullmatch(raw.strip()):
        value = int(raw.strip())
    else:
        raise _Invalid(Code.INVALID_INTEGER, "must be a whole number")
    if not GRAPHQL_INT_MIN <= value <= GRAPHQL_INT_MAX:
        raise _Invalid(
            Code.ABOVE_MAXIMUM if value > 0 else Code.BELOW_MINIMUM,
            "is outside the range of whole numbers the API carries (32-bit)",
        )
    return value


def _decimal(raw: Any) -> float:
    value: float | None = None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw)
    elif isinstance(raw, str):
        try:
            value = float(raw.strip())
        except ValueError:
            value = None
    if value is None or not math.isfinite(value):
        raise _Invalid(Code.INVALID_DECIMAL, "must be a number")
    return value


def decimal_places(value: float) -> int:
    """Digits after the decimal point of a float's shortest form (0.1 -> 1, 1e-07 -> 7)."""
    exponent = decimal.Decimal(repr(value)).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _precise(field: FieldDefinition, value: float) -> float:
    if field.precision is not None and decimal_places(value) > field.precision:
        raise _Invalid(
            Code.TOO_MANY_DECIMALS,
            f"has more than {field.precision} digit(s) after the decimal point",
        )
    return value


def _bounded(field: FieldDefinition, value: int | float) -> int | float:
    if field.min is not None and value < field.min:
        raise _Invalid(Code.BELOW_MINIMUM, f"must be at least {field.min}")
    if field.max is not None and value > field.max:
        raise _Invalid(Code.ABOVE_MAXIMUM, f"must be at most {field.max}")
    return value


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        return raw.strip().lower() == "true"
    raise _Invalid(Code.INVALID_BOOLEAN, "must be true or false")


def _date(field: FieldDefinition, raw: Any, context: ValueContext) -> str:
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        value = raw
    else:
        try:
            if not isinstance(raw, str) or not _DATE_RE.fullmatch(raw):
                raise ValueError(raw)
            value = dt.date.fromisoformat(raw)
        except ValueError:
            raise _Invalid(Code.INVALID_DATE, "must be a date as YYYY-MM-DD") from None
    if field.not_future and value > context.today:
        raise _Invalid(Code.DATE_IN_FUTURE, f"cannot be later than today ({context.today})")
    return value.isoformat()


def _datetime(field: FieldDefinition, raw: Any, context: ValueContext) -> str:
    value: dt.datetime | None = raw if isinstance(raw, dt.datetime) else None
    if isinstance(raw, str) and "T" in raw:
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            value = None
    if value is None:
        raise _Invalid(Code.INVALID_DATETIME, "must be an ISO 8601 date and time")
    if value.tzinfo is None:
        raise _Invalid(Code.INVALID_DATETIME, "needs a time zone offset, such as Z or +03:00")
    value = value.astimezone(dt.UTC)
    if field.not_future and value > context.now + CLOCK_SKEW:
        raise _Invalid(Code.DATE_IN_FUTURE, "cannot be later than now")
    return value.isoformat().replace("+00:00", "Z")


def _option(field: FieldDefinition, raw: Any, unchanged: bool, context: ValueContext) -> str:
    if not isinstance(raw, str):
        raise _Invalid(Code.UNKNOWN_OPTION, "must be an option id (text)")
    if field.source is not None:
        return _source_value(field, raw, unchanged, context)
    options = context.options(field)
    if raw in options.active or (unchanged and raw in options.retained):
        return raw
    if raw in options.retained:
        raise _Invalid(
            Code.RETIRED_OPTION, f"option '{raw}' is kept on old records but no longer offered"
        )
    raise _Invalid(Code.UNKNOWN_OPTION, f"'{raw}' is not an option of this field")


def _location(field: FieldDefinition, raw: Any, unchanged: bool, context: ValueContext) -> str:
    """A location code that exists (at the field's admin level, when it names one); a stored
    value written again is kept unchecked."""
    code = _matching(raw, LOCATION_CODE_PATTERN, Code.INVALID_LOCATION_CODE, "a location code")
    if unchanged or context.references is None:
        return code
    level = context.references.locations.get(code)
    if level is None:
        raise _Invalid(Code.UNKNOWN_LOCATION, f"no location with code '{code}'")
    if field.admin_level is not None and level != field.admin_level:
        raise _Invalid(
            Code.WRONG_LOCATION_LEVEL,
            f"location '{code}' is at admin level {level}, this field takes level "
            f"{field.admin_level}",
        )
    return code


def _source_value(field: FieldDefinition, raw: str, unchanged: bool, context: ValueContext) -> str:
    """A value of an option field whose options come from a source."""
    if field.source == LOCATIONS:
        return _location(field, raw, unchanged, context)
    if field.source == USERS:
        return _username(raw, unchanged, context)
    known = context.references
    code = _matching(raw, OPTION_ID_PATTERN, Code.UNKNOWN_OPTION, "an agency code")
    if field.source == AGENCIES and not unchanged and known and code not in known.agencies:
        raise _Invalid(Code.UNKNOWN_OPTION, f"no agency '{code}'")
    return code


def _username(raw: Any, unchanged: bool, context: ValueContext) -> str:
    """The username of an active user of the tenant (a `user` field, or an option field with
    source `users`); a stored value written again is kept unchecked."""
    username = _matching(raw, USERNAME_PATTERN, Code.INVALID_USERNAME, "a username")
    known = context.references
    if not unchanged and known is not None and username not in known.users:
        raise _Invalid(Code.UNKNOWN_USER, f"no user '{username}'")
    return username


_BAD_ATTACHMENT = Code.INVALID_ATTACHMENT_REFERENCE


def _coerce_attachment_list(raw: Any, path: str) -> tuple[Any, list[FieldError]]:
    if not isinstance(raw, list | tuple):
        return None, [
            FieldError(path, Code.INVALID_ATTACHMENT_REFERENCE, "must be a list of attachment ids")
        ]
    values: list[str] = []
    errors: list[FieldError] = []
    for i, item in enumerate(raw):
        try:
            value = _matching(item, ATTACHMENT_REFERENCE_PATTERN, _BAD_ATTACHMENT, "an attachment")
        except _Invalid as invalid:
            errors.append(FieldError(f"{path}[{i}]", invalid.code, invalid.message))
            continue
        if value not in values:
            values.append(value)
    if errors:
        return None, errors
    return values or None, []


def _coerce_option_list(
    field: FieldDefinition, raw: Any, old: Any, path: str, context: ValueContext
) -> tuple[Any, list[FieldError]]:
    if not isinstance(raw, list | tuple):
        return None, [FieldError(path, Code.INVALID_OPTION_LIST, "must be a list of option ids")]
    held = set(old) if isinstance(old, list) else set()
    values: list[str] = []
    errors: list[FieldError] = []
    for i, item in enumerate(raw):
        try:
            value = _option(field, item, isinstance(item, str) and item in held, context)
        except _Invalid as invalid:
            errors.append(FieldError(f"{path}[{i}]", invalid.code, invalid.message))
            continue
        if value not in values:
            values.append(value)
    if errors:
        return None, errors
    return values or None, []


def _coerce_tally(
    field: FieldDefinition, raw: Any, old: Any, path: str, context: ValueContext
) -> tuple[Any, list[FieldError]]:
    if not isinstance(raw, Mapping):
        return None, [
            FieldError(path, Code.INVALID_TALLY, "must be an object of option id to count")
        ]
    held = set(old) if isinstance(old, Mapping) else set()
    tally: dict[str, int] = {}
    errors: list[FieldError] = []
    for key, count in raw.items():
        try:
            option = _option(field, key, key in held, context)
            if isinstance(count, bool) or not isinstance(count, int | float | str):
                raise _Invalid(Code.INVALID_TALLY, "a count is a whole number")
            number = _integer(count)
            if number < 0:
                raise _Invalid(Code.INVALID_TALLY, "a count cannot be negative")
        except _Invalid as invalid:
            code = Code.INVALID_TALLY if invalid.code == Code.INVALID_INTEGER else invalid.code
            errors.append(FieldError(f"{path}.{key}", code, invalid.message))
            continue
        tally[option] = number
    if errors:
        return None, errors
    return tally or None, []


def _matching(raw: Any, pattern: str, code: str, what: str) -> str:
    if not isinstance(raw, str) or not re.fullmatch(pattern, raw.strip()):
        raise _Invalid(code, f"must be {what}")
    return raw.strip()


def _phone(raw: Any) -> str:
    if not isinstance(raw, str):
        raise _Invalid(Code.INVALID_PHONE_NUMBER, "must be a phone number (text)")
    number = "".join(ch for ch in raw.strip() if ch not in PHONE_SEPARATORS)
    if not re.fullmatch(PHONE_PATTERN, number):
        raise _Invalid(
            Code.INVALID_PHONE_NUMBER, "must be 7 to 15 digits, optionally after a leading +"
        )
    return number
