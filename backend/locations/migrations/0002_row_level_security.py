from django.db import migrations

from backend.database.rls import tenant_isolation


class Migration(migrations.Migration):
    dependencies = [("locations", "0001_location_registry")]

    operations = tenant_isolation("locations_location")
