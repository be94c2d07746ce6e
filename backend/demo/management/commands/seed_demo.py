from django.conf import settings
from django.core.management.base import BaseCommand

from backend.demo.seed import seed_demo


class Command(BaseCommand):
    help = "Create or complete the demo and sandbox tenants (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        report = seed_demo(settings.DEMO_PASSWORD or None)
        if report.created_users:
            self.stdout.write("created users: " + ", ".join(report.created_users))
        else:
            self.stdout.write("demo tenants already seeded")
        if report.published:
            self.stdout.write(f"published {len(report.published)} lookups and forms")
        if report.generated_password:
            self.stdout.write(
                self.style.WARNING(
                    "Generated demo password (shown once; set DEMO_PASSWORD to choose one): "
                    + report.generated_password
                )
            )
