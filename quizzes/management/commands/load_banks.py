"""``manage.py load_banks [DIR]``: load the hand-written question banks."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from quizzes.services.banks import BankLoadError, banks_load


class Command(BaseCommand):
    help = (
        "Load every *.toml question bank in DIR (default fixtures/banks). All or "
        "nothing: one invalid question stops the load, with every problem listed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "directory",
            nargs="?",
            type=Path,
            default=settings.BASE_DIR / "fixtures" / "banks",
        )

    def handle(self, *args, directory: Path, **options):
        try:
            result = banks_load(directory=directory)
        except BankLoadError as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"nothing loaded: {len(exc.problems)} problem(s) in {directory}"
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"question banks: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged"
            )
        )
