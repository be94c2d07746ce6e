from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.errors import DomainError
from backend.forms.management.acting_user import acting_user, tenant_of
from backend.forms.translations import FORMATS, import_translations
from backend.tenancy.context import tenant_transaction


class Command(BaseCommand):
    help = "Apply a translation sheet: republish changed forms, update lookups; all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--tenant", required=True, metavar="SLUG")
        parser.add_argument("--format", choices=FORMATS, help="default: the file's extension")
        parser.add_argument("--user", help="act as this administrator (default: the first)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        file_format = options["format"] or path.suffix.lstrip(".").lower()
        if file_format not in FORMATS:
            raise CommandError(f"give --format ({', '.join(FORMATS)}) for {path.name}")
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(str(error)) from error
        tenant = tenant_of(options["tenant"])
        try:
            with tenant_transaction(tenant.pk):
                user = acting_user(tenant, options["user"])
                result = import_translations(user, file_format, content)
        except DomainError as refused:
            for problem in refused.details.get("errors") or []:
                self.stderr.write(f"{path.name}: {problem['message']}")
            raise CommandError(refused.message) from refused
        self.stdout.write(
            "published forms: "
            + (", ".join(result.published_forms) or "none")
            + "; updated lookups: "
            + (", ".join(result.updated_lookups) or "none")
        )
