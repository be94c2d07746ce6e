from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant
from graphql_schema.registry import schema_for_tenant


class Command(BaseCommand):
    help = "Print a tenant's compiled GraphQL schema as SDL (frontend_contract/schema.graphql)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", default="demo")
        parser.add_argument("--output", help="write to this file instead of stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"no tenant {options['tenant']!r}; run manage.py seed_demo")
        with tenant_transaction(tenant.pk):
            sdl = schema_for_tenant(tenant).as_str() + "\n"
        if options["output"]:
            Path(options["output"]).write_text(sdl)
            self.stdout.write(f"wrote {options['output']}")
        else:
            self.stdout.write(sdl, ending="")
