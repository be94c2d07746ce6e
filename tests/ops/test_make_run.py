"""`make run` on a fresh data directory: embedded PostgreSQL, migrations, demo seed, serving.

Runs the same entry point as `make run` (after installation), twice, to show that a second
run reuses the data and that the embedded server stops cleanly in between.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import ROOT, free_port, post_graphql, wait_for_http

PASSWORD = "Run-test-password-7"


def _run_once(data_dir: Path) -> str:
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DATABASE_NAME", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(DATA_DIR=str(data_dir), PORT=str(port), DEMO_PASSWORD=PASSWORD, WEB_CONCURRENCY="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "ops.run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/readyz", process, timeout=180)
        tokens = post_graphql(
            base,
            'mutation { login(tenant: "demo", username: "cp_supervisor", '
            f'password: "{PASSWORD}") {{ accessToken }} }}',
        )
        me = post_graphql(
            base,
            "{ me { username tenant { slug } } }",
            token=tokens["data"]["login"]["accessToken"],
        )
        assert me["data"]["me"] == {"username": "cp_supervisor", "tenant": {"slug": "demo"}}
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    return output.decode()


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Not under pytest's tmp_path: another pytest session resets that tree to mode 0700, and
    # the embedded server runs as its own system user when started by root.
    path = Path(tempfile.mkdtemp(prefix="casework-run-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_make_run_serves_then_stops_cleanly_and_reuses_its_data(data_dir: Path) -> None:
    tmp_path = data_dir
    first = _run_once(tmp_path)

    assert "created users:" in first
    assert not (tmp_path / "pg" / "postmaster.pid").exists(), first

    second = _run_once(tmp_path)

    assert "demo tenants already seeded" in second
    assert not (tmp_path / "pg" / "postmaster.pid").exists(), second
