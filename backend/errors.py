"""Domain errors. Each carries a stable code that every API surface passes on unchanged."""

from __future__ import annotations

from typing import Any

from backend.error_codes import ErrorCode


class DomainError(Exception):
    code: ErrorCode = ErrorCode.BAD_REQUEST

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class Unauthenticated(DomainError):
    code = ErrorCode.UNAUTHENTICATED


class Forbidden(DomainError):
    code = ErrorCode.FORBIDDEN


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND


class BadUserInput(DomainError):
    code = ErrorCode.BAD_USER_INPUT


class InvalidText(DomainError):
    """A string holds a NUL character or a lone surrogate: PostgreSQL and JSON cannot carry it."""

    code = ErrorCode.INVALID_TEXT


class TextTooLong(DomainError):
    code = ErrorCode.TEXT_TOO_LONG


def check_text_length(field: str, value: str | None, limit: int) -> None:
    """TEXT_TOO_LONG, naming the field (as the client calls it) and the limit."""
    if value is not None and len(value) > limit:
        raise TextTooLong(
            f"{field} is {len(value)} characters long; at most {limit} are allowed.",
            field=field,
            maxLength=limit,
        )
