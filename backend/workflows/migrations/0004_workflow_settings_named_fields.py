"""Workflow settings name every field and stage workflows use.

Before, overdue alerts read `service_due_date` / `service_implemented` of `services_field`,
closing moved to the last stage, reopening to `services` (else the first stage), and a
closure approval was of type `closure`. Tenants keep exactly that behaviour, now written out.
"""

from django.db import migrations


def name_everything(apps, schema_editor):
    Tenant = apps.get_model("tenancy", "Tenant")
    # As the owner that migrates: the runtime role may not read tenants at this point.
    for tenant in Tenant.objects.using(schema_editor.connection.alias).all():
        old = dict(tenant.workflow or {})
        if not old or "services_field" not in old and "closure_requires_approval" not in old:
            continue
        new = {k: v for k, v in old.items() if k not in ("services_field", "closure_requires_approval")}
        stages = [s for s in old.get("stages", []) if isinstance(s, str)]
        new.setdefault("stage_on_close", stages[-1] if stages else "")
        new.setdefault(
            "stage_on_reopen", "services" if "services" in stages else (stages[0] if stages else "")
        )
        closure = old.get("closure_requires_approval") and "closure" in old.get("approval_types", [])
        new.setdefault("closure_approval_type", "closure" if closure else "")
        if old.get("services_field"):
            new.setdefault(
                "services",
                {
                    "record_type": "case",
                    "field": old["services_field"],
                    "due_date_field": "service_due_date",
                    "implemented_field": "service_implemented",
                },
            )
        tenant.workflow = new
        tenant.config_version += 1
        tenant.save(update_fields=["workflow", "config_version"], using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0004_tenant_query_cost_limit"),
        ("workflows", "0003_public_ids"),
    ]

    operations = [migrations.RunPython(name_everything, migrations.RunPython.noop)]
