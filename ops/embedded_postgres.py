"""The embedded PostgreSQL server used when DATABASE_URL is unset.

The server comes from the `pgserver` wheel and keeps its data under `<data_dir>/pg`. Every
process that calls `socket_dir` holds a handle on it; pgserver stops the server cleanly when
the last such process exits, and the next start reuses the data.

Two roles are provisioned: an owner that owns the database and runs migrations, and a runtime
role for the application that is neither superuser nor owner. Both connect over the server's
Unix socket, which lives inside the data directory.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import warnings
from pathlib import Path

import psycopg
from psycopg import sql

DATABASE_NAME = "casework"
OWNER_ROLE = "casework_owner"
RUNTIME_ROLE = "casework_app"
SUPERUSER = "postgres"


def socket_dir(data_dir: Path) -> str:
    """Start the embedded server if needed and return the directory of its Unix socket."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); /tmp is fine.
        warnings.simplefilter("ignore")
        import pgserver  # imported lazily: only the embedded path needs it

    pg_dir = data_dir / "pg"
    pg_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = pgserver.get_server(pg_dir, cleanup_mode="stop")
    info = server.get_postmaster_info()
    if info.socket_dir is None:
        raise RuntimeError("embedded PostgreSQL did not report a socket directory")
    return str(info.socket_dir)


def stop(data_dir: Path) -> None:
    """Stop the embedded server now, whoever else holds a handle (the launcher's exit).

    pgserver stops the server when its last handle closes; a worker process that dies
    without running its exit hooks would keep it up, so `make run` stops it explicitly.
    """
    from pgserver._commands import pg_ctl  # type: ignore[attr-defined]  # generated at import

    pg_dir = data_dir / "pg"
    if not (pg_dir / "postmaster.pid").exists():
        return
    user = "pgserver" if os.geteuid() == 0 else None  # pgserver runs it as this user for root
    with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pg_dir, user=user)
    (pg_dir / ".handle_pids.json").unlink(missing_ok=True)


def provision(host: str) -> None:
    """Create the owner and runtime roles and the database, if they are missing."""
    with psycopg.connect(host=host, user=SUPERUSER, dbname="postgres", autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(4242)")
        for role, options in (
            (OWNER_ROLE, sql.SQL("LOGIN CREATEDB NOSUPERUSER")),
            (RUNTIME_ROLE, sql.SQL("LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")),
        ):
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE ROLE {} {}").format(sql.Identifier(role), options))
        has_db = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not has_db:
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8'").format(
                    sql.Identifier(DATABASE_NAME), sql.Identifier(OWNER_ROLE)
                )
            )
        conn.execute("SELECT pg_advisory_unlock(4242)")
