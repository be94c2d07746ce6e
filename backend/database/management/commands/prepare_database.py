from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from backend.database.roles import ensure_runtime_role, grant_runtime_privileges


class Command(BaseCommand):
    help = "Provision roles (embedded server), migrate as the owner, grant the runtime role."

    def handle(self, *args: object, **options: object) -> None:
        if settings.EMBEDDED_DATABASE:
            from ops import embedded_postgres

            embedded_postgres.provision(settings.DATABASES["owner"]["HOST"])
        ensure_runtime_role()
        call_command("migrate", database="owner", interactive=False, verbosity=0)
        grant_runtime_privileges()
        self.stdout.write("database ready")
