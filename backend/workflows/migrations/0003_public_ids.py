import uuid

from django.db import migrations, models

from backend.ids import backfill_public_ids_sql

MODELS = ["transition", "approval", "flag", "note", "family"]


class Migration(migrations.Migration):
    """Opaque ids for workflow objects: added nullable, filled per row, then required."""

    dependencies = [("workflows", "0002_row_level_security")]

    operations = [
        *[
            migrations.AddField(model, "public_id", models.UUIDField(null=True, editable=False))
            for model in MODELS
        ],
        *[
            migrations.RunSQL(backfill_public_ids_sql(f"workflows_{model}"), migrations.RunSQL.noop)
            for model in MODELS
        ],
        *[
            migrations.AlterField(
                model,
                "public_id",
                models.UUIDField(default=uuid.uuid4, unique=True, editable=False),
            )
            for model in MODELS
        ],
    ]
