"""django-rules predicates: the named rules every surface asks through `rules.has_perm`."""

from __future__ import annotations

import rules

from backend.accounts.models import User
from permissions.actions import role_allows


@rules.predicate
def can_manage_forms(user: User) -> bool:
    return role_allows(user, "manage_forms")


@rules.predicate
def can_manage_users(user: User) -> bool:
    return role_allows(user, "manage_users")


rules.add_perm("forms.manage", can_manage_forms)
rules.add_perm("accounts.manage", can_manage_users)
