"""``manage.py create_seed_quizzes [DOCUMENT_SLUG]``: the seed practice and exams."""

from django.core.management.base import BaseCommand, CommandError

from quizzes.models import SourceDocument
from quizzes.services.seed_quizzes import seed_quizzes_create


class Command(BaseCommand):
    help = (
        "Create or update the seed quizzes of a document: a tutor-mode practice quiz "
        "and a timed exam per top-level section, and one comprehensive exam."
    )

    def add_arguments(self, parser):
        parser.add_argument("document", nargs="?", default="ketamine-clinical-overview")

    def handle(self, *args, document: str, **options):
        try:
            source = SourceDocument.objects.get(slug=document)
        except SourceDocument.DoesNotExist:
            raise CommandError(
                f"no document “{document}”; import it first with import_document"
            ) from None
        quizzes = seed_quizzes_create(document=source)
        self.stdout.write(self.style.SUCCESS(f"seed quizzes: {len(quizzes)} ready"))
