from backend.error_codes import ErrorCode
from backend.errors import DomainError


class InvalidTransition(DomainError):
    code = ErrorCode.INVALID_TRANSITION


class ConsentRequired(DomainError):
    code = ErrorCode.CONSENT_REQUIRED


class ApprovalRequired(DomainError):
    code = ErrorCode.APPROVAL_REQUIRED


class RecipientCannotAccess(DomainError):
    code = ErrorCode.RECIPIENT_CANNOT_ACCESS
