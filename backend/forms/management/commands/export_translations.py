from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from backend.forms.management.acting_user import acting_user, tenant_of
from backend.forms.translations import FORMATS, export_translations
from backend.tenancy.context import tenant_transaction


class Command(BaseCommand):
    help = "Write every label of a tenant as a sheet for translators (key, then a column a locale)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, metavar="SLUG")
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("--output", help="the file to write (default: the file's own name)")
        parser.add_argument("--user", help="act as this administrator (default: the first)")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = tenant_of(options["tenant"])
        with tenant_transaction(tenant.pk):
            user = acting_user(tenant, options["user"])
            file = export_translations(user, options["format"])
        output = Path(options["output"] or file.filename)
        output.write_bytes(file.content)
        self.stdout.write(f"wrote {output}")
