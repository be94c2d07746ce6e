"""Conditions and sort keys on the system fields: columns, and the workflow state kept in
other tables (flags, referrals, approvals), as EXISTS subqueries (no join: no duplicates)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from backend.accounts.models import User
from backend.records.models import Record
from backend.tenancy.models import Agency

NEVER = Q(pk__in=[])
# Referrals that give their recipient the record now (as referral_grants reads them).
ACTIVE_REFERRAL = ("pending", "accepted")
PENDING_REFERRAL = ("pending",)


def _related(name: str) -> Any:
    """The model behind a reverse relation of Record (workflows is not imported here)."""
    return Record._meta.get_field(name).related_model


def _flags(tenant_id: int) -> QuerySet[Any]:
    return _related("flags").objects.filter(
        tenant_id=tenant_id, record=OuterRef("pk"), removed_at__isnull=True
    )


def _referrals(
    tenant_id: int, usernames: list[str] | None, statuses: tuple[str, ...] = ACTIVE_REFERRAL
) -> QuerySet[Any]:
    found = _related("transitions").objects.filter(
        tenant_id=tenant_id, record=OuterRef("pk"), kind="referral", status__in=statuses
    )
    return found if usernames is None else found.filter(to_user__username__in=usernames)


def _approvals(tenant_id: int, types: list[str] | None) -> QuerySet[Any]:
    found = _related("approvals").objects.filter(
        tenant_id=tenant_id, record=OuterRef("pk"), status="requested"
    )
    return found if types is None else found.filter(approval_type__in=types)


def _one_of(name: str, op: str, value: Any) -> list[Any]:
    return [value] if op == "eq" else list(value)


def _lookup(name: str, values: list[str], tenant_id: int) -> Q:
    # Names resolved to keys first (one small query): against a subquery the planner
    # guesses one matching row and walks every owner's records instead of the index.
    if name == "owner":
        users = User.objects.filter(tenant_id=tenant_id, username__in=values)
        return Q(owner_id__in=list(users.values_list("pk", flat=True)))
    if name == "agency":
        agencies = Agency.objects.filter(tenant_id=tenant_id, code__in=values)
        return Q(agency_id__in=list(agencies.values_list("pk", flat=True)))
    if name == "referred_to":
        return Q(Exists(_referrals(tenant_id, values)))
    if name == "referral_pending":
        return Q(Exists(_referrals(tenant_id, values, PENDING_REFERRAL)))
    if name == "pending_approval":
        return Q(Exists(_approvals(tenant_id, values)))
    return Q(**{f"{name}__in": values})


def _is_null(name: str, tenant_id: int) -> Q:
    if name == "referred_to":
        return ~Q(Exists(_referrals(tenant_id, None)))
    if name == "referral_pending":
        return ~Q(Exists(_referrals(tenant_id, None, PENDING_REFERRAL)))
    if name == "pending_approval":
        return ~Q(Exists(_approvals(tenant_id, None)))
    if name == "short_id":
        return Q(short_id="")
    if name == "flagged":
        return NEVER
    column = {"owner": "owner_id", "agency": "agency_id"}.get(name, name)
    return Q(**{f"{column}__isnull": True})


def _moment(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def system_condition(name: str, ops: Mapping[str, Any], tenant_id: int) -> Q:
    """All of `ops` on a system field (values already checked by the compiler)."""
    result = Q()
    for op, value in ops.items():
        if op == "is_null":
            leaf = _is_null(name, tenant_id)
            result &= leaf if value else ~leaf
        elif name == "flagged":
            flagged = Q(Exists(_flags(tenant_id)))
            result &= flagged if value else ~flagged
        elif name in ("created_at", "updated_at"):
            if op == "between":
                result &= Q(**{f"{name}__range": (_moment(value[0]), _moment(value[1]))})
            else:
                lookup = "exact" if op == "eq" else op
                result &= Q(**{f"{name}__{lookup}": _moment(value)})
        elif op == "starts_with":
            result &= Q(**{f"{name}__istartswith": value})
        elif op == "contains":
            result &= Q(**{f"{name}__icontains": value})
        else:
            result &= _lookup(name, _one_of(name, op, value), tenant_id) if value else NEVER
    return result


def system_sort_expression(name: str) -> Any:
    if name == "owner":
        return Subquery(User.objects.filter(pk=OuterRef("owner_id")).values("username")[:1])
    if name == "agency":
        return Subquery(Agency.objects.filter(pk=OuterRef("agency_id")).values("code")[:1])
    return F(name)
