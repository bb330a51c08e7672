"""``manage.py backup_database [PATH]``: a consistent copy while the app runs."""

from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from quizzes.services.backups import BackupError, database_backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database (SQLite online backup, or "
        "pg_dump on PostgreSQL) to PATH (default backups/<timestamp>)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path)

    def handle(self, *args, path: Path | None, **options):
        if path is None:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            suffix = ".sqlite3" if connection.vendor == "sqlite" else ".dump"
            path = settings.BASE_DIR / "backups" / f"quizsite-{stamp}{suffix}"
        try:
            written = database_backup(destination=path)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"backup written: {written}"))
