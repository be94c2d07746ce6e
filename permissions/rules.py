"""The rules, as django-rules predicates. The AccessPlan evaluates them once per request.

Rule names (for `rules.test_rule(name, user, obj)`):
- `role_allows`: obj is `(action, record_type)`;
- `record_in_scope`: obj is a Record;
- `form_readable` / `form_writable`: obj is a form key;
- `field_visible`: obj is a FieldDefinition (not hidden by a tag rule of the role);
- `field_editable`: obj is a FieldDefinition (current, not calculated, not read-only by tag);
- `module_granted`: obj is a module key (the role's modules, "*" for all, or the user's own).
Named permissions (`rules.has_perm`): `forms.manage`, `accounts.manage`, `audit.read`.
"""

from __future__ import annotations

from typing import Any

import rules

from backend.accounts.models import User
from formengine import FieldDefinition
from permissions.actions import role_allows as _role_allows
from permissions.scope import in_scope


def _form_access(user: User, form_key: str) -> str:
    access = user.role.form_access if user.role else {}
    return str(access.get(form_key) or access.get("*") or "")


def _tag_rule(user: User, rule: str) -> set[str]:
    field_rules = (user.role.field_rules if user.role else None) or {}
    return set(field_rules.get(rule, ()))


@rules.predicate
def role_allows(user: User, action_on: tuple[str, str]) -> bool:
    action, record_type = action_on
    return _role_allows(user, action, record_type)


@rules.predicate
def record_in_scope(user: User, record: Any) -> bool:
    return in_scope(user, record)


@rules.predicate
def form_readable(user: User, form_key: str) -> bool:
    return _form_access(user, form_key) in ("r", "rw")


@rules.predicate
def form_writable(user: User, form_key: str) -> bool:
    return _form_access(user, form_key) == "rw"


def field_rule_inputs(user: User) -> tuple[frozenset[str], frozenset[str]]:
    """Everything `field_visible` and `field_editable` read of a user besides the field: the
    role's hidden and read-only tags (the AccessPlan caches field paths by it)."""
    return frozenset(_tag_rule(user, "hidden_tags")), frozenset(_tag_rule(user, "read_only_tags"))


@rules.predicate
def field_visible(user: User, definition: FieldDefinition) -> bool:
    return not (_tag_rule(user, "hidden_tags") & definition.tags)


@rules.predicate
def field_editable(user: User, definition: FieldDefinition) -> bool:
    return not (
        definition.deprecated
        or definition.is_calculated
        or _tag_rule(user, "read_only_tags") & definition.tags
    )


def granted_modules(user: User) -> frozenset[str]:
    """A user's modules: their role's and their own ("*": every module)."""
    role_modules = (user.role.modules if user.role else None) or []
    return frozenset([*role_modules, *(user.modules or [])])


@rules.predicate
def module_granted(user: User, module: str) -> bool:
    granted = granted_modules(user)
    return module in granted or "*" in granted


@rules.predicate
def can_manage_forms(user: User) -> bool:
    return _role_allows(user, "manage_forms")


@rules.predicate
def can_manage_users(user: User) -> bool:
    return _role_allows(user, "manage_users")


@rules.predicate
def can_read_audit(user: User) -> bool:
    return _role_allows(user, "read_audit")


RULES = {
    "role_allows": role_allows,
    "record_in_scope": record_in_scope,
    "form_readable": form_readable,
    "form_writable": form_writable,
    "field_visible": field_visible,
    "field_editable": field_editable,
    "module_granted": module_granted,
}
PERMISSIONS = {
    "forms.manage": can_manage_forms,
    "accounts.manage": can_manage_users,
    "audit.read": can_read_audit,
}
for _name, _predicate in RULES.items():
    rules.set_rule(_name, _predicate)
for _name, _predicate in PERMISSIONS.items():
    rules.set_perm(_name, _predicate)
