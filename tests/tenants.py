"""Throwaway tenants for tests that publish their own forms, apart from the demo tenant."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import transaction

from backend.accounts.models import Role, User
from backend.tenancy.context import activate_tenant
from backend.tenancy.models import Agency, Tenant
from tests.graphql_client import DEMO_PASSWORD

WORK = ["read", "create", "write"]


@dataclass
class ScratchTenant:
    slug: str
    tenant: Tenant
    admin: User
    worker: User


def make_tenant(record_types: tuple[str, ...] = ("case",)) -> ScratchTenant:
    """A tenant with an `admin` (manage_forms, all records) and a `worker` (own records)."""
    with transaction.atomic():
        return _make_tenant(record_types)


def _make_tenant(record_types: tuple[str, ...]) -> ScratchTenant:
    tenant = Tenant.objects.create(
        slug=f"t-{uuid.uuid4().hex[:10]}",
        name="Test tenant",
        locales=["en", "fr", "ar"],
        default_locale="en",
        record_types=list(record_types),
    )
    activate_tenant(tenant.pk)
    agency = Agency.objects.create(tenant=tenant, code="agency", name="Agency")
    admin_role = Role.objects.create(
        tenant=tenant,
        code="admin",
        name="Admin",
        scope="all",
        actions={"*": ["manage_forms", "manage_users"], **{rt: WORK for rt in record_types}},
        form_access={"*": "rw"},
    )
    worker_role = Role.objects.create(
        tenant=tenant,
        code="worker",
        name="Worker",
        scope="own",
        actions={rt: WORK for rt in record_types},
        form_access={"*": "rw"},
    )
    admin = User.objects.create_user(tenant, "admin", DEMO_PASSWORD, role=admin_role, agency=agency)
    worker = User.objects.create_user(
        tenant, "worker", DEMO_PASSWORD, role=worker_role, agency=agency
    )
    return ScratchTenant(tenant.slug, tenant, admin, worker)
