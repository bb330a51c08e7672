"""``manage.py bench_progress``: seed a large cohort and time the admin's heavy pages.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python manage.py bench_progress

Seeds (once) 1,000 trainees with 10 finished attempts each on the seed quizzes, then
requests each page through the Django test client, logged in as a superuser, and
prints the best and median time of ``--repeat`` runs and the number of queries.
Use a throwaway database: the seed adds thousands of rows.
"""

from __future__ import annotations

import random
import statistics
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Answer, Attempt, Question, Quiz, Trainee
from quizzes.progress import top_sections
from quizzes.services.progress_seed import cohort_seed

TARGET_MS = 1000
BENCH_ADMIN = "bench-admin"


class Command(BaseCommand):
    help = (
        "Seed N trainees × M finished attempts (bulk, once) and time the cohort "
        "heatmap, the question list and the other admin pages (target: under 1 s)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--trainees", type=int, default=1000)
        parser.add_argument("--attempts", type=int, default=10)
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument("--prefix", default="bench-")
        parser.add_argument(
            "--seed-only", action="store_true", help="Seed, and time nothing."
        )

    def handle(self, *args, trainees, attempts, repeat, prefix, seed_only, **options):
        self._ensure_content()
        existing = Trainee.objects.filter(username__startswith=prefix).count()
        if existing == 0:
            started = time.perf_counter()
            result = cohort_seed(
                trainees=trainees,
                attempts_per_trainee=attempts,
                now=timezone.now(),
                prefix=prefix,
                rng=random.Random(2026),
            )
            self.stdout.write(
                f"seeded {result.trainees} trainees, {result.attempts} attempts, "
                f"{result.answers} answers in {time.perf_counter() - started:.1f} s"
            )
            self._analyze()
        else:
            self.stdout.write(f"{existing} {prefix}* trainees already seeded")
        if seed_only:
            return
        vendor = connection.vendor
        self.stdout.write(
            f"database: {vendor}; {Trainee.objects.count()} trainees, "
            f"{Attempt.objects.count()} attempts, {Answer.objects.count()} answers, "
            f"{Question.objects.count()} questions, {Quiz.objects.count()} quizzes"
        )
        self._time_pages(repeat)

    def _analyze(self):
        """Fresh planner statistics (and, on PostgreSQL, the visibility map that
        index-only scans need), as autovacuum would give a live database."""
        with connection.cursor() as cursor:
            # VACUUM cannot run inside a transaction (a test's, say): ANALYZE can.
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                cursor.execute("VACUUM ANALYZE")
            else:
                cursor.execute("ANALYZE")

    def _ensure_content(self):
        if Quiz.objects.exists():
            return
        fixtures = settings.BASE_DIR / "fixtures"
        call_command(
            "import_document",
            str(fixtures / "ketamine-clinical-overview.md"),
            title="Ketamine Clinical Overview",
        )
        call_command("load_banks")
        call_command("create_seed_quizzes")

    def _time_pages(self, repeat: int):
        admin, _ = get_user_model().objects.get_or_create(
            username=BENCH_ADMIN,
            defaults={"is_staff": True, "is_superuser": True},
        )
        some_trainee = Trainee.objects.filter(attempts__isnull=False).first()
        if some_trainee is None:
            raise CommandError("no trainee with attempts to time")
        section = top_sections()[0]
        pages = {
            "cohort heatmap": reverse("admin:quizzes_trainee_cohort"),
            "cohort heatmap, weakest first": reverse("admin:quizzes_trainee_cohort")
            + "?order=weakest",
            "question list": reverse("admin:quizzes_question_changelist"),
            "question list by facility": reverse("admin:quizzes_question_changelist")
            + "?o=6",
            "trainee progress": reverse(
                "admin:quizzes_trainee_progress", args=[some_trainee.pk]
            ),
            "trainee list": reverse("admin:quizzes_trainee_changelist"),
            "quiz list": reverse("admin:quizzes_quiz_changelist"),
            "attempt list": reverse("admin:quizzes_attempt_changelist"),
            "answers of a heatmap cell": reverse("admin:quizzes_answer_changelist")
            + "?"
            + urlencode(
                {
                    "trainee": some_trainee.username,
                    "section": section.id,
                    "scored": "yes",
                }
            ),
        }
        # DEBUG off, as in production: no query log kept during the timed runs.
        with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
            client = Client()
            client.force_login(admin)
            self.stdout.write(
                f"{'page':<32} {'best ms':>8} {'median':>8} {'queries':>8} "
                f"{'kB':>6}  target {TARGET_MS} ms"
            )
            for name, url in pages.items():
                self._time_page(client, name, url, repeat)

    def _time_page(self, client, name, url, repeat):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)  # also warms the caches
        # Counted now: every request start empties the log (reset_queries).
        query_count = len(queries)
        if response.status_code != 200:
            raise CommandError(f"{name}: {url} answered {response.status_code}")
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        best, median = min(timings), statistics.median(timings)
        verdict = "ok" if median < TARGET_MS else "SLOW"
        self.stdout.write(
            f"{name:<32} {best:>8.0f} {median:>8.0f} {query_count:>8} "
            f"{len(response.content) / 1024:>6.0f}  {verdict}"
        )
