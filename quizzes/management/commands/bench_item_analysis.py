"""``manage.py bench_item_analysis``: time the item analysis of a large quiz.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python manage.py \
        bench_item_analysis --attempts 10000 --questions 40

Seeds (once per size) a quiz of ``--questions`` fixed questions with ``--attempts``
finished attempts, then times, best and median of ``--repeat`` runs:

- the baselines: ``SELECT COUNT(*)`` of the quiz's answers, and reading their
  (attempt, question) pairs into Python without building anything;
- building the matrix (``quiz_item_matrix``), computing the statistics on it
  (``item_analysis_by_question``), and both together, the figure the 3 s target
  is about;
- the cached path (``quiz_item_report``: the attempts' fingerprint and a cache
  read, in the configured cache), and the admin's statistics page rendered from
  the cache and after a "Recompute now", next to the uncached figure.

Use a throwaway database: the seed adds attempts × questions answers.
"""

from __future__ import annotations

import random
import statistics
import time

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes.item_analysis import item_analysis_by_question
from quizzes.models import Answer, Quiz
from quizzes.services.item_analysis import (
    quiz_attempts_analysed,
    quiz_item_analysis_compute,
    quiz_item_matrix,
    quiz_item_report,
)
from quizzes.services.item_analysis_seed import item_analysis_cohort_seed

TARGET_S = 3.0


def _calibration() -> float:
    """A fixed pure-Python loop, so figures from a busy or slow machine compare."""
    started = time.perf_counter()
    sum(range(10**7))
    return time.perf_counter() - started


class Command(BaseCommand):
    help = (
        "Seed a quiz with N finished attempts × M questions (bulk, once) and time "
        "its item analysis (target: under 3 s)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--attempts", type=int, default=10_000)
        parser.add_argument("--questions", type=int, default=40)
        parser.add_argument("--repeat", type=int, default=3)

    def handle(self, *args, attempts, questions, repeat, **options):
        slug = f"bench-ia-{attempts}x{questions}"
        quiz = Quiz.objects.filter(slug=slug).first()
        if quiz is None:
            started = time.perf_counter()
            quiz = item_analysis_cohort_seed(
                slug=slug,
                attempts=attempts,
                questions=questions,
                now=timezone.now(),
                rng=random.Random(2026),
            )
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            self.stdout.write(
                f"seeded {attempts} attempts × {questions} questions "
                f"in {time.perf_counter() - started:.1f} s"
            )
        else:
            self.stdout.write(f"quiz {slug} already seeded")
        answers = Answer.objects.filter(attempt__in=quiz_attempts_analysed(quiz=quiz))
        self.stdout.write(
            f"database: {connection.vendor}; {answers.count()} answers analysed; "
            f"this machine: {_calibration():.3f} s for sum(range(10**7))"
        )
        matrix = quiz_item_matrix(quiz=quiz)

        def read_rows():
            rows = answers.order_by().values_list("attempt_id", "question_id")
            for _ in rows.iterator(5000):
                pass

        with CaptureQueriesContext(connection) as queries:
            quiz_item_analysis_compute(quiz=quiz)
        steps = [
            ("baseline: SELECT COUNT(*) of the answers", answers.count),
            ("baseline: read (attempt, question) rows", read_rows),
            ("build the matrix", lambda: quiz_item_matrix(quiz=quiz)),
            (
                "compute the statistics",
                lambda: item_analysis_by_question(
                    columns=matrix.columns,
                    questions=matrix.questions,
                    responses=matrix.response_columns,
                ),
            ),
            (
                "matrix + statistics (target)",
                lambda: quiz_item_analysis_compute(quiz=quiz),
            ),
            ("cached: fingerprint + cache read", lambda: quiz_item_report(quiz=quiz)),
            ("statistics page from the cache", lambda: render_page(quiz)),
            (
                "statistics page, recomputed",
                lambda: (
                    quiz_item_report(quiz=quiz, recompute=True),
                    render_page(quiz),
                ),
            ),
        ]
        quiz_item_report(quiz=quiz)  # the cached steps start from a warm cache
        self.stdout.write(f"{'step':<42} {'best s':>7} {'median':>7}")
        for name, step in steps:
            timings = []
            for _ in range(repeat):
                started = time.perf_counter()
                step()
                timings.append(time.perf_counter() - started)
            best, median = min(timings), statistics.median(timings)
            verdict = ""
            if "target" in name:
                verdict = "  ok" if median < TARGET_S else "  SLOW"
            self.stdout.write(f"{name:<42} {best:>7.3f} {median:>7.3f}{verdict}")
        self.stdout.write(
            f"queries for the whole analysis: {len(queries)}; target {TARGET_S:g} s; "
            f"cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}"
        )


def render_page(quiz: Quiz) -> int:
    """The admin's statistics page of ``quiz``, rendered for an unsaved superuser
    (no session or login: the view and its template only); its size in bytes."""
    user = get_user_model()(
        username="bench", is_staff=True, is_superuser=True, is_active=True
    )
    request = RequestFactory().get(
        reverse("admin:quizzes_quiz_statistics", args=[quiz.pk])
    )
    request.user = user
    model_admin = admin.site._registry[Quiz]
    response = model_admin.statistics_view(request, quiz.pk)
    return len(response.render().content)
