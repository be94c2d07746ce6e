"""The AccessPlan: once per request per (user, record type), the rules turned into sets.

Resolvers and services read the plan instead of asking the rules per field per row:
- `readable` / `writable`: field names the user may read / write on records in full access;
- `visible_filter()`: a queryset filter for the records the user may see at all;
- `access(record)`: full, referral (with its form subset), or none, for one record.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

import rules
from django.db.models import Q

from backend.accounts.models import User
from backend.forms.configuration import TenantConfiguration
from formengine import RecordSchema
from permissions import rules as _registered  # noqa: F401  (registers the named rules)
from permissions.scope import scope_filter


class AccessKind(enum.Enum):
    FULL = "full"
    REFERRAL = "referral"
    NONE = "none"


@dataclass(frozen=True)
class RecordAccess:
    kind: AccessKind
    readable: frozenset[str]
    writable: frozenset[str]


NO_ACCESS = RecordAccess(AccessKind.NONE, frozenset(), frozenset())


@dataclass(frozen=True)
class AccessPlan:
    user: User
    record_type: str
    form_of: Mapping[str, str]  # top-level field -> form key
    readable: frozenset[str]
    writable: frozenset[str]
    hidden_children: frozenset[str]  # "subform.child" hidden by a tag rule
    can_read: bool
    scope: Q
    # record id -> form keys shared with this user by an active referral
    referrals: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def visible_filter(self) -> Q:
        """Records of this type in scope, or referred to the user."""
        if not self.can_read:
            return Q(pk__in=[])
        referred = Q(pk__in=list(self.referrals)) if self.referrals else Q(pk__in=[])
        return (self.scope | referred) & Q(record_type=self.record_type)

    def access(self, record: object) -> RecordAccess:
        if not self.can_read:
            return NO_ACCESS
        if rules.test_rule("record_in_scope", self.user, record):
            return RecordAccess(AccessKind.FULL, self.readable, self.writable)
        forms = self.referrals.get(str(getattr(record, "pk", "")))
        if forms is not None:
            shared = (
                self.readable
                if "*" in forms
                else frozenset(n for n in self.readable if self.form_of.get(n) in forms)
            )
            return RecordAccess(AccessKind.REFERRAL, shared, self.writable & shared)
        return NO_ACCESS


def build_plan(
    user: User,
    configuration: TenantConfiguration,
    schema: RecordSchema,
    referrals: Mapping[str, frozenset[str]] | None = None,
) -> AccessPlan:
    record_type = schema.record_type
    form_of = configuration.field_forms.get(record_type, {})
    may_write = rules.test_rule("role_allows", user, ("write", record_type)) or rules.test_rule(
        "role_allows", user, ("create", record_type)
    )
    readable_forms = {k for k in set(form_of.values()) if rules.test_rule("form_readable", user, k)}
    writable_forms = {k for k in readable_forms if rules.test_rule("form_writable", user, k)}
    readable: set[str] = set()
    writable: set[str] = set()
    hidden_children: set[str] = set()
    for name, definition in schema.fields.items():
        form_key = form_of.get(name, "")
        if form_key not in readable_forms or not rules.test_rule("field_visible", user, definition):
            continue
        readable.add(name)
        hidden_children.update(
            f"{name}.{child.name}"
            for child in definition.fields
            if not rules.test_rule("field_visible", user, child)
        )
        if (
            may_write
            and form_key in writable_forms
            and rules.test_rule("field_editable", user, definition)
        ):
            writable.add(name)
    return AccessPlan(
        user=user,
        record_type=record_type,
        form_of=form_of,
        readable=frozenset(readable),
        writable=frozenset(writable),
        hidden_children=frozenset(hidden_children),
        can_read=rules.test_rule("role_allows", user, ("read", record_type)),
        scope=scope_filter(user),
        referrals=dict(referrals or {}),
    )
