"""`make run`: prepare the database, seed the demo tenant, and serve.

With DATABASE_URL unset this process holds the embedded PostgreSQL for as long as the web
server runs, and stops it cleanly on exit (Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from types import FrameType


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()  # starts the embedded server when DATABASE_URL is unset
    call_command("prepare_database")
    call_command("seed_demo")

    port = os.environ.get("PORT", "8000")
    host = os.environ.get("HOST", "127.0.0.1")
    workers = os.environ.get("WEB_CONCURRENCY", "2")
    print(f"Serving GraphQL and GraphiQL on http://{host}:{port}/graphql", flush=True)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "backend.wsgi",
            "--config",
            "python:ops.gunicorn_conf",
            "--bind",
            f"{host}:{port}",
            "--workers",
            workers,
            "--threads",
            "4",
            "--access-logfile",
            "-",
        ],
        env={**os.environ, "DATA_DIR": str(settings.DATA_DIR)},
    )

    def forward(signum: int, frame: FrameType | None) -> None:
        server.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    try:
        return server.wait()
    finally:
        if settings.EMBEDDED_DATABASE:
            from ops import embedded_postgres

            embedded_postgres.stop(settings.DATA_DIR)


if __name__ == "__main__":
    sys.exit(main())
