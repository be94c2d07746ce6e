import uuid

from django.db import migrations, models

from backend.ids import backfill_public_ids_sql


class Migration(migrations.Migration):
    """An opaque id for users: added nullable, filled per row, then required."""

    dependencies = [("accounts", "0002_authentication_hardening")]

    operations = [
        migrations.AddField("user", "public_id", models.UUIDField(null=True, editable=False)),
        migrations.RunSQL(backfill_public_ids_sql("accounts_user"), migrations.RunSQL.noop),
        migrations.AlterField(
            "user",
            "public_id",
            models.UUIDField(default=uuid.uuid4, unique=True, editable=False),
        ),
    ]
