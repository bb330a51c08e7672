"""``manage.py bench_regrade``: time a regrade of a quiz with many attempts.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python manage.py \
        bench_regrade --attempts 10000 --questions 10

Seeds (once per size, in bulk) a quiz of ``--questions`` fixed questions with
``--attempts`` finished attempts, then for each scope (one question, the whole
quiz) moves the key of the first question and times:

- the baseline: a plain UPDATE of the same rows (the scope's answers and the
  quiz's attempts, each set to itself), what any regrade must at least write;
- the dry run (``regrade_plan``) and the commit (``regrade_commit``), the figure
  the 10 s target is about.

Use a throwaway database: the seed adds attempts × questions answers, and each run
commits a regrade (the key moves back and forth, so every run has work to do).
"""

from __future__ import annotations

import random
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from quizzes.models import Answer, Attempt, Quiz
from quizzes.services.item_analysis_seed import item_analysis_cohort_seed
from quizzes.services.regrade import regrade_commit, regrade_plan

TARGET_S = 10.0


class Command(BaseCommand):
    help = (
        "Seed a quiz with N finished attempts × M questions (bulk, once) and time "
        "a regrade's dry run and commit (target: under 10 s)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--attempts", type=int, default=10_000)
        parser.add_argument("--questions", type=int, default=10)

    def handle(self, *args, attempts, questions, **options):
        quiz = self._quiz(attempts, questions)
        question = quiz.fixed.order_by("order").first().question
        self.stdout.write(
            f"database: {connection.vendor}; {attempts} attempts × {questions} "
            "questions"
        )
        self.stdout.write(f"{'scope · step':<40} {'s':>7} {'attempts changed':>17}")
        for label, scope in [
            ("question", {"question": question}),
            ("quiz", {"quiz": quiz}),
        ]:
            _move_key(question)
            answers = Answer.objects.filter(attempt__quiz=quiz)
            if "question" in scope:
                answers = answers.filter(question=question)

            def baseline(answers=answers):
                with transaction.atomic():
                    answers.update(score=F("score"))
                    Attempt.objects.filter(quiz=quiz).update(score=F("score"))

            now = timezone.now()
            self._time(f"{label} · baseline: plain UPDATE", baseline)
            plan = self._time(
                f"{label} · dry run", lambda s=scope, t=now: regrade_plan(**s, now=t)
            )
            result = self._time(
                f"{label} · commit (target)",
                lambda s=scope, t=now: regrade_commit(
                    **s, by=None, reason="Benchmark", now=t
                ),
                target=True,
            )
            self.stdout.write(
                f"{'':<40} {'':>7} {len(plan.changes):>8} / {len(result.changes)}"
            )

    def _quiz(self, attempts: int, questions: int) -> Quiz:
        slug = f"bench-regrade-{attempts}x{questions}"
        quiz = Quiz.objects.filter(slug=slug).first()
        if quiz is not None:
            self.stdout.write(f"quiz {slug} already seeded")
            return quiz
        started = time.perf_counter()
        quiz = item_analysis_cohort_seed(
            slug=slug,
            attempts=attempts,
            questions=questions,
            now=timezone.now(),
            rng=random.Random(2026),
        )
        self.stdout.write(
            f"seeded {attempts} attempts × {questions} questions "
            f"in {time.perf_counter() - started:.1f} s"
        )
        return quiz

    def _time(self, name: str, step, *, target: bool = False):
        started = time.perf_counter()
        value = step()
        took = time.perf_counter() - started
        verdict = ("  ok" if took < TARGET_S else "  SLOW") if target else ""
        self.stdout.write(f"{name:<40} {took:>7.3f}{verdict}")
        return value


def _move_key(question) -> None:
    """The key moves to the next option (each run regrades something)."""
    choices = list(question.choices.order_by("order"))
    current = next(i for i, c in enumerate(choices) if c.is_correct)
    for i, choice in enumerate(choices):
        choice.is_correct = i == (current + 1) % len(choices)
        choice.save()
