"""``manage.py restore_database FILE``: replace the database with a backup."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.services.backups import BackupError, database_restore


class Command(BaseCommand):
    help = "Replace the database's contents with a backup from backup_database."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask for confirmation."
        )

    def handle(self, *args, file: Path, yes: bool, **options):
        if not yes and input(f"Replace the database with {file}? [y/N] ") != "y":
            raise CommandError("restore cancelled")
        try:
            database_restore(source=file)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"restored from {file}"))
