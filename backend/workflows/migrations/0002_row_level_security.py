from django.db import migrations

from backend.database.rls import tenant_isolation


class Migration(migrations.Migration):
    dependencies = [("workflows", "0001_initial")]

    operations = tenant_isolation(
        "workflows_transition",
        "workflows_approval",
        "workflows_flag",
        "workflows_note",
        "workflows_family",
        "workflows_familymember",
    )
