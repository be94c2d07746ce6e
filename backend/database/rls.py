"""Row-level security for tenant tables: enabled, forced, keyed by `app.tenant_id`."""

from __future__ import annotations

from django.db import migrations

TENANT_POLICY = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint"


def _tenant_sql(table: str) -> str:
    return f"""
        ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
        ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
        CREATE POLICY tenant_isolation ON {table}
            USING ({TENANT_POLICY}) WITH CHECK ({TENANT_POLICY});
    """


def _reverse_sql(table: str) -> str:
    return f"""
        DROP POLICY IF EXISTS tenant_isolation ON {table};
        ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY;
        ALTER TABLE {table} DISABLE ROW LEVEL SECURITY;
    """


def tenant_isolation(*tables: str) -> list[migrations.RunSQL]:
    """Migration operations that put tables with a `tenant_id` column behind RLS."""
    return [migrations.RunSQL(_tenant_sql(t), _reverse_sql(t)) for t in tables]


def isolation_through(table: str, parent_table: str, parent_column: str) -> migrations.RunSQL:
    """RLS for a link table without tenant_id: a row is visible when its parent row is."""
    # Table and column names come from migrations, never from input.
    check = f"EXISTS (SELECT 1 FROM {parent_table} p WHERE p.id = {parent_column})"  # noqa: S608
    return migrations.RunSQL(
        f"""
        ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
        ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
        CREATE POLICY tenant_isolation ON {table} USING ({check}) WITH CHECK ({check});
        """,
        _reverse_sql(table),
    )
