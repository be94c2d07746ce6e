from django.db import migrations

from backend.database.rls import tenant_isolation


class Migration(migrations.Migration):
    dependencies = [("attachments", "0001_attachment")]

    operations = tenant_isolation("attachments_attachment")
