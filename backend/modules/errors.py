"""The coded errors of modules."""

from __future__ import annotations

from backend.error_codes import ErrorCode
from backend.errors import DomainError


class UnknownModule(DomainError):
    code = ErrorCode.UNKNOWN_MODULE


class ModuleNotGranted(DomainError):
    code = ErrorCode.MODULE_NOT_GRANTED


class ModuleRequired(DomainError):
    code = ErrorCode.MODULE_REQUIRED


class InvalidModule(DomainError):
    code = ErrorCode.INVALID_MODULE


class ModuleInUse(DomainError):
    code = ErrorCode.MODULE_IN_USE
