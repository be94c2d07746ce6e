"""A new tenant with its administrator, optionally configured from a template bundle.

The operator's door (`manage.py create_tenant`): no signed-in actor, so no role check. All or
nothing: a template that does not import leaves no tenant behind.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from backend.accounts.models import Role, User
from backend.accounts.passwords import check_password_policy
from backend.administration.services import NAME_LENGTH, USERNAME
from backend.administration.validation import TENANT_ACTIONS
from backend.deployment.sections.settings import LOCALE, RECORD_TYPE
from backend.deployment.services import import_bundle
from backend.errors import BadUserInput
from backend.tenancy.context import activate_tenant
from backend.tenancy.models import Tenant

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
ADMIN_ROLE = "admin"
# What the administrator of a tenant without a template may do with each record type.
ADMIN_RECORD_ACTIONS = ["read", "create", "write", "export"]


@dataclass
class NewTenant:
    tenant: Tenant
    admin: User
    changes: list[str] = field(default_factory=list)


def _check(
    slug: str, name: str, username: str, locales: Sequence[str], record_types: Sequence[str]
) -> None:
    if not SLUG.match(slug):
        raise BadUserInput(
            f"{slug!r} is not a tenant slug: 1-63 lower-case letters, digits and inner '-'.",
            field="slug",
        )
    if Tenant.objects.filter(slug=slug).exists():
        raise BadUserInput(f"A tenant {slug!r} exists already.", field="slug")
    if not name.strip() or len(name) > NAME_LENGTH:
        raise BadUserInput(f"The name is 1 to {NAME_LENGTH} characters.", field="name")
    if not USERNAME.match(username):
        raise BadUserInput("A username is 1-150 letters, digits or . _ @ -.", field="username")
    if not isinstance(locales, list | tuple) or not isinstance(record_types, list | tuple):
        raise BadUserInput("The locales and record types are lists.", field="settings")
    bad = [code for code in locales if not isinstance(code, str) or not LOCALE.match(code)]
    if bad or not locales:
        raise BadUserInput(f"Not locale codes: {bad or 'none given'}.", field="locales")
    bad = [rt for rt in record_types if not isinstance(rt, str) or not RECORD_TYPE.match(rt)]
    if bad:
        raise BadUserInput(f"Not record type names: {bad}.", field="record_types")


def create_tenant(
    slug: str,
    name: str,
    admin_username: str,
    admin_password: str,
    *,
    locales: Sequence[str] | None = None,
    record_types: Sequence[str] | None = None,
    template: dict[str, Any] | None = None,
) -> NewTenant:
    """Create the tenant, its `admin` role and administrator, and import the template.

    `locales` and `record_types`, when given, replace the template's."""
    if template is not None and not isinstance(template, dict):
        raise BadUserInput("A template is a configuration bundle: a JSON object.")
    given = (template or {}).get("settings")
    settings: dict[str, Any] = dict(given) if isinstance(given, dict) else {}
    if locales:
        settings.update(locales=list(locales), default_locale=locales[0])
    if record_types:
        settings["record_types"] = list(record_types)
    settings.setdefault("locales", ["en"])
    if isinstance(settings["locales"], list) and settings["locales"]:
        settings.setdefault("default_locale", settings["locales"][0])
    settings.setdefault("record_types", [] if template else ["case"])
    _check(slug, name, admin_username, settings["locales"], settings["record_types"])
    check_password_policy(admin_password, User(username=admin_username))
    with transaction.atomic(durable=True):
        tenant = Tenant.objects.create(
            slug=slug,
            name=name,
            locales=list(settings["locales"]),
            default_locale=settings["default_locale"],
            record_types=list(settings["record_types"]),
        )
        activate_tenant(tenant.pk)
        changes: list[str] = []
        if template is not None:
            changes = import_bundle(tenant, {**template, "settings": settings}).changes
            tenant.refresh_from_db()
        role = _admin_role(tenant)
        admin = User(tenant=tenant, username=admin_username, role=role, full_name="Administrator")
        admin.set_password(admin_password)
        admin.save()
        return NewTenant(tenant, admin, changes)


def _admin_role(tenant: Tenant) -> Role:
    """The template's `admin` role with the tenant-wide actions an administrator needs, or a
    new one allowing those and the record work of every record type."""
    role = Role.objects.filter(tenant=tenant, code=ADMIN_ROLE).first()
    if role is None:
        return Role.objects.create(
            tenant=tenant,
            code=ADMIN_ROLE,
            name="Administrator",
            scope="all",
            actions={
                "*": sorted(TENANT_ACTIONS),
                **{rt: list(ADMIN_RECORD_ACTIONS) for rt in tenant.record_types},
            },
            form_access={"*": "rw"},
            modules=["*"],  # every programme the tenant declares, now or later
        )
    wide = sorted({*role.actions.get("*", ()), *TENANT_ACTIONS})
    if wide != role.actions.get("*"):
        role.actions = {**role.actions, "*": wide}
        role.save(update_fields=["actions"])
    return role
