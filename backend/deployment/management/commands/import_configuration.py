import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.deployment.services import InvalidConfigurationBundle, import_bundle
from backend.tenancy.models import Tenant


class Command(BaseCommand):
    help = (
        "Import a configuration bundle into a tenant: every problem is listed and nothing is "
        "applied, or all of it is, in one transaction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, metavar="SLUG")
        parser.add_argument("file", help="a bundle written by export_configuration")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"No tenant {options['tenant']!r}.")
        try:
            bundle = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"{options['file']}: not a JSON bundle ({error}).") from error
        try:
            report = import_bundle(tenant, bundle)
        except InvalidConfigurationBundle as error:
            lines = [f"  {p.path or '(bundle)'}: {p.code}: {p.message}" for p in error.problems]
            raise CommandError("\n".join([f"{error.code}: {error.message}", *lines])) from error
        for change in report.changes:
            self.stdout.write(change)
        self.stdout.write(
            f"imported into {tenant.slug}: {len(report.changes)} changes"
            + (f", configuration version {report.config_version}" if report.changes else "")
        )
