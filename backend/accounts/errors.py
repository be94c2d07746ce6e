"""Errors of sign-in and account security, each with the stable code clients switch on."""

from __future__ import annotations

from datetime import datetime

from backend.error_codes import ErrorCode
from backend.errors import BadUserInput, DomainError, Forbidden, Unauthenticated


class WeakPassword(BadUserInput):
    """The new password breaks the policy; `reasons` lists [{code, message}]."""

    code = ErrorCode.WEAK_PASSWORD


class InvalidCurrentPassword(BadUserInput):
    code = ErrorCode.INVALID_CURRENT_PASSWORD


class AccountLocked(Unauthenticated):
    code = ErrorCode.ACCOUNT_LOCKED

    def __init__(self, locked_until: datetime) -> None:
        super().__init__(
            "Too many failed sign-in attempts. The account is locked until "
            f"{locked_until:%Y-%m-%d %H:%M:%S} UTC.",
            lockedUntil=locked_until.isoformat(),
        )


class TooManyRequests(DomainError):
    code = ErrorCode.TOO_MANY_REQUESTS

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Too many sign-in attempts. Try again in {retry_after} seconds.",
            retryAfter=retry_after,
        )


class TotpRequired(Unauthenticated):
    code = ErrorCode.TOTP_REQUIRED


class InvalidTotp(Unauthenticated):
    code = ErrorCode.INVALID_TOTP


class TotpEnrollmentRequired(Unauthenticated):
    """The token may only enrol a TOTP authenticator (its role requires two-factor)."""

    code = ErrorCode.TOTP_ENROLLMENT_REQUIRED


class TotpAlreadyEnabled(BadUserInput):
    code = ErrorCode.TOTP_ALREADY_ENABLED


class TotpNotEnabled(BadUserInput):
    code = ErrorCode.TOTP_NOT_ENABLED


class TotpRequiredByRole(Forbidden):
    code = ErrorCode.TOTP_REQUIRED_BY_ROLE


class TotpEnrollmentNotStarted(BadUserInput):
    code = ErrorCode.TOTP_ENROLLMENT_NOT_STARTED
