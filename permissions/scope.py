"""Record scope: which records a user may see by their role's scope (own, group, agency, all)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Q

from backend.accounts.models import User
from backend.request_state import request_state


def _group_ids(user: User) -> list[int]:
    """The user's groups, once per request. Plain SQL: every list and search asks, and the
    ORM took longer to compile the join than the database to answer it."""
    cache: dict[int, list[int]] = request_state().setdefault("group_ids", {})
    if user.pk not in cache:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT m.usergroup_id FROM accounts_user_groups m JOIN tenancy_usergroup g"
                " ON g.id = m.usergroup_id WHERE m.user_id = %s ORDER BY 1",
                [user.pk],
            )
            cache[user.pk] = [row[0] for row in cursor.fetchall()]
    return cache[user.pk]


def scope_filter(user: User) -> Q:
    """A filter on Record for the user's role scope, within the tenant, tombstones excluded."""
    in_tenant = Q(tenant_id=user.tenant_id, deleted_at__isnull=True)
    role = user.role
    if role is None or not user.is_active:
        return in_tenant & Q(pk__in=[])
    own = Q(owner_id=user.pk) | Q(associated_user_ids__contains=[user.pk])
    if role.scope == "all":
        return in_tenant
    if role.scope == "agency" and user.agency_id is not None:
        return in_tenant & (own | Q(agency_id=user.agency_id))
    if role.scope == "group":
        return in_tenant & (own | Q(group_ids__overlap=_group_ids(user)))
    return in_tenant & own


def scope_key(record: Any) -> tuple[object, ...]:
    """Everything of a record that `in_scope` reads: records with equal keys are in or out
    of a user's scope together."""
    return (
        record.tenant_id,
        record.deleted_at is None,
        record.owner_id,
        getattr(record, "agency_id", None),  # read by `in_scope` only for some scopes
        tuple(getattr(record, "associated_user_ids", None) or ()),
        tuple(getattr(record, "group_ids", None) or ()),
    )


def in_scope(user: User, record: Any) -> bool:
    """The same rule as `scope_filter`, for one loaded record."""
    role = user.role
    if (
        role is None
        or not user.is_active
        or record.tenant_id != user.tenant_id
        or record.deleted_at is not None
    ):
        return False
    if record.owner_id == user.pk or user.pk in (record.associated_user_ids or ()):
        return True
    if role.scope == "all":
        return True
    if role.scope == "agency":
        return user.agency_id is not None and record.agency_id == user.agency_id
    if role.scope == "group":
        return bool(set(record.group_ids or ()) & set(_group_ids(user)))
    return False
