"""Rebuild the search index from the records' data: for existing data, or after a change of
which fields are searchable when the background rebuild did not run."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.search.indexing import rebuild_tenant_index
from backend.tenancy.models import Tenant


class Command(BaseCommand):
    help = "Rebuild the search index of one tenant (--tenant SLUG) or of every tenant."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", help="the tenant's slug (default: every tenant)")

    def handle(self, *args: Any, **options: Any) -> None:
        tenants = Tenant.objects.order_by("pk")
        if options["tenant"]:
            tenants = tenants.filter(slug=options["tenant"])
            if not tenants.exists():
                raise CommandError(f"No tenant {options['tenant']!r}.")
        for tenant in tenants:
            written = rebuild_tenant_index(tenant)
            self.stdout.write(f"{tenant.slug}: {written} search tokens")
