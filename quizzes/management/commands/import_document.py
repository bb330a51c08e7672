"""``manage.py import_document PATH [--title TITLE]``: import or update a document."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.services.documents import DocumentImportError, document_import_path


class Command(BaseCommand):
    help = (
        "Import a UTF-8 plain-text or Markdown document and split it into sections. "
        "Re-importing an unchanged file changes nothing; a changed one updates the "
        "sections in place, keeping their questions."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--title", help="Document title (default: from file name)")

    def handle(self, *args, path: Path, title: str | None, **options):
        try:
            result = document_import_path(path=path, title=title)
        except DocumentImportError as exc:
            raise CommandError(str(exc)) from None
        document = result.document
        if not result.changed:
            self.stdout.write(f"{document.title}: unchanged ({document.slug})")
            return
        verb = "created" if result.created else "updated"
        top = document.sections.filter(level=1).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"{document.title}: {verb} ({document.slug}); "
                f"{document.sections.count()} sections, {top} top-level "
                f"({result.sections_created} new, {result.sections_updated} changed, "
                f"{result.sections_deleted} removed)"
            )
        )
