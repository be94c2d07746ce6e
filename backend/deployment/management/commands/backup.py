"""`manage.py backup PATH`: the database and the media folder in one .tar.gz."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.deployment.backups import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump) and MEDIA_ROOT into one archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the archive to write (.tar.gz)")

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            summary = backup(path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"wrote {summary.path}: database {summary.database_bytes} bytes, "
            f"{summary.media_files} media file(s)"
        )
