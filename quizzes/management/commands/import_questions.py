"""``manage.py import_questions FILE --section SLUG [--format gift|aiken|moodlexml|csv]
[--dry-run] [--json] [--skip-invalid]``: import a question file as drafts."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.formats import FORMATS, UnknownFormatError
from quizzes.services.question_files import (
    QuestionFileError,
    QuestionFilePreview,
    SectionLookupError,
    question_file_import,
    question_file_preview,
    section_find,
)


class Command(BaseCommand):
    help = (
        "Import the questions of a GIFT, Aiken, Moodle XML or CSV file into a "
        "section, as drafts. The format comes from the extension (.gift, .xml, .csv; "
        ".txt is Aiken when it has ANSWER: lines, else GIFT) unless --format names "
        "it. A file with any error imports nothing unless --skip-invalid. --dry-run "
        "shows what would be created (with --json: the parse as JSON on stdout) and "
        "writes nothing; it exits 0 whatever the file holds, since the errors are "
        "its output."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, metavar="FILE")
        parser.add_argument("--section", required=True, metavar="SLUG")
        parser.add_argument(
            "--document",
            metavar="SLUG",
            help="The section's document, when several documents have that slug",
        )
        parser.add_argument("--format", choices=list(FORMATS))
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the questions that can be read, and report the others",
        )
        parser.add_argument(
            "--map-categories",
            action="store_true",
            help="Put a question whose category (GIFT $CATEGORY:, Moodle XML "
            "<category>) ends in another section's slug or title into that section",
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        try:
            section = section_find(
                slug=options["section"], document=options["document"]
            )
            with path.open("rb") as stream:
                if options["dry_run"]:
                    preview = question_file_preview(
                        stream=stream,
                        filename=str(path),
                        section=section,
                        format=options["format"],
                        map_categories=options["map_categories"],
                    )
                    self._show_preview(preview, as_json=options["json"])
                    return
                outcome = question_file_import(
                    stream=stream,
                    filename=str(path),
                    section=section,
                    format=options["format"],
                    skip_invalid=options["skip_invalid"],
                    map_categories=options["map_categories"],
                    progress=self._progress,
                )
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise CommandError(f"{path}: is a directory, not a file") from None
        except (SectionLookupError, UnknownFormatError) as exc:
            raise CommandError(str(exc)) from None
        except QuestionFileError as exc:
            for error in exc.errors:
                self.stderr.write(f"{path}, line {error.line}: {error.message}")
            raise CommandError(
                f"{path}: {len(exc.errors)} error(s); nothing imported "
                "(fix them, or --skip-invalid to import the rest)"
            ) from None
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "created": outcome.created,
                        "question_ids": outcome.question_ids,
                        "skipped": [vars(s) for s in outcome.skipped],
                        "errors": [vars(e) for e in outcome.errors],
                    },
                    ensure_ascii=False,
                )
            )
            return
        for item in outcome.skipped:
            self.stdout.write(
                f"{path}, line {item.line}: skipped {item.type}: {item.reason}"
            )
        for error in outcome.errors:
            self.stdout.write(
                f"{path}, line {error.line}: not imported: {error.message}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{outcome.created} draft question(s) created in section "
                f"“{section.slug}” from {path} ({outcome.format}); "
                f"{len(outcome.skipped)} skipped, {len(outcome.errors)} with errors"
            )
        )

    def _progress(self, created: int) -> None:
        # On stderr, so that stdout stays the command's result.
        self.stderr.write(f"… {created} question(s) written")

    def _show_preview(self, preview: QuestionFilePreview, *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(preview.as_json(), ensure_ascii=False))
            return
        path = preview.filename
        for item in preview.questions:
            parsed = item.parsed
            label = parsed.name or parsed.stem.splitlines()[0][:60]
            self.stdout.write(
                f"{path}, line {parsed.line}: {parsed.kind}: {label} "
                f"→ {item.section.slug}"
            )
            for note in [*item.problems, item.scoring_note]:
                if note:
                    self.stdout.write(f"    {note}")
        for skipped in preview.skipped:
            self.stdout.write(
                f"{path}, line {skipped.line}: skipped {skipped.type}: {skipped.reason}"
            )
        for error in preview.errors:
            self.stdout.write(f"{path}, line {error.line}: {error.message}")
        self.stdout.write(
            f"dry run ({preview.format}): {len(preview.questions)} question(s) would "
            f"be created, {len(preview.skipped)} skipped, {len(preview.errors)} "
            "error(s); nothing written"
        )
