"""``manage.py audit_bank``: check every published question and every bank's size."""

from django.core.management.base import BaseCommand, CommandError

from quizzes.choices import QuestionStatus
from quizzes.models import Question
from quizzes.services.audit import bank_audit


class Command(BaseCommand):
    help = (
        "Check published questions against the item-writing rules, and every "
        "top-level section against its minimum bank size. Exits 1 on any violation."
    )

    def handle(self, *args, **options):
        problems = bank_audit()
        for problem in problems:
            self.stdout.write(problem)
        checked = Question.objects.filter(status=QuestionStatus.PUBLISHED).count()
        if problems:
            raise CommandError(
                f"{len(problems)} violation(s) among {checked} published questions"
            )
        self.stdout.write(
            self.style.SUCCESS(f"audit clean: {checked} published questions")
        )
