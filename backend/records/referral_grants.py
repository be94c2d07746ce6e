"""Records shared with a user outside their scope (referrals, pending transfers).

The workflows app registers the provider; records does not import workflows.
"""

from __future__ import annotations

from collections.abc import Callable

from backend.accounts.models import User

GrantProvider = Callable[[User, str], dict[str, frozenset[str]]]
_providers: list[GrantProvider] = []


def register_grant_provider(provider: GrantProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def referral_grants(user: User, record_type: str) -> dict[str, frozenset[str]]:
    """Record id -> form keys shared with the user ("*": every form)."""
    merged: dict[str, frozenset[str]] = {}
    for provider in _providers:
        for record_id, forms in provider(user, record_type).items():
            merged[record_id] = merged.get(record_id, frozenset()) | forms
    return merged
