"""``manage.py export_questions (--section SLUG | --quiz SLUG | --ids 1,2)
--format gift|aiken|moodlexml|csv [--output FILE]``: write questions to a file."""

import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.formats import FORMATS
from quizzes.models import Question, Quiz
from quizzes.services.question_files import (
    SectionLookupError,
    questions_export,
    questions_for_export,
    quiz_questions,
    section_find,
    section_questions,
)


def id_list(value: str) -> list[int]:
    try:
        return [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise CommandError(
            f"--ids “{value}”: give question ids separated by commas, e.g. 12,30"
        ) from None


class Command(BaseCommand):
    help = (
        "Write the questions of a section (with its subsections, retired ones left "
        "out), of a quiz (its fixed questions and the published questions it draws "
        "from) or with the given ids to a GIFT, Aiken, Moodle XML or CSV file. "
        "Questions the format cannot carry (Aiken: anything but single best answer) "
        "are listed on stderr."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--section", metavar="SLUG")
        which.add_argument("--quiz", metavar="SLUG")
        which.add_argument("--ids", metavar="ID,ID,...")
        parser.add_argument("--document", metavar="SLUG")
        parser.add_argument("--format", choices=list(FORMATS), required=True)
        parser.add_argument(
            "--output", "-o", type=Path, metavar="FILE", help="Default: stdout"
        )

    def handle(self, *args, **options):
        if options["section"]:
            try:
                section = section_find(
                    slug=options["section"], document=options["document"]
                )
            except SectionLookupError as exc:
                raise CommandError(str(exc)) from None
            questions = section_questions(section=section)
        elif options["quiz"]:
            quiz = Quiz.objects.filter(slug=options["quiz"]).first()
            if quiz is None:
                raise CommandError(f"no quiz “{options['quiz']}”")
            questions = quiz_questions(quiz=quiz)
        else:
            ids = id_list(options["ids"])
            questions = Question.objects.filter(pk__in=ids)
            missing = set(ids) - set(questions.values_list("pk", flat=True))
            if missing:
                raise CommandError(
                    "no question with id " + ", ".join(map(str, sorted(missing)))
                )
        questions = questions_for_export(questions)
        output = options["output"]
        if output:
            with output.open("w", encoding="utf-8", newline="") as out:
                skips = questions_export(
                    questions=questions, format=options["format"], out=out
                )
        else:
            # Through self.stdout (which call_command can redirect), whole: its
            # write() would end every partial write with a newline.
            buffer = io.StringIO()
            skips = questions_export(
                questions=questions, format=options["format"], out=buffer
            )
            self.stdout.write(buffer.getvalue(), ending="")
        for skip in skips:
            self.stderr.write(f"not exported: {skip.name}: {skip.reason}")
        written = questions.count() - len(skips)
        self.stderr.write(
            f"{written} question(s) written as {options['format']}"
            + (f" to {output}" if output else "")
            + (f"; {len(skips)} not exported" if skips else "")
        )
