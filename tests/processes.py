"""Real server and worker processes for tests, pointed at the test database."""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings

from tests.shard_isolation import shard_index

ROOT = Path(__file__).resolve().parent.parent


# Ports handed to servers come from a block of this run's own (TEST_SHARD), below Linux's
# ephemeral range (32768-60999): a port the kernel hands out for port 0 may be handed out
# again to a concurrent run before our server binds it, and our requests would then reach
# the other run's server (and its database).
_PORT_BLOCK = 1500
_PORT_BASE = 17000
_ports = random.Random()  # its own: tests seed the global one (hypothesis)


def free_port() -> int:
    low = _PORT_BASE + (shard_index() % 10) * _PORT_BLOCK
    for _ in range(200):
        port = _ports.randrange(low, low + _PORT_BLOCK)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {low}-{low + _PORT_BLOCK - 1}")


def test_process_env(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_NAME": settings.DATABASES["default"]["NAME"],
        "DATA_DIR": str(settings.DATA_DIR),
        **extra,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def wait_for_http(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (localhost)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def post_graphql(
    base: str, query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> dict[str, Any]:
    """POST a GraphQL operation to a server on localhost, as a client would."""
    request = urllib.request.Request(  # noqa: S310 (localhost)
        f"{base}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {token}"} if token else {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            body: dict[str, Any] = json.load(response)
    except urllib.error.HTTPError as refused:
        # 401, 403, 405, ...: the JSON errors a client reads, as for a 200.
        if refused.code >= 500:
            raise
        body = json.load(refused)
    return body


@contextmanager
def web_server(workers: int = 1, **env: str) -> Iterator[str]:
    """A gunicorn serving the application on a free localhost port; yields its base URL.
    `env` adds to its environment."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "backend.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            "2",
        ],
        cwd=ROOT,
        env=test_process_env(**env),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/healthz", process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def celery_worker(queue: str, **env: str) -> Iterator[subprocess.Popen[bytes]]:
    """A Celery worker (solo pool) consuming `queue`; `env` adds to its environment."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "backend",
            "worker",
            "--pool=solo",
            "--queues",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=test_process_env(CELERY_QUEUE=queue, **env),
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


class RedisServer:
    """A throwaway redis-server on its own port (no persistence) that a test may stop and
    start again on the same port, to play a broker outage."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(f"redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


class PostgresServer:
    """A throwaway PostgreSQL (the pgserver wheel's binaries, as `make run` uses) with a data
    directory of its own, on a free localhost port; a test may stop and start it again on the
    same port, to play a database restart. Trust authentication: it listens on 127.0.0.1 only.

    `data_dir` must be traversable by other users: as root, the server runs as pgserver's own
    system user (PostgreSQL refuses to run as root).
    """

    def __init__(self, data_dir: Path, database: str = "casework") -> None:
        self.pgdata = data_dir / "pg"
        self.port = free_port()
        self.database = database
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/{database}"
        self._system_user = "pgserver" if os.geteuid() == 0 else None

    def _command(self, name: str, args: list[str]) -> None:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            from pgserver import _commands

        getattr(_commands, name)(args, pgdata=self.pgdata, user=self._system_user, timeout=60)

    def init(self) -> None:
        """Create the data directory and the database, and start the server."""
        self.pgdata.mkdir(parents=True)
        if self._system_user is not None:
            self._hand_over_to_system_user()
        self._command("initdb", ["--auth=trust", "--encoding=utf8", "-U", "postgres", "--no-sync"])
        self.start()
        with self.connect("postgres") as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')

    def _hand_over_to_system_user(self) -> None:
        """What pgserver does for root: a system user that may read the binaries and owns
        the data directory."""
        import stat

        from pgserver import _commands, utils

        entry = utils.ensure_user_exists(self._system_user)
        assert entry is not None
        utils.ensure_prefix_permissions(self.pgdata)
        utils.ensure_prefix_permissions(_commands.POSTGRES_BIN_PATH)
        readable = stat.S_IRGRP | stat.S_IROTH
        utils.ensure_folder_permissions(
            _commands.POSTGRES_BIN_PATH, readable | stat.S_IXGRP | stat.S_IXOTH
        )
        utils.ensure_folder_permissions(_commands.POSTGRES_BIN_PATH.parent / "lib", readable)
        os.chown(self.pgdata, entry.pw_uid, entry.pw_gid)

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.pgdata}"
        self._command("pg_ctl", ["-w", "-o", options, "-l", str(self.pgdata / "log"), "start"])

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every session and stops cleanly; `immediate` is a crash."""
        self._command("pg_ctl", ["-w", "-m", mode, "stop"])

    def connect(self, database: str | None = None) -> Any:
        """A superuser connection (row-level security does not apply), autocommit."""
        import psycopg

        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user="postgres",
            dbname=database or self.database,
            autocommit=True,
            connect_timeout=5,
        )
