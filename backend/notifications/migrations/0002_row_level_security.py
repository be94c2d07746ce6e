from django.db import migrations

from backend.database.rls import tenant_isolation


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = tenant_isolation("notifications_alert", "notifications_outboxevent")
