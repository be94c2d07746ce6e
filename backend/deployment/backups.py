"""One archive holds a deployment: the database (pg_dump custom format) and the media folder.

    backup.tar.gz
      manifest.json     format, version, when, PostgreSQL version, latest migration per app
      database.dump     pg_dump -Fc --no-owner --no-privileges of the owner's database
      media/...         MEDIA_ROOT as it was

Tenant tables force row-level security, so the role that dumps and restores must bypass it
(a superuser, or a role with BYPASSRLS): through the policies it would see no rows at all.
A restore goes into an empty database only, then grants the runtime role as
`prepare_database` does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

from backend.database.roles import ensure_runtime_role, grant_runtime_privileges

FORMAT = "casework.backup"
VERSION = 1
DUMP = "database.dump"
MANIFEST = "manifest.json"
MEDIA = "media"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    database_bytes: int
    media_files: int


def _libpq_environment() -> dict[str, str]:
    """Connection settings for pg_dump / pg_restore: the password travels in the
    environment, never on a command line other processes can read."""
    owner = settings.DATABASES["owner"]
    env = {**os.environ, "PGDATABASE": owner["NAME"], "PGUSER": owner["USER"]}
    if owner.get("HOST"):
        env["PGHOST"] = owner["HOST"]
    if owner.get("PORT"):
        env["PGPORT"] = str(owner["PORT"])
    if owner.get("PASSWORD"):
        env["PGPASSWORD"] = owner["PASSWORD"]
    return env


def _server_major() -> int:
    return int(connections["owner"].cursor().connection.info.server_version) // 10000


def _client(name: str) -> str:
    """pg_dump or pg_restore no older than the server (an older one refuses to dump it):
    the one on PATH, else the one the embedded server ships."""
    candidates = [shutil.which(name)]
    try:
        import pgserver

        candidates.append(str(Path(pgserver.__file__).parent / "pginstall" / "bin" / name))
    except ImportError:
        pass
    major = _server_major()
    for candidate in filter(None, candidates):
        if not Path(candidate).exists():
            continue
        version = subprocess.run(
            [candidate, "--version"], capture_output=True, text=True, check=True
        ).stdout
        if int(version.split()[-1].split(".")[0]) >= major:
            return candidate
    raise BackupError(f"no {name} for PostgreSQL {major} or newer: install its client tools")


def _require_rls_bypass() -> None:
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    if not row or not row[0]:
        raise BackupError(
            "the database role in DATABASE_URL cannot bypass row-level security, so it would "
            "see no tenant rows: use a superuser, or ALTER ROLE ... BYPASSRLS"
        )


def _manifest() -> dict[str, Any]:
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app")
        migrations = dict(cursor.fetchall())
    return {
        "format": FORMAT,
        "version": VERSION,
        "created_at": timezone.now().isoformat(),
        "postgresql": _server_major(),
        "migrations": migrations,
    }


def backup(path: Path) -> BackupSummary:
    """Write the database and the media folder to `path` (a .tar.gz)."""
    _require_rls_bypass()
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="casework-backup-") as work:
        dump = Path(work) / DUMP
        dumped = subprocess.run(
            [
                _client("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={dump}",
            ],
            env=_libpq_environment(),
            capture_output=True,
            text=True,
        )
        if dumped.returncode != 0:
            raise BackupError(f"pg_dump failed: {dumped.stderr.strip()}")
        (Path(work) / MANIFEST).write_text(json.dumps(_manifest(), indent=2))
        partial = path.with_name(path.name + ".partial")
        media_files = 0
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(Path(work) / MANIFEST, arcname=MANIFEST)
            archive.add(dump, arcname=DUMP)
            if media_root.is_dir():
                for file in sorted(media_root.rglob("*")):
                    if file.is_file():
                        archive.add(file, arcname=f"{MEDIA}/{file.relative_to(media_root)}")
                        media_files += 1
        partial.replace(path)  # a crash mid-write never leaves a truncated archive behind
        return BackupSummary(path, dump.stat().st_size, media_files)


def _require_empty_database() -> None:
    with connections["owner"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        (tables,) = cursor.fetchone() or (0,)
    if tables:
        raise BackupError(
            f"the database already has {tables} table(s): restore into a new, empty database"
        )


def restore(path: Path) -> BackupSummary:
    """Load an archive made by `backup` into the (empty) database and MEDIA_ROOT."""
    with tempfile.TemporaryDirectory(prefix="casework-restore-") as work:
        with tarfile.open(path, "r:gz") as archive:
            archive.extractall(work, filter="data")
        manifest = json.loads((Path(work) / MANIFEST).read_text())
        if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
            raise BackupError(f"{path} is not a casework backup (version {VERSION})")
        _require_rls_bypass()
        _require_empty_database()
        dump = Path(work) / DUMP
        result = subprocess.run(
            [
                _client("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={settings.DATABASES['owner']['NAME']}",
                str(dump),
            ],
            env=_libpq_environment(),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        ensure_runtime_role()
        grant_runtime_privileges()
        media_files = 0
        source = Path(work) / MEDIA
        if source.is_dir():
            target = Path(settings.MEDIA_ROOT)
            for file in sorted(source.rglob("*")):
                if file.is_file():
                    destination = target / file.relative_to(source)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(file, destination)
                    media_files += 1
        return BackupSummary(path, dump.stat().st_size, media_files)
