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
def bench_database(keep: str | None = None) -> Iterator[str]:
    """A new database, dropped at the end; or, with `keep`, that database, created when
    missing and kept (to measure again without loading again)."""
    name = keep or f"bench_{os.getpid()}"
    if settings.EMBEDDED_DATABASE:
        from ops import embedded_postgres

        embedded_postgres.provision(settings.DATABASES["owner"]["HOST"])
    with _owner_connection() as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not keep:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        if not (keep and exists):
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    use_database(name)
    try:
        call_command("prepare_database", verbosity=0)
        yield name
    finally:
        for alias in ("default", "owner"):
            connections[alias].close()
        attempt_counters.close_connection()  # logins count attempts on a connection of its own
        if not keep:
            _drop(name)


def use_database(name: str) -> None:
    """Point this process at an existing bench database (a child process of a bench)."""
    for alias in ("default", "owner"):
        connections[alias].close()
        connections[alias].settings_dict["NAME"] = name
        settings.DATABASES[alias]["NAME"] = name


def _drop(name: str) -> None:
    with _owner_connection() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
