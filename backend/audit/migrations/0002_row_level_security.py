from django.db import migrations

from backend.database.rls import tenant_isolation


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = tenant_isolation("audit_accesslog")
