from backend.errors import DomainError


class InvalidTransition(DomainError):
    code = "INVALID_TRANSITION"


class ConsentRequired(DomainError):
    code = "CONSENT_REQUIRED"


class ApprovalRequired(DomainError):
    code = "APPROVAL_REQUIRED"


class RecipientCannotAccess(DomainError):
    code = "RECIPIENT_CANNOT_ACCESS"
