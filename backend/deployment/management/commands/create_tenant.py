import getpass
import os
import secrets
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.deployment.services import InvalidConfigurationBundle
from backend.deployment.templates import UnknownTemplate, load_template
from backend.deployment.tenants import create_tenant
from backend.errors import DomainError


def _codes(text: str | None) -> list[str] | None:
    return [part.strip() for part in text.split(",") if part.strip()] if text else None


class Command(BaseCommand):
    help = (
        "Create a tenant with an administrator (role `admin`), optionally configured from a "
        "template (`demo`, or a bundle file from export_configuration)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the tenant's slug, as users give it when signing in")
        parser.add_argument("--name", required=True, help="the tenant's name")
        parser.add_argument("--admin-username", required=True)
        parser.add_argument(
            "--admin-password-env",
            metavar="VAR",
            help="take the administrator's password from this environment variable; "
            "without it the password is asked for on a terminal, else generated and printed once",
        )
        parser.add_argument("--from-template", metavar="NAME_OR_FILE")
        parser.add_argument("--locales", help="comma-separated, the default first (en,fr)")
        parser.add_argument(
            "--record-types", help="comma-separated (default: the template's, else case)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        template = None
        if options["from_template"]:
            try:
                template = load_template(options["from_template"])
            except UnknownTemplate as error:
                raise CommandError(str(error)) from error
        password, generated = self._password(options["admin_password_env"])
        try:
            created = create_tenant(
                options["slug"],
                options["name"],
                options["admin_username"],
                password,
                locales=_codes(options["locales"]),
                record_types=_codes(options["record_types"]),
                template=template,
            )
        except InvalidConfigurationBundle as error:
            lines = [f"  {p.path or '(bundle)'}: {p.code}: {p.message}" for p in error.problems]
            raise CommandError("\n".join([f"{error.code}: {error.message}", *lines])) from error
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        tenant = created.tenant
        self.stdout.write(
            f"created tenant {tenant.slug} ({', '.join(tenant.record_types) or 'no record types'};"
            f" locales {', '.join(tenant.locales)}) with administrator {created.admin.username}"
        )
        if created.changes:
            self.stdout.write(f"configured from the template: {len(created.changes)} changes")
        if generated:
            self.stdout.write(
                self.style.WARNING(f"Generated administrator password (shown once): {password}")
            )

    def _password(self, variable: str | None) -> tuple[str, bool]:
        if variable:
            value = os.environ.get(variable, "")
            if not value:
                raise CommandError(f"The environment variable {variable} is unset or empty.")
            return value, False
        if sys.stdin.isatty():
            first = getpass.getpass("Administrator password: ")
            if first != getpass.getpass("Again: "):
                raise CommandError("The two passwords differ.")
            return first, False
        return secrets.token_urlsafe(15), True
