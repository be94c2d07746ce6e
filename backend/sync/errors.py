"""The coded refusals of sync, shared by pull and push."""

from __future__ import annotations

from backend.error_codes import ErrorCode
from backend.errors import DomainError


class UnknownDevice(DomainError):
    code = ErrorCode.UNKNOWN_DEVICE


class DeviceRevoked(DomainError):
    code = ErrorCode.DEVICE_REVOKED
