"""`manage.py import_locations --tenant SLUG FILE.csv`: load or update a location registry.

The file is `code,parent_code,admin_level,name_en,name_fr,...`; any bad row refuses the
whole file and every problem is printed (`row N, column: CODE: message`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.locations.csv_format import parse_csv
from backend.locations.services import import_location_rows
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant


class Command(BaseCommand):
    help = "Import a tenant's locations from a CSV file (all rows or none)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="tenant slug")
        parser.add_argument("file", help="CSV: code,parent_code,admin_level,name_<locale>,...")

    def handle(self, *args: Any, tenant: str, file: str, **options: Any) -> None:
        found = Tenant.objects.filter(slug=tenant).first()
        if found is None:
            raise CommandError(f"no tenant '{tenant}'")
        try:
            text = Path(file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{file}: cannot read it as UTF-8 text: {error}") from None
        rows, errors = parse_csv(text)
        if not errors:
            with tenant_transaction(found.pk):
                result = import_location_rows(found, rows)
            errors = result.errors
        if errors:
            for e in errors:
                self.stderr.write(f"{file}: row {e.row}, {e.column or '-'}: {e.code}: {e.message}")
            raise CommandError(f"nothing imported: {len(errors)} error(s)")
        self.stdout.write(
            f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged"
        )
