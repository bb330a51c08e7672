"""``manage.py item_analysis``: Moodle's quiz statistics, on a quiz or on a CSV.

    manage.py item_analysis --quiz SLUG [--all-attempts] [--json]
    manage.py item_analysis --marks FILE.csv [--max-marks 1,1,2,...] --json

With ``--quiz``: each trainee's first finished attempt (``--all-attempts``: every
finished one); ``question`` is the question's ``ref``. With ``--marks``: a CSV
``attempt,<question>,...`` of marks (see ``quizzes.marks_csv``), so figures can be
checked against a published reference without a database; ``question`` is the
column's name, and the random-guess score is null (a CSV gives no kinds or choices;
Moodle's would come from the question type).

Units: facility, SD and random-guess score as fractions of the max mark (0–1);
discrimination index, discriminative efficiency, effective weight, CIC and error
ratio in percent; mean, median, SD and standard error in marks. A figure that cannot
be computed is null in JSON (its reason under ``reasons``) and "—" in the table.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from quizzes.item_analysis import (
    DASH,
    QUIZ_ROWS,
    Analysis,
    QuestionInfo,
    item_analysis,
)
from quizzes.marks_csv import MarksFileError, marks_file_parse, max_marks_parse
from quizzes.models import Quiz
from quizzes.services.attempts import attempts_close_expired
from quizzes.services.item_analysis import quiz_item_analysis_compute

QUESTION_COLUMNS = [
    ("attempts", "n", "n"),
    ("facility", "facility", "f"),
    ("sd", "sd", "f"),
    ("random_guess_score", "guess", "f"),
    ("discrimination_index", "discr %", "%"),
    ("discriminative_efficiency", "effic %", "%"),
    ("effective_weight", "weight %", "%"),
]


class Command(BaseCommand):
    help = (
        "Item analysis as Moodle's quiz statistics report: on a quiz's attempts "
        "(--quiz SLUG) or on a CSV of marks (--marks FILE)."
    )

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--quiz", metavar="SLUG", help="A quiz's slug.")
        source.add_argument(
            "--marks", metavar="FILE", help="A CSV: attempt,<question>,... of marks."
        )
        parser.add_argument(
            "--all-attempts",
            action="store_true",
            help="With --quiz: every finished attempt, not each trainee's first.",
        )
        parser.add_argument(
            "--max-marks",
            metavar="1,1,2,...",
            help="With --marks: each question's max mark (default 1).",
        )
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="JSON, not a table."
        )

    def handle(self, *args, quiz, marks, all_attempts, max_marks, as_json, **options):
        if quiz and max_marks:
            raise CommandError("--max-marks goes with --marks, not --quiz")
        if marks and all_attempts:
            raise CommandError("--all-attempts goes with --quiz, not --marks")
        analysis = (
            self._from_quiz(quiz, all_attempts)
            if quiz
            else self._from_file(marks, max_marks)
        )
        if as_json:
            self.stdout.write(_json(analysis))
        else:
            self._table(analysis)

    def _from_quiz(self, slug: str, all_attempts: bool) -> Analysis:
        found = Quiz.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(f"no quiz with the slug {slug!r}")
        # Close on read: a sitting whose time ran out counts, scored.
        attempts_close_expired(now=timezone.now(), attempts=found.attempts.all())
        analysis = quiz_item_analysis_compute(quiz=found, all_attempts=all_attempts)
        if analysis.quiz.attempts == 0:
            raise CommandError(f"no attempts: quiz {slug!r} has no finished attempt")
        return analysis

    def _from_file(self, path: str, max_marks: str | None) -> Analysis:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except UnicodeDecodeError as error:
            raise CommandError(
                f"{path}: not UTF-8 text (byte {error.start}); save it as UTF-8 CSV"
            ) from None
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        try:
            parsed = marks_file_parse(
                text=text,
                max_marks=max_marks_parse(max_marks) if max_marks else None,
                name=path,
            )
        except MarksFileError as error:
            raise CommandError(f"{path}: {error}") from None
        return item_analysis(
            marks=parsed.marks,
            questions=[
                QuestionInfo(name=name, max_mark=mark)
                for name, mark in zip(parsed.names, parsed.max_marks, strict=True)
            ],
        )

    def _table(self, analysis: Analysis) -> None:
        write = self.stdout.write
        quiz = analysis.quiz
        write("Quiz")
        for name, label, unit in QUIZ_ROWS:
            value = _format(getattr(quiz, name), unit)
            if value != DASH:
                value += {"m": " marks", "%": " %"}.get(unit, "")
            reason = quiz.reasons.get(name)
            write(f"  {label:<36} {value:>15}" + (f"  ({reason})" if reason else ""))
        width = max([8, *(len(q.question) for q in analysis.questions)])
        write("")
        write(
            f"{'question':<{width}}"
            + "".join(f" {label:>9}" for _, label, _ in QUESTION_COLUMNS)
        )
        # One line per reason, naming its questions ("every question" when all).
        notes: dict[tuple[str, str], list[str]] = {}
        for stats in analysis.questions:
            cells = "".join(
                f" {_format(getattr(stats, name), unit):>9}"
                for name, _, unit in QUESTION_COLUMNS
            )
            write(f"{stats.question:<{width}}{cells}")
            for name, reason in stats.reasons.items():
                notes.setdefault((name, reason), []).append(stats.question)
        if notes:
            write("")
            write(f"Why {DASH}:")
        for (name, reason), questions in notes.items():
            which = (
                "every question"
                if len(questions) == len(analysis.questions) > 1
                else ", ".join(questions)
            )
            write(f"  {name.replace('_', ' ')} ({which}): {reason}")
        self._distractors(analysis)

    def _distractors(self, analysis: Analysis) -> None:
        with_choices = [q for q in analysis.questions if q.choices]
        if not with_choices:
            return
        write = self.stdout.write
        write("")
        write("Choices: picked by all / the top third / the bottom third (* = key)")
        for stats in with_choices:
            write(f"  {stats.question}")
            for choice in stats.choices:
                label = " ".join(choice.label.split())
                label = label if len(label) <= 48 else label[:47] + "…"
                mark = "*" if choice.is_correct else " "
                write(
                    f"   {mark} {label:<48} "
                    f"{_format(choice.picked_fraction, 'p'):>5} "
                    f"{_format(choice.top_fraction, 'p'):>5} "
                    f"{_format(choice.bottom_fraction, 'p'):>5}"
                )


def _format(value, unit: str) -> str:
    if value is None:
        return DASH
    if unit == "n" and isinstance(value, int):
        return str(value)
    if unit == "p":
        return f"{value:.0%}"
    return {"f": f"{value:.4f}", "%": f"{value:.2f}", "m": f"{value:.4f}"}.get(
        unit, f"{value:.4f}"
    )


def _json(analysis: Analysis) -> str:
    return json.dumps(analysis.as_dict(), indent=2, ensure_ascii=False)
