"""``manage.py audit_bank [--summary]``: check every published question and every
bank, and list the drafts that still lack a verbatim source quote."""

from django.core.management.base import BaseCommand, CommandError

from quizzes.choices import QuestionStatus
from quizzes.models import Question
from quizzes.services.audit import audit_summary, bank_audit_findings, draft_quote_audit


class Command(BaseCommand):
    help = (
        "Check published questions against the item-writing rules and flaw detectors, "
        "every top-level section's bank (cues, minimum size) and each document's "
        "items together. Exits 1 on any error or unacknowledged warning; "
        "acknowledged warnings are listed but pass. Also lists the drafts (imported "
        "questions) that lack a verbatim source quote, with the best-matching "
        "sentence of their section: those are not violations and never make the "
        "audit fail, since trainees do not see drafts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--summary",
            action="store_true",
            help="Also print the number of problems per code, and per bank and "
            "code, with the acknowledged ones counted apart.",
        )

    def handle(self, *args, summary: bool = False, **options):
        findings = bank_audit_findings()
        problems = [f for f in findings if not f.acknowledged]
        for finding in problems:
            self.stdout.write(finding.line)
        for finding in findings:
            if finding.acknowledged:
                self.stdout.write(f"acknowledged: {finding.line} — “{finding.reason}”")
        drafts = draft_quote_audit()
        if drafts:
            self.stdout.write(
                f"{len(drafts)} draft(s) lack a verbatim source quote (not violations: "
                "trainees do not see drafts; quote the passage before publishing):"
            )
            for line in drafts:
                self.stdout.write(line)
        if summary:
            self.stdout.write("")
            for line in audit_summary(findings):
                self.stdout.write(line)
        checked = Question.objects.filter(status=QuestionStatus.PUBLISHED).count()
        if problems:
            raise CommandError(
                f"{len(problems)} violation(s) among {checked} published questions"
            )
        self.stdout.write(
            self.style.SUCCESS(f"audit clean: {checked} published questions")
        )
