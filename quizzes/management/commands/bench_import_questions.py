"""``manage.py bench_import_questions``: time the import of a large GIFT file.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python manage.py \
        bench_import_questions --questions 5000

Writes a GIFT file of ``--questions`` questions (single best answer, select all
that apply with weights, true/false; every one with per-answer and general
feedback) into a scratch section, then times, side by side:

- the baseline: creating the same questions and choices, already parsed, with the
  same bulk writes and history rows (what any import must at least write);
- the parse alone, the preview (parse and every rule) and the import itself, the
  figure the 10 s target is about.

With ``--memory`` it also imports a file half the size and the full file under
``tracemalloc``, to show that the import's peak memory does not grow with the file
(the import writes in batches as it reads). The scratch section's questions are
deleted after each step; use a throwaway database all the same.

Everything is timed with ``DEBUG`` off, as in production: with it on (``make run``'s
settings) Django keeps the text of every query, which adds about 40% to the writes
and grows memory with the file.
"""

from __future__ import annotations

import io
import time
import tracemalloc
from collections.abc import Callable

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import override_settings
from simple_history.utils import bulk_create_with_history

from quizzes.choices import QuestionKind, QuestionStatus
from quizzes.formats import format_module
from quizzes.formats.base import ParsedChoice, ParsedQuestion, ParseResult
from quizzes.models import Choice, Question, Section, SourceDocument
from quizzes.services.question_files import (
    question_file_import,
    question_file_preview,
)

TARGET_S = 10.0
SECTION_TEXT = (
    "Ketamine is an NMDA receptor antagonist used for anaesthesia and analgesia. "
    "At subanaesthetic doses it has rapid antidepressant effects. "
)


def bench_questions(count: int) -> list[ParsedQuestion]:
    """``count`` questions of the three kinds, with feedback and reserved
    characters, as a real bank exported from Moodle would have them."""
    questions = []
    for n in range(count):
        kind = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE)[
            n % 3
        ]
        if kind == QuestionKind.TRUE_FALSE:
            choices = (
                ParsedChoice("True", 1.0, "Right: it blocks NMDA receptors."),
                ParsedChoice("False", 0.0, "It does: see the section."),
            )
        elif kind == QuestionKind.SINGLE:
            choices = tuple(
                ParsedChoice(
                    f"Option {letter} = {n}: dose {n % 7} mg/kg {{IV}}",
                    1.0 if letter == "A" else 0.0,
                    f"Why {letter} is {'right' if letter == 'A' else 'wrong'} #{n}.",
                )
                for letter in "ABCD"
            )
        else:
            choices = tuple(
                ParsedChoice(
                    f"Effect {letter} of case {n}",
                    0.5 if letter in "AB" else -0.5,
                    f"Feedback {letter}: ~ see the text.",
                )
                for letter in "ABCD"
            )
        questions.append(
            ParsedQuestion(
                line=0,
                name=f"bench-{n}",
                kind=kind,
                stem=f"Case {n}: a 40-year-old receives ketamine: what follows?",
                explanation=f"General feedback {n}: ketamine is an NMDA antagonist.",
                choices=choices,
            )
        )
    return questions


class Command(BaseCommand):
    help = (
        "Import a generated GIFT file of N questions (default 5,000) into a scratch "
        "section and time it against a plain bulk write of the same questions "
        "(target: under 10 s). --memory adds tracemalloc peaks at N/2 and N."
    )

    def add_arguments(self, parser):
        parser.add_argument("--questions", type=int, default=5000)
        parser.add_argument("--memory", action="store_true")

    def handle(self, *args, **options):
        with override_settings(DEBUG=False):
            self._bench(questions=options["questions"], memory=options["memory"])

    def _bench(self, *, questions: int, memory: bool) -> None:
        section = _scratch_section()
        gift = format_module("gift")
        parsed = bench_questions(questions)
        data = _gift_bytes(gift, parsed)
        self.stdout.write(
            f"database: {connection.vendor}; {questions} questions, "
            f"{len(data) / 1e6:.1f} MB of GIFT"
        )
        self.stdout.write(f"{'step':<42} {'s':>7} {'questions':>10}")

        def baseline():
            with transaction.atomic():
                _bulk_write(parsed, section)
            return questions

        def parse_only():
            result = ParseResult.collect(gift.parse(io.BytesIO(data)))
            return len(result.questions)

        def preview():
            result = question_file_preview(
                stream=io.BytesIO(data), filename="bench.gift", section=section
            )
            return len(result.questions)

        def import_file():
            return question_file_import(
                stream=io.BytesIO(data), filename="bench.gift", section=section
            ).created

        self._time("baseline: bulk write of parsed questions", baseline, section)
        self._time("parse only", parse_only, section)
        self._time("preview (parse + rules)", preview, section)
        self._time("import (target)", import_file, section, target=True)
        if memory:
            for size in (questions // 2, questions):
                half = _gift_bytes(gift, parsed[:size])
                tracemalloc.start()
                question_file_import(
                    stream=io.BytesIO(half), filename="bench.gift", section=section
                )
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                _clear(section)
                self.stdout.write(
                    f"{f'import peak memory, {size} questions':<42} "
                    f"{peak / 1e6:>6.1f} MB (file {len(half) / 1e6:.1f} MB)"
                )

    def _time(
        self,
        label: str,
        step: Callable[[], int],
        section: Section,
        *,
        target: bool = False,
    ) -> None:
        started = time.perf_counter()
        count = step()
        elapsed = time.perf_counter() - started
        _clear(section)
        flag = ""
        if target:
            flag = "  ok" if elapsed < TARGET_S else f"  SLOW (target {TARGET_S:g} s)"
        self.stdout.write(f"{label:<42} {elapsed:>7.2f} {count:>10}{flag}")


def _gift_bytes(gift, questions: list[ParsedQuestion]) -> bytes:
    out = io.StringIO()
    gift.write(questions, out)
    return out.getvalue().encode()


def _scratch_section() -> Section:
    document, _ = SourceDocument.objects.get_or_create(
        slug="bench-import-questions",
        defaults={
            "title": "Benchmark: question import",
            "text": SECTION_TEXT,
            "checksum": "0" * 64,
        },
    )
    section, _ = Section.objects.get_or_create(
        document=document,
        slug="bench",
        defaults={"order": 1, "level": 1, "title": "Bench", "text": SECTION_TEXT},
    )
    _clear(section)
    return section


def _clear(section: Section) -> None:
    questions = Question.objects.filter(section=section)
    Choice.history.filter(question_id__in=questions.values("pk")).delete()
    Question.history.filter(section_id=section.pk).delete()
    Choice.objects.filter(question__section=section).delete()
    questions.delete()


def _bulk_write(parsed: list[ParsedQuestion], section: Section) -> None:
    rows = bulk_create_with_history(
        [
            Question(
                section=section,
                kind=item.kind,
                status=QuestionStatus.DRAFT,
                name=item.name,
                stem=item.stem,
                explanation=item.explanation,
            )
            for item in parsed
        ],
        Question,
        batch_size=500,
    )
    bulk_create_with_history(
        [
            Choice(
                question=question,
                order=order,
                text=choice.text,
                is_correct=choice.fraction > 0,
                rationale=choice.feedback,
                fraction=choice.fraction,
            )
            for question, item in zip(rows, parsed, strict=True)
            for order, choice in enumerate(item.choices, start=1)
        ],
        Choice,
        batch_size=2000,
    )
