"""Records shared with a user by an active referral, and the forms each one carries."""

from __future__ import annotations

from backend.accounts.models import User


def referral_grants(user: User, record_type: str) -> dict[str, frozenset[str]]:
    """Record id -> form keys. Referrals arrive with the workflows; until then, none."""
    return {}
