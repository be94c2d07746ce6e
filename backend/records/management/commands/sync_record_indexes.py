"""Create and drop the per-tenant indexes of filterable fields to match the published forms."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.records.filtering.indexes import sync_indexes
from backend.tenancy.models import Tenant


class Command(BaseCommand):
    help = "Create missing and drop unwanted filter indexes (CONCURRENTLY, as the owner)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", help="A tenant's slug (default: every tenant).")

    def handle(self, *args: Any, **options: Any) -> None:
        tenants = Tenant.objects.order_by("pk")
        if options["tenant"]:
            tenants = tenants.filter(slug=options["tenant"])
            if not tenants.exists():
                raise CommandError(f"No tenant '{options['tenant']}'.")
        for tenant in tenants:
            created, dropped = sync_indexes(tenant)
            self.stdout.write(f"{tenant.slug}: {len(created)} created, {len(dropped)} dropped")
