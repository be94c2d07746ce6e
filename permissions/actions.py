"""What a role allows: record-type actions, read from the role's configuration."""

from __future__ import annotations

from backend.accounts.models import User
from backend.errors import Forbidden

TENANT_WIDE = "*"


def role_allows(user: User, action: str, record_type: str = TENANT_WIDE) -> bool:
    """True when the user's role grants `action` on `record_type` (or tenant-wide)."""
    role = user.role
    if role is None or not user.is_active:
        return False
    actions = role.actions or {}
    return action in actions.get(record_type, ()) or action in actions.get(TENANT_WIDE, ())


def require_action(user: User, action: str, record_type: str = TENANT_WIDE) -> None:
    if not role_allows(user, action, record_type):
        what = f"'{action}'" + ("" if record_type == TENANT_WIDE else f" on {record_type}")
        raise Forbidden(f"Your role does not allow {what}.", action=action)


def require_action_on_any(user: User, action: str) -> None:
    """Refuse a user whose role grants `action` on no record type (nor tenant-wide)."""
    granted_on = user.role.actions if user.role is not None else None
    if not any(role_allows(user, action, record_type) for record_type in granted_on or {}):
        raise Forbidden(f"Your role does not allow '{action}'.", action=action)
