"""`manage.py restore PATH`: load a `manage.py backup` archive into an empty database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.deployment.backups import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and MEDIA_ROOT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="an archive written by `manage.py backup`")

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        if not path.is_file():
            raise CommandError(f"{path} does not exist")
        try:
            summary = restore(path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"restored {summary.path}: database {summary.database_bytes} bytes, "
            f"{summary.media_files} media file(s)"
        )
