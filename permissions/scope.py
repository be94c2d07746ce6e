"""Record scope: which records of a record type a user may see, as a queryset filter."""

from __future__ import annotations

from django.db.models import Q

from backend.accounts.models import User


def scope_filter(user: User) -> Q:
    """A filter on Record for the user's role scope (own, group, agency, all), within the tenant."""
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
        group_ids = list(user.groups.values_list("pk", flat=True))
        return in_tenant & (own | Q(group_ids__overlap=group_ids))
    return in_tenant & own
