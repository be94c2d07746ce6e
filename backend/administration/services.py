"""Administration of agencies, user groups, roles and users (role action `manage_users`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from backend.accounts import services as accounts
from backend.accounts.models import RECORD_SCOPES, Role, User
from backend.administration.validation import (
    check_actions,
    check_code,
    check_field_rules,
    check_form_access,
)
from backend.errors import BadUserInput, NotFound, check_text_length
from backend.forms.models import FormDefinition
from backend.modules.services import check_grants
from backend.reports.indicators import check_dashboard
from backend.tenancy.models import Agency, UserGroup
from permissions.actions import require_action

USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,150}$")


# The columns these names are stored in.
NAME_LENGTH = 200
EMAIL_LENGTH = 254
_ATTRIBUTES = {"fullName": "full_name", "email": "email", "locale": "locale"}


def save_agency(actor: User, code: str, name: str) -> Agency:
    require_action(actor, "manage_users")
    check_text_length("name", name, NAME_LENGTH)
    with transaction.atomic():
        agency, _ = Agency.objects.update_or_create(
            tenant_id=actor.tenant_id, code=check_code(code, "code"), defaults={"name": name}
        )
        return agency


def _agency(actor: User, code: str | None) -> Agency | None:
    if code is None:
        return None
    agency = Agency.objects.filter(tenant_id=actor.tenant_id, code=code).first()
    if agency is None:
        raise NotFound(f"No agency {code!r}.", field="agency")
    return agency


def save_user_group(actor: User, code: str, name: str, agency: str | None = None) -> UserGroup:
    require_action(actor, "manage_users")
    check_text_length("name", name, NAME_LENGTH)
    with transaction.atomic():
        group, _ = UserGroup.objects.update_or_create(
            tenant_id=actor.tenant_id,
            code=check_code(code, "code"),
            defaults={"name": name, "agency": _agency(actor, agency)},
        )
        return group


@dataclass
class RoleChanges:
    name: str
    scope: str
    actions: Any
    form_access: Any
    field_rules: Any
    requires_two_factor: bool = False
    # module keys ("*": every module); None keeps the role's modules
    modules: list[str] | None = None
    # indicator definitions (backend/reports/indicators.py); None keeps the role's dashboard
    dashboard: Any = None


def save_role(actor: User, code: str, changes: RoleChanges) -> Role:
    """Create or replace a role. Takes effect on the next request of every user who has it."""
    require_action(actor, "manage_users")
    check_text_length("name", changes.name, NAME_LENGTH)
    tenant = actor.tenant
    if changes.scope not in dict(RECORD_SCOPES):
        raise BadUserInput(f"scope is one of {', '.join(dict(RECORD_SCOPES))}.", field="scope")
    form_keys = set(FormDefinition.objects.filter(tenant=tenant).values_list("key", flat=True))
    defaults = {
        "name": changes.name,
        "scope": changes.scope,
        "actions": check_actions(tenant, changes.actions),
        "form_access": check_form_access(form_keys, changes.form_access),
        "field_rules": check_field_rules(changes.field_rules),
        "requires_two_factor": changes.requires_two_factor,
    }
    if changes.modules is not None:
        defaults["modules"] = check_grants(tenant, changes.modules)
    if changes.dashboard is not None:
        defaults["dashboard"] = check_dashboard(tenant, changes.dashboard)
    with transaction.atomic():
        role, _ = Role.objects.update_or_create(
            tenant=tenant, code=check_code(code, "code"), defaults=defaults
        )
        return role


@dataclass
class UserChanges:
    full_name: str | None = None
    email: str | None = None
    locale: str | None = None
    role: str | None = None
    agency: str | None = None
    groups: list[str] | None = None
    is_active: bool | None = None
    password: str | None = None
    # module keys granted to the user beyond their role's; None keeps them
    modules: list[str] | None = None


def save_user(actor: User, username: str, changes: UserChanges) -> User:
    """Create or change a user of the actor's tenant. A new user needs a role and a password."""
    require_action(actor, "manage_users")
    tenant = actor.tenant
    if not USERNAME.match(username):
        raise BadUserInput("A username is 1-150 letters, digits or . _ @ -.", field="username")
    for field, limit in (("fullName", NAME_LENGTH), ("email", EMAIL_LENGTH), ("locale", 10)):
        check_text_length(field, getattr(changes, _ATTRIBUTES[field]), limit)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(tenant=tenant, username=username).first()
        if user is None:
            if not changes.password or not changes.role:
                raise BadUserInput("A new user needs a role and a password.", field="password")
            user = User(tenant=tenant, username=username)
            user.set_unusable_password()
            user.save()
        if changes.role is not None:
            role = Role.objects.filter(tenant=tenant, code=changes.role).first()
            if role is None:
                raise NotFound(f"No role {changes.role!r}.", field="role")
            user.role = role
        if changes.agency is not None:
            user.agency = _agency(actor, changes.agency)
        for attribute in ("full_name", "email", "locale"):
            value = getattr(changes, attribute)
            if value is not None:
                setattr(user, attribute, value)
        if changes.modules is not None:
            user.modules = check_grants(tenant, changes.modules)
        user.save()
        if changes.groups is not None:
            groups = list(UserGroup.objects.filter(tenant=tenant, code__in=changes.groups))
            missing = set(changes.groups) - {g.code for g in groups}
            if missing:
                raise NotFound(f"No user groups {sorted(missing)}.", field="groups")
            user.groups.set(groups)
        if changes.password:
            accounts.set_password(user, changes.password, actor=actor)
        if changes.is_active is not None and changes.is_active != user.is_active:
            if user.pk == actor.pk and not changes.is_active:
                raise BadUserInput("You cannot disable your own account.", field="isActive")
            accounts.set_user_active(user, changes.is_active)
        return user
