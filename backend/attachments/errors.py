"""Why a file is refused; each carries its stable code."""

from __future__ import annotations

from backend.error_codes import ErrorCode
from backend.errors import DomainError


class UnsupportedFileType(DomainError):
    code = ErrorCode.UNSUPPORTED_FILE_TYPE


class FileTooLarge(DomainError):
    code = ErrorCode.FILE_TOO_LARGE


class TooManyFiles(DomainError):
    code = ErrorCode.TOO_MANY_FILES


class ImageTooLarge(DomainError):
    code = ErrorCode.IMAGE_TOO_LARGE


class InfectedFile(DomainError):
    code = ErrorCode.INFECTED_FILE


class NotAnAttachmentField(DomainError):
    code = ErrorCode.NOT_AN_ATTACHMENT_FIELD


class UnknownSubformEntry(DomainError):
    code = ErrorCode.UNKNOWN_SUBFORM_ENTRY


class ScannerUnavailable(DomainError):
    code = ErrorCode.SCANNER_UNAVAILABLE
