"""``manage.py import_document PATH [--title T] [--heading-lines 12,30]
[--heading-pattern REGEX] [--dry-run]``: import or update a document."""

import argparse
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.services.documents import (
    MARKDOWN_SUFFIXES,
    DocumentImportError,
    DocumentPreview,
    document_bytes_read,
    document_import,
    document_preview,
)
from quizzes.splitting import CandidateLine

CANDIDATES_HEADER = "Lines that look like headings but were not taken:"


def heading_lines(value: str) -> list[int]:
    """``12,30`` -> ``[12, 30]``; anything else is refused, saying which part."""
    numbers = []
    for part in value.split(","):
        try:
            number = int(part.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"“{part.strip()}” is not a line number; give 1-based line numbers "
                "separated by commas, e.g. 12,30"
            ) from None
        numbers.append(number)
    return numbers


class Command(BaseCommand):
    help = (
        "Import a UTF-8 plain-text or Markdown document and split it into sections. "
        "Re-importing an unchanged file changes nothing; a changed one updates the "
        "sections in place, keeping their questions. --dry-run shows the sections "
        "and the lines that look like headings but were not taken; --heading-lines "
        "and --heading-pattern make such lines headings."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--title", help="Document title (default: from file name)")
        parser.add_argument(
            "--heading-lines",
            type=heading_lines,
            default=[],
            metavar="N,N,...",
            help="1-based numbers of more lines to take as headings, e.g. 12,30",
        )
        parser.add_argument(
            "--heading-pattern",
            metavar="REGEX",
            help="Take as headings the lines that this regular expression matches "
            "whole (after stripping spaces), e.g. '[A-Z][a-z ]+:'",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show the sections the import would make, and write nothing",
        )

    def handle(self, *args, path: Path, title: str | None, **options):
        choices = {
            "title": title,
            "heading_lines": options["heading_lines"],
            "heading_pattern": options["heading_pattern"],
        }
        try:
            data = document_bytes_read(path=path)
            if options["dry_run"]:
                preview = document_preview(name=str(path), data=data, **choices)
            else:
                result = document_import(name=str(path), data=data, **choices)
        except DocumentImportError as exc:
            raise CommandError(str(exc)) from None
        if options["dry_run"]:
            self._preview_write(preview)
            return
        document = result.document
        if not result.changed:
            self.stdout.write(f"{document.title}: unchanged ({document.slug})")
        else:
            verb = "created" if result.created else "updated"
            top = document.sections.filter(level=1).count()
            self.stdout.write(
                self.style.SUCCESS(
                    f"{document.title}: {verb} ({document.slug}); "
                    f"{document.sections.count()} sections, {top} top-level "
                    f"({result.sections_created} new, {result.sections_updated} "
                    f"changed, {result.sections_deleted} removed)"
                )
            )
        # A hint only: the import is done, but a heading may have been missed. Only
        # for plain text, whose headings are guessed by shape: a Markdown file's
        # headings are its author's own marks (--dry-run still lists both).
        if path.suffix.lower() in MARKDOWN_SUFFIXES:
            return
        candidates = document_preview(name=str(path), data=data, **choices).candidates
        if candidates:
            self._candidates_write(candidates)
            self.stdout.write(
                "To take some of them, import again with --heading-lines N,N "
                "(or --heading-pattern); --dry-run shows the result first."
            )

    def _preview_write(self, preview: DocumentPreview) -> None:
        state = (
            "unchanged"
            if preview.unchanged
            else "new document"
            if preview.document is None
            else "would be updated"
        )
        self.stdout.write(
            f"Dry run, nothing written. {preview.title} ({preview.slug}): {state}; "
            f"{len(preview.sections)} sections ({preview.sections_created} new, "
            f"{preview.sections_updated} changed, {len(preview.removed)} removed)"
        )
        for section in preview.sections:
            first = section.first_lines[0] if section.first_lines else "(no text)"
            indent = "  " * (section.level - 1)
            self.stdout.write(
                f"  line {section.line:>4}  {indent}{section.title} "
                f"[{section.change}]: {first}"
            )
        for removed in preview.removed:
            self.stdout.write(
                f"  removed     {removed.title} ({removed.question_count} questions)"
            )
        if preview.candidates:
            self._candidates_write(preview.candidates, preview.suggested_lines)
        if preview.refusal:
            self.stdout.write(
                self.style.ERROR(f"The import would be refused: {preview.refusal}")
            )

    def _candidates_write(
        self, candidates: list[CandidateLine], suggested: list[int] = ()
    ) -> None:
        self.stdout.write(CANDIDATES_HEADER)
        for candidate in candidates:
            stored = (
                "; the title of a stored section that would be removed"
                if candidate.line in suggested
                else ""
            )
            self.stdout.write(
                f"  line {candidate.line:>4}  {candidate.text} "
                f"({candidate.reason}{stored})"
            )
