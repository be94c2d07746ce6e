"""Tenant isolation in PostgreSQL itself: forced row-level security on every tenant table."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

pytestmark = pytest.mark.django_db


def _connect(alias: str = "default") -> psycopg.Connection[Any]:
    db = settings.DATABASES[alias]
    return psycopg.connect(
        host=db["HOST"] or None,
        port=db.get("PORT") or None,
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        dbname=db["NAME"],
        autocommit=True,
    )


def _tenant_tables(conn: psycopg.Connection[Any]) -> list[str]:
    rows = conn.execute(
        "SELECT table_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY table_name"
    ).fetchall()
    return [row[0] for row in rows]


def test_every_tenant_table_has_forced_row_level_security() -> None:
    with _connect() as conn:
        tables = _tenant_tables(conn)
        flags = dict(
            conn.execute(
                "SELECT relname, relrowsecurity AND relforcerowsecurity FROM pg_class "
                "WHERE relname = ANY(%s)",
                [tables],
            ).fetchall()
        )

    assert len(tables) >= 10
    assert {t: flags[t] for t in tables} == dict.fromkeys(tables, True)


def test_the_runtime_role_is_neither_superuser_nor_owner() -> None:
    with _connect() as conn:
        role = conn.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        owned = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
            "AND tableowner = current_user"
        ).fetchone()

    assert role == (False, False)
    assert owned == (0,)


def test_without_the_tenant_setting_the_runtime_role_sees_no_rows() -> None:
    with _connect() as conn:
        tables = _tenant_tables(conn)
        counts = {
            table: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in tables
        }
        users_of_demo = conn.execute(
            "SELECT count(*) FROM accounts_user u JOIN tenancy_tenant t ON t.id = u.tenant_id "
            "WHERE t.slug = 'demo'"
        ).fetchone()

    assert counts == dict.fromkeys(tables, 0)
    assert users_of_demo == (0,)


def test_with_the_setting_only_that_tenants_rows_are_visible() -> None:
    with _connect() as conn, conn.transaction():
        sandbox = conn.execute("SELECT id FROM tenancy_tenant WHERE slug = 'sandbox'").fetchone()
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", [str(sandbox[0])])
        usernames = conn.execute(
            "SELECT username, tenant_id FROM accounts_user ORDER BY username"
        ).fetchall()

    assert usernames == [("admin", sandbox[0]), ("cp_worker", sandbox[0])]


def test_a_row_for_another_tenant_cannot_be_written() -> None:
    with _connect() as conn, conn.transaction():
        ids = dict(conn.execute("SELECT slug, id FROM tenancy_tenant").fetchall())
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", [str(ids["sandbox"])])
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO tenancy_agency (tenant_id, code, name) VALUES (%s, 'x', 'x')",
                [ids["demo"]],
            )
