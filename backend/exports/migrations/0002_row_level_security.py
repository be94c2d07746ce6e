from django.db import migrations

from backend.database.rls import tenant_isolation


class Migration(migrations.Migration):
    dependencies = [("exports", "0001_export_job")]

    operations = tenant_isolation("exports_exportjob")
