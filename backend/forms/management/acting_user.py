"""The tenant a command works on, and the administrator it acts as (named, or the first who may)."""

from __future__ import annotations

from django.core.management.base import CommandError

from backend.accounts.models import User
from backend.tenancy.models import Tenant
from permissions.actions import role_allows


def tenant_of(slug: str) -> Tenant:
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        raise CommandError(f"no tenant {slug!r}")
    return tenant


def acting_user(tenant: Tenant, username: str | None) -> User:
    """Call inside the tenant's transaction (row-level security)."""
    users = User.objects.filter(tenant=tenant, is_active=True).select_related("tenant", "role")
    if username:
        users = users.filter(username=username)
    for user in users.order_by("username"):
        if role_allows(user, "manage_forms"):
            return user
    named = f" named {username!r}" if username else ""
    raise CommandError(f"no active user{named} of {tenant.slug!r} may manage forms")
