"""The runtime database role: created if missing, granted data access but no DDL.

Migrations run as the owner (the "owner" alias); the application runs as the runtime role
(the "default" alias), which is neither superuser nor owner.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import DatabaseError, connections
from psycopg import sql

# What two sessions creating or altering one role at once get: "tuple concurrently updated",
# a unique violation on the role catalogue, "role already exists".
_ROLE_RACE = {"XX000", "23505", "42710"}

# History and audit tables: the application appends, never rewrites.
APPEND_ONLY = ("records_recordhistory", "audit_accesslog", "workflows_note")


def ensure_runtime_role(attempts: int = 5) -> None:
    """Create the runtime role when the owner may; an operator-made role is left alone.

    Roles belong to the whole server, not to one database: two processes preparing two
    databases of one server at once (two deployments starting, parallel test workers) race
    on the same role ("tuple concurrently updated", a duplicate role). The loser tries again.
    """
    for attempt in range(attempts):
        try:
            _ensure_runtime_role()
            return
        except DatabaseError as error:
            if getattr(error.__cause__, "sqlstate", None) not in _ROLE_RACE:
                raise
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def _ensure_runtime_role() -> None:
    role = settings.DATABASES["default"]["USER"]
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone():
            if settings.RUNTIME_DB_PASSWORD:
                cursor.execute(
                    sql.SQL("ALTER ROLE {} PASSWORD {}")
                    .format(sql.Identifier(role), sql.Literal(settings.RUNTIME_DB_PASSWORD))
                    .as_string(None)
                )
            return
        statement = sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE").format(
            sql.Identifier(role)
        )
        if settings.RUNTIME_DB_PASSWORD:
            statement += sql.SQL(" PASSWORD {}").format(sql.Literal(settings.RUNTIME_DB_PASSWORD))
        cursor.execute(statement.as_string(None))


def grant_runtime_privileges() -> None:
    role = sql.Identifier(settings.DATABASES["default"]["USER"])
    statements = [
        "GRANT USAGE ON SCHEMA public TO {role}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
    ]
    statements += [
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {{role}}" for table in APPEND_ONLY
    ]
    with connections["owner"].cursor() as cursor:
        for statement in statements:
            cursor.execute(sql.SQL(statement).format(role=role).as_string(None))
