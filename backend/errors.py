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
