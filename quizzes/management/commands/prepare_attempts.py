"""``manage.py prepare_attempts --quiz SLUG [--group NAME] [--dry-run]``.

Before a scheduled exam opens, creates every expected trainee's attempt (questions
drawn, order frozen, no clock yet), so that at the opening each start is one UPDATE
instead of a draw and two inserts (``services.attempts.attempts_prepare``). Run it
again at will: trainees already prepared, or already started, are counted and left
alone. ``--group`` prepares that group's members; without it, every active trainee.
``--dry-run`` prints the counts and writes nothing.
"""

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from quizzes.models import Quiz
from quizzes.services.attempts import (
    PrepareReport,
    QuizUnavailable,
    attempts_prepare,
    quiz_roster,
)


class Command(BaseCommand):
    help = "Prepare a scheduled quiz's attempts ahead of its opening."

    def add_arguments(self, parser):
        parser.add_argument("--quiz", required=True, metavar="SLUG")
        parser.add_argument(
            "--group",
            metavar="NAME",
            help="Only this group's members (default: every active trainee).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be prepared; write nothing.",
        )

    def handle(self, *args, quiz, group=None, dry_run=False, **options):
        found = Quiz.objects.filter(slug=quiz).first()
        if found is None:
            raise CommandError(f"--quiz: no quiz with the slug {quiz!r}")
        chosen = None
        if group is not None:
            chosen = Group.objects.filter(name=group).first()
            if chosen is None:
                raise CommandError(f"--group: no group named {group!r}")
        trainees = quiz_roster(quiz=found, group=chosen)
        total = trainees.count()
        verb = "would prepare" if dry_run else "prepared"

        def progress(report: PrepareReport) -> None:
            # Large rosters go in batches: say how far along it is.
            if report.total < total:
                self.stdout.write(f"… {report.total} of {total} trainees")

        try:
            report = attempts_prepare(
                quiz=found,
                trainees=trainees,
                now=timezone.now(),
                dry_run=dry_run,
                progress=progress,
            )
        except QuizUnavailable as error:
            raise CommandError(f"{found.slug}: {error}") from None
        who = f"group {chosen.name}" if chosen else "every active trainee"
        self.stdout.write(
            f"{found.slug} ({who}, {total} trainee(s)): {verb} {report.created}, "
            f"already prepared {report.already_prepared}, "
            f"already started {report.already_started}, "
            f"no attempts left {report.no_attempts_left}"
        )
