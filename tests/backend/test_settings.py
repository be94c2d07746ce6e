"""Production mode refuses to start without its secrets; development makes its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.processes import ROOT

CHECK = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def _start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    base.update(
        DJANGO_SETTINGS_MODULE="backend.settings",
        DATA_DIR=str(tmp_path),
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_requires_a_secret_key(tmp_path: Path) -> None:
    result = _start(tmp_path, APP_ENV="production", ALLOWED_HOSTS="cases.example.org")

    assert result.returncode != 0
    assert "requires SECRET_KEY" in result.stderr


def test_production_requires_allowed_hosts(tmp_path: Path) -> None:
    result = _start(tmp_path, APP_ENV="production", SECRET_KEY="x" * 40)

    assert result.returncode != 0
    assert "requires ALLOWED_HOSTS" in result.stderr


def test_production_with_its_settings_runs_without_debug(tmp_path: Path) -> None:
    result = _start(
        tmp_path,
        APP_ENV="production",
        SECRET_KEY="x" * 40,
        ALLOWED_HOSTS="cases.example.org",
        DJANGO_DEBUG="1",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
    assert not (tmp_path / "secret_key").exists()


def test_development_generates_a_secret_key_once(tmp_path: Path) -> None:
    assert _start(tmp_path).returncode == 0
    first = (tmp_path / "secret_key").read_text()

    assert _start(tmp_path).returncode == 0
    assert (tmp_path / "secret_key").read_text() == first
    assert len(first) >= 50
