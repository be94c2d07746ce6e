import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.deployment.services import export_bundle
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant


class Command(BaseCommand):
    help = "Write a tenant's whole configuration as one JSON bundle (stdout, or --output)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, metavar="SLUG")
        parser.add_argument("--output", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"No tenant {options['tenant']!r}.")
        with tenant_transaction(tenant.pk):
            bundle = export_bundle(tenant)
        text = json.dumps(bundle, ensure_ascii=False, indent=2) + "\n"
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote the configuration of {tenant.slug} to {options['output']}")
        else:
            self.stdout.write(text, ending="")
