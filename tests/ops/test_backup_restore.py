"""`manage.py backup` of a populated deployment, `manage.py restore` into an empty database:
every row of every table (records, history, form versions, users, audit...) and every media
file come back, and the application reads them through its runtime role.

Runs the commands as an operator would, in their own processes, on two scratch databases.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from tests.graphql_client import DEMO_PASSWORD
from tests.processes import ROOT

pytestmark = pytest.mark.django_db
POPULATE = """
from backend.accounts.models import User
from backend.records.services import create_record, update_record
from backend.tenancy.context import activate_tenant
from backend.tenancy.models import Tenant
from django.db import transaction

demo = Tenant.objects.get(slug="demo")
for number in range(5):
    with transaction.atomic():
        activate_tenant(demo.pk)
        worker = User.objects.get(tenant=demo, username="cp_worker")
        created = create_record(worker, "case", {"name_first": f"Amara {number}", "sex": "female"})
        assert not created.errors, created.errors
    with transaction.atomic():
        activate_tenant(demo.pk)
        record = created.record
        updated = update_record(
            worker, "case", str(record.pk), record.revision, {"name_first": f"Amina {number}"}
        )
        assert not updated.errors, updated.errors
"""
COUNT_CASES = """
from backend.records.models import Record
from backend.tenancy.context import tenant_transaction
from backend.tenancy.models import Tenant

with tenant_transaction(Tenant.objects.get(slug="demo").pk):
    print(Record.objects.count())
"""


def _superuser() -> dict[str, str]:
    owner = settings.DATABASES["owner"]
    if settings.EMBEDDED_DATABASE:  # the embedded owner may not bypass row-level security
        return {"host": owner["HOST"], "port": "", "user": "postgres", "password": ""}
    return {
        "host": owner["HOST"],
        "port": str(owner.get("PORT") or ""),
        "user": owner["USER"],
        "password": owner.get("PASSWORD") or "",
    }


def _url(dbname: str) -> str:
    who = _superuser()
    credentials = urllib.parse.quote(who["user"])
    if who["password"]:
        credentials += ":" + urllib.parse.quote(who["password"])
    host = urllib.parse.quote(who["host"], safe="") + (f":{who['port']}" if who["port"] else "")
    return f"postgres://{credentials}@{host}/{dbname}"


def _connect(dbname: str) -> psycopg.Connection[tuple[object, ...]]:
    who = _superuser()
    return psycopg.connect(
        host=who["host"],
        port=who["port"] or None,
        user=who["user"],
        password=who["password"] or None,
        dbname=dbname,
        autocommit=True,
    )


@pytest.fixture
def scratch() -> Iterator[dict[str, object]]:
    names = [f"backup_source_{os.getpid()}", f"backup_target_{os.getpid()}"]
    folder = Path(tempfile.mkdtemp(prefix="casework-backup-test-"))
    with _connect("postgres") as conn:
        for name in names:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield {"source": names[0], "target": names[1], "folder": folder}
    with _connect("postgres") as conn:
        for name in names:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    shutil.rmtree(folder, ignore_errors=True)


def manage(dbname: str, media: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_NAME"}
    }
    env.update(
        DATABASE_URL=_url(dbname),
        DATA_DIR=str(settings.DATA_DIR),  # the same SECRET_KEY, so the same runtime password
        MEDIA_ROOT=str(media),
        DEMO_PASSWORD=DEMO_PASSWORD,
    )
    env.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def run(dbname: str, media: Path, *args: str) -> str:
    result = manage(dbname, media, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def table_digests(dbname: str) -> dict[str, tuple[int, str]]:
    """Every public table: its row count and a digest of all its rows, in a stable order."""
    with _connect(dbname) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        digests = {}
        for table in tables:
            query = sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
                " FROM {} t"
            ).format(sql.Identifier(table))
            count, digest = conn.execute(query).fetchone()  # type: ignore[misc]
            digests[table] = (count, digest)
        return digests


def test_a_restored_backup_holds_every_row_and_media_file(scratch: dict[str, object]) -> None:
    source, target = str(scratch["source"]), str(scratch["target"])
    folder = Path(str(scratch["folder"]))
    source_media, target_media = folder / "source-media", folder / "target-media"
    (source_media / "attachments" / "2026").mkdir(parents=True)
    (source_media / "attachments" / "2026" / "consent.pdf").write_bytes(b"%PDF-1.7 signed")
    (source_media / "exports").mkdir()
    (source_media / "exports" / "cases.xlsx").write_bytes(bytes(range(256)) * 40)
    run(source, source_media, "prepare_database")
    run(source, source_media, "seed_demo")
    run(source, source_media, "shell", "-c", POPULATE)
    archive = folder / "casework.tar.gz"

    backed_up = run(source, source_media, "backup", str(archive))
    restored = run(target, target_media, "restore", str(archive))

    assert "2 media file(s)" in backed_up
    assert "2 media file(s)" in restored
    before, after = table_digests(source), table_digests(target)
    assert after == before
    assert before["records_record"][0] >= 5
    assert before["records_recordhistory"][0] >= 10
    assert before["forms_formversion"][0] > 0
    for file in source_media.rglob("*"):
        if file.is_file():
            assert (target_media / file.relative_to(source_media)).read_bytes() == file.read_bytes()
    # The application's runtime role reads the restored rows, through row-level security.
    counted = run(target, target_media, "shell", "-c", COUNT_CASES).split()[-1]
    assert int(counted) == before["records_record"][0]


def test_restore_refuses_a_database_that_is_not_empty(scratch: dict[str, object]) -> None:
    source = str(scratch["source"])
    folder = Path(str(scratch["folder"]))
    run(source, folder, "prepare_database")
    archive = folder / "casework.tar.gz"
    run(source, folder, "backup", str(archive))

    refused = manage(source, folder, "restore", str(archive))

    assert refused.returncode != 0
    assert "restore into a new, empty database" in refused.stderr
