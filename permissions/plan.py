"""The AccessPlan: once per request per (user, record type), the rules turned into sets.

Resolvers and services read the plan instead of asking the rules per field per row:
- `readable` / `writable`: field names the user may read / write on records in full access;
- `visible_filter()`: a queryset filter for the records the user may see at all;
- `access(record)`: full, referral (with its form subset), or none, for one record.

Where the tenant has modules for the record type (backend/modules), a record belongs to one:
the user sees only records of modules granted to them (and records without a module), and on
a record of module M reads and writes only fields shown on a form of M.
"""

from __future__ import annotations

import enum
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import rules
from django.db.models import Q

from backend.accounts.models import User
from backend.forms.configuration import TenantConfiguration
from formengine import FieldPath, RecordSchema
from permissions import rules as _registered  # noqa: F401  (registers the named rules)
from permissions.field_paths import FieldPaths, field_paths
from permissions.rules import field_rule_inputs
from permissions.scope import scope_filter, scope_key

# Field paths by everything they are computed from (see _field_paths); roles are few and
# configurations change rarely, so the rule tests (hundreds per record type) run once per
# role and configuration version per process, not once per request.
_PATHS_CACHE_SIZE = 512
_paths_cache: OrderedDict[tuple[object, ...], FieldPaths] = OrderedDict()
_paths_lock = threading.Lock()


class AccessKind(enum.Enum):
    FULL = "full"
    REFERRAL = "referral"
    NONE = "none"


@dataclass(frozen=True)
class RecordAccess:
    """What one caller may do with one record: `readable` / `writable` are top-level field
    names; `readable_paths` / `writable_paths` the same at every depth (see field_paths)."""

    kind: AccessKind
    readable: frozenset[str]
    writable: frozenset[str]
    readable_paths: frozenset[FieldPath] = frozenset()
    writable_paths: frozenset[FieldPath] = frozenset()
    # subforms with an unreadable field inside their entries (see FieldPaths.hiding)
    hiding: frozenset[FieldPath] = frozenset()
    _children: dict[FieldPath, frozenset[str]] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    def may_read(self, path: FieldPath) -> bool:
        return path in self.readable_paths

    def readable_children(self, parent: FieldPath) -> frozenset[str]:
        """The names readable directly under a subform (each subform worked out once)."""
        found = self._children.get(parent)
        if found is None:
            depth = len(parent) + 1
            found = frozenset(
                p[-1] for p in self.readable_paths if len(p) == depth and p[:-1] == parent
            )
            self._children[parent] = found
        return found

    def may_write(self, path: FieldPath) -> bool:
        return path in self.writable_paths


NO_ACCESS = RecordAccess(AccessKind.NONE, frozenset(), frozenset())


