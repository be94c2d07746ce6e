"""Test database: created and migrated as the owner, then used through the runtime role.

The suite runs against real PostgreSQL: the embedded server when DATABASE_URL is unset,
otherwise the server it names.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import psycopg
import pytest
from django.conf import settings
from django.db import connections
from psycopg import sql

from tests.auth_isolation import fresh_auth_cache  # noqa: F401 (autouse fixture)
from tests.graphql_client import DEMO_PASSWORD

pytest_plugins = ["tests.eager_celery"]


def _owner_dsn(dbname: str) -> dict[str, object]:
    owner = settings.DATABASES["owner"]
    return {
        "host": owner["HOST"] or None,
        "port": owner.get("PORT") or None,
        "user": owner["USER"],
        "password": owner.get("PASSWORD") or None,
        "dbname": dbname,
        "autocommit": True,
    }


def _point_aliases_at(name: str) -> None:
    for alias in ("default", "owner"):
        connections[alias].close()
        settings.DATABASES[alias]["NAME"] = name
        connections[alias].settings_dict["NAME"] = name


@pytest.fixture(scope="session")
def django_db_setup(
    django_test_environment: None, django_db_blocker: pytest.FixtureRequest
) -> Iterator[None]:  # type: ignore[valid-type]
    from django.core.management import call_command

    base_name = settings.DATABASES["owner"]["NAME"]
    test_name = f"test_{base_name}_{os.getpid()}"
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        if settings.EMBEDDED_DATABASE:
            from ops import embedded_postgres

            embedded_postgres.provision(settings.DATABASES["owner"]["HOST"])
        with psycopg.connect(**_owner_dsn("postgres")) as conn:  # type: ignore[arg-type]
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(test_name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(test_name)))
        _point_aliases_at(test_name)
        call_command("prepare_database", verbosity=0)
    yield
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        # The owner may not force out the runtime role's sessions still open (the sign-in
        # counters' own connection, a server's that is still stopping): the runtime role
        # ends its own, again until the database can be dropped.
        for attempt in range(20):
            _end_runtime_sessions()
            for alias in ("default", "owner"):
                connections[alias].close()
            try:
                with psycopg.connect(**_owner_dsn("postgres")) as conn:  # type: ignore[arg-type]
                    conn.execute(
                        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                            sql.Identifier(test_name)
                        )
                    )
                break
            except psycopg.errors.InsufficientPrivilege:
                if attempt == 19:
                    raise
                time.sleep(0.5)


def _end_runtime_sessions() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
            " WHERE datname = current_database() AND usename = current_user"
            " AND pid <> pg_backend_pid()"
        )


@pytest.fixture(scope="session", autouse=True)
def _seeded(django_db_setup: None, django_db_blocker: object) -> None:
    """Seed the demo and sandbox tenants once; each test's changes roll back."""
    from backend.demo.seed import seed_demo

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        seed_demo(DEMO_PASSWORD)
