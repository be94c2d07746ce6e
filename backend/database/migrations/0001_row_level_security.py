from django.db import migrations

from backend.database.rls import isolation_through, tenant_isolation


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0002_tenant_record_types"),
        ("accounts", "0001_initial"),
        ("forms", "0001_initial"),
        ("records", "0001_initial"),
    ]

    operations = [
        *tenant_isolation(
            "tenancy_agency",
            "tenancy_usergroup",
            "accounts_role",
            "accounts_user",
            "accounts_authsession",
            "accounts_refreshtoken",
            "forms_lookup",
            "forms_formdefinition",
            "forms_formversion",
            "records_record",
            "records_recordhistory",
        ),
        isolation_through("accounts_user_groups", "accounts_user", "user_id"),
    ]
