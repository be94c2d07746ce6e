"""A throwaway database for benchmarks, on the same server as the application's."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from psycopg import sql

from backend.accounts import attempt_counters


def _owner_connection() -> psycopg.Connection[tuple[object, ...]]:
    owner = settings.DATABASES["owner"]
    return psycopg.connect(
        host=owner["HOST"] or None,
        port=owner.get("PORT") or None,
        user=owner["USER"],
        password=owner.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )


@contextmanager
def bench_database() -> Iterator[str]:
    name = f"bench_{os.getpid()}"
    if settings.EMBEDDED_DATABASE:
        from ops import embedded_postgres

        embedded_postgres.provision(settings.DATABASES["owner"]["HOST"])
    with _owner_connection() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    for alias in ("default", "owner"):
        connections[alias].close()
        connections[alias].settings_dict["NAME"] = name
        settings.DATABASES[alias]["NAME"] = name
    try:
        call_command("prepare_database", verbosity=0)
        yield name
    finally:
        for alias in ("default", "owner"):
            connections[alias].close()
        attempt_counters.close_connection()  # logins count attempts on a connection of its own
        with _owner_connection() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