@dataclass(frozen=True)
class AccessPlan:
    user: User
    record_type: str
    form_of: Mapping[str, tuple[str, ...]]  # top-level field -> keys of the forms showing it
    readable: frozenset[str]
    writable: frozenset[str]
    paths: FieldPaths
    can_read: bool
    scope: Q
    # record id -> form keys shared with this user by an active referral
    referrals: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # module key -> its form keys for this record type (empty: the type has no modules)
    modules: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # the keys of `modules` granted to the user
    granted: frozenset[str] = frozenset()
    _referral_accesses: dict[frozenset[str], RecordAccess] = field(
        default_factory=dict, compare=False, repr=False
    )
    _module_accesses: dict[frozenset[str], RecordAccess] = field(
        default_factory=dict, compare=False, repr=False
    )
    # the scope rule's answer per distinct `scope_key`: a page of records mostly shares a
    # handful (one owner, one agency), and the rule costs more than the key
    _in_scope: dict[tuple[object, ...], bool] = field(
        default_factory=dict, compare=False, repr=False
    )

    def visible_filter(self) -> Q:
        """Records of this type in scope, or referred to the user; of a granted module."""
        if not self.can_read:
            return Q(pk__in=[])
        referred = Q(pk__in=list(self.referrals)) if self.referrals else Q(pk__in=[])
        visible = (self.scope | referred) & Q(record_type=self.record_type)
        if self.modules:
            visible &= Q(module__in=sorted(self.granted)) | Q(module__isnull=True)
        return visible

    def access(self, record: object) -> RecordAccess:
        if not self.can_read:
            return NO_ACCESS
        within = self.module_access(getattr(record, "module", None))
        if within.kind is AccessKind.NONE:
            return NO_ACCESS
        key = scope_key(record)
        in_scope = self._in_scope.get(key)
        if in_scope is None:
            in_scope = self._in_scope[key] = rules.test_rule("record_in_scope", self.user, record)
        if in_scope:
            return within
        forms = self.referrals.get(str(getattr(record, "pk", "")))
        if forms is not None:
            return self.shared_access(within, forms)
        return NO_ACCESS

    def shared_access(self, within: RecordAccess, forms: frozenset[str]) -> RecordAccess:
        """A referral's access: `within` (the module's full access) cut to the fields shown
        on the shared `forms` ("*": every form)."""
        shared = (
            within.readable
            if "*" in forms
            else frozenset(
                n for n in within.readable if not forms.isdisjoint(self.form_of.get(n, ()))
            )
        )
        return self._referral_access(shared)

    def module_access(self, module: str | None) -> RecordAccess:
        """Full access to a record of `module`: only the fields shown on the module's forms;
        none when the module is not granted. A record without a module (its type has none,
        or it predates them) gets the plan's full access."""
        if module is None or not self.modules:
            return self.full_access
        if module not in self.granted:
            return NO_ACCESS
        return self.forms_access(self.modules.get(module, frozenset()))

    def forms_access(self, forms: frozenset[str]) -> RecordAccess:
        """Full access limited to the fields shown on any of `forms` (computed once per set
        of forms, not per record)."""
        access = self._module_accesses.get(forms)
        if access is None:
            shown = frozenset(n for n, keys in self.form_of.items() if not forms.isdisjoint(keys))
            access = self._module_accesses[forms] = self._limited(AccessKind.FULL, shown)
        return access

    def granted_forms(self) -> frozenset[str] | None:
        """The form keys of the user's modules (None: the type has no modules)."""
        if not self.modules:
            return None
        return frozenset(k for m in self.granted for k in self.modules.get(m, ()))

    @cached_property
    def full_access(self) -> RecordAccess:
        return RecordAccess(
            AccessKind.FULL,
            self.readable,
            self.writable,
            self.paths.readable,
            self.paths.writable,
            self.paths.hiding,
        )

    def _referral_access(self, shared: frozenset[str]) -> RecordAccess:
        access = self._referral_accesses.get(shared)
        if access is None:
            access = self._referral_accesses[shared] = self._limited(AccessKind.REFERRAL, shared)
        return access

    def _limited(self, kind: AccessKind, top_level: frozenset[str]) -> RecordAccess:
        paths = self.paths.limited_to(top_level)
        return RecordAccess(
            kind,
            frozenset(p[0] for p in paths.readable if len(p) == 1),
            frozenset(p[0] for p in paths.writable if len(p) == 1),
            paths.readable,
            paths.writable,
            paths.hiding,
        )


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
    all_forms = {key for keys in form_of.values() for key in keys}
    readable_forms = {k for k in all_forms if rules.test_rule("form_readable", user, k)}
    writable_forms = {k for k in readable_forms if rules.test_rule("form_writable", user, k)}
    paths = _field_paths(
        user, configuration, schema, may_write, frozenset(readable_forms), frozenset(writable_forms)
    )
    modules = configuration.modules.get(record_type, {})
    return AccessPlan(
        user=user,
        record_type=record_type,
        form_of=form_of,
        readable=frozenset(p[0] for p in paths.readable if len(p) == 1),
        writable=frozenset(p[0] for p in paths.writable if len(p) == 1),
        paths=paths,
        can_read=rules.test_rule("role_allows", user, ("read", record_type)),
        scope=scope_filter(user),
        referrals=dict(referrals or {}),
        modules=dict(modules),
        granted=frozenset(m for m in modules if rules.test_rule("module_granted", user, m)),
    )


def _field_paths(
    user: User,
    configuration: TenantConfiguration,
    schema: RecordSchema,
    may_write: bool,
    readable_forms: frozenset[str],
    writable_forms: frozenset[str],
) -> FieldPaths:
    """The user's field paths, shared by every user whose rules read the same: the same
    configuration, form access, write permission and field-rule inputs."""
    key = (
        configuration.tenant_id,
        configuration.config_version,
        configuration.digest,
        schema.record_type,
        may_write,
        readable_forms,
        writable_forms,
        field_rule_inputs(user),
    )
    with _paths_lock:
        cached = _paths_cache.get(key)
        if cached is not None:
            _paths_cache.move_to_end(key)
            return cached
    form_of = configuration.field_forms.get(schema.record_type, {})
    paths = field_paths(
        schema,
        top_level_readable=lambda name: not readable_forms.isdisjoint(form_of.get(name, ())),
        top_level_writable=lambda name: (
            may_write and not writable_forms.isdisjoint(form_of.get(name, ()))
        ),
        visible=lambda definition: rules.test_rule("field_visible", user, definition),
        editable=lambda definition: rules.test_rule("field_editable", user, definition),
    )
    with _paths_lock:
        _paths_cache[key] = paths
        while len(_paths_cache) > _PATHS_CACHE_SIZE:
            _paths_cache.popitem(last=False)
    return paths
