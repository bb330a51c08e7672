"""``manage.py audit_bank``: check every published question and every bank's size,
and list the drafts that still lack a verbatim source quote."""

from django.core.management.base import BaseCommand, CommandError

from quizzes.choices import QuestionStatus
from quizzes.models import Question
from quizzes.services.audit import bank_audit, draft_quote_audit


class Command(BaseCommand):
    help = (
        "Check published questions against the item-writing rules, and every "
        "top-level section against its minimum bank size. Exits 1 on any violation. "
        "Also lists the drafts (imported questions) that lack a verbatim source "
        "quote, with the best-matching sentence of their section: those are not "
        "violations and never make the audit fail, since trainees do not see drafts."
    )

    def handle(self, *args, **options):
        problems = bank_audit()
        for problem in problems:
            self.stdout.write(problem)
        drafts = draft_quote_audit()
        if drafts:
            self.stdout.write(
                f"{len(drafts)} draft(s) lack a verbatim source quote (not violations: "
                "trainees do not see drafts; quote the passage before publishing):"
            )
            for line in drafts:
                self.stdout.write(line)
        checked = Question.objects.filter(status=QuestionStatus.PUBLISHED).count()
        if problems:
            raise CommandError(
                f"{len(problems)} violation(s) among {checked} published questions"
            )
        self.stdout.write(
            self.style.SUCCESS(f"audit clean: {checked} published questions")
        )
