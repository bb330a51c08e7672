"""The dashboard benchmark: how long the home page takes for a trainee with a long
history, next to a request that does nothing.

    make bench-dashboard                       # fresh SQLite database
    make bench-dashboard ANSWERS=5000 RUNS=50  # the defaults
    DATABASE_URL=postgres://postgres@127.0.0.1:55432/postgres make bench-dashboard
                                               # a fresh database on that server

Builds a fresh database with the seed content (the document, its banks, the 21
seed quizzes: the commands of ``make seed``), then one trainee with ANSWERS answered
questions in finished attempts (``services.progress_seed.cohort_seed``, in bulk),
their review cards (one ``reviews_record`` upsert, as attempt_finish leaves them)
and a practice quiz in progress. Then, in this process, through Django's test Client
(DEBUG off), it renders the dashboard (GET /) and the baseline (GET /healthz,
which reads nothing) alternately, RUNS times each after WARMUP untimed rounds,
and prints the median and p95 of each (wall clock, and this process's CPU time:
on a busy machine the CPU time is the steadier figure) and their ratio. The
target is a median dashboard under 200 ms; the exit status is 1 when it is
missed.

Environment: ANSWERS (5000), RUNS (50), WARMUP (5), DATABASE_URL (postgres:// only:
a new database is created on that server and dropped at the end).
"""

from __future__ import annotations

import io
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import procs  # noqa: E402

TARGET_MS = 200.0
DOCUMENT = ROOT / "fixtures" / "ketamine-clinical-overview.md"
TITLE = "Ketamine Clinical Overview"


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, "") or default)


def database(cleanup: procs.Cleanup, tmp: Path) -> tuple[str, str]:
    """The database URL to use, and how to name it in the report."""
    given = os.environ.get("DATABASE_URL", "")
    if given:
        if not given.startswith(("postgres://", "postgresql://")):
            raise SystemExit("DATABASE_URL: only postgres:// URLs are supported")
        return procs.fresh_postgres_database(given, cleanup), "PostgreSQL"
    return f"sqlite:///{tmp / 'dashboard.sqlite3'}", "SQLite (WAL)"


def seed(answers: int):
    """The seed content and one trainee with about ``answers`` answers."""
    from django.core.management import call_command
    from django.db.models import Count
    from django.utils import timezone

    from quizzes.models import Answer, Attempt, Quiz
    from quizzes.services.attempts import attempt_start
    from quizzes.services.progress_seed import cohort_seed
    from quizzes.services.reviews import ReviewOutcome, reviews_record
    from quizzes.spaced import answer_is_correct

    quiet = {"verbosity": 0, "stdout": io.StringIO()}
    call_command("migrate", **quiet)
    call_command("import_document", str(DOCUMENT), title=TITLE, **quiet)
    call_command("load_banks", **quiet)
    call_command("create_seed_quizzes", **quiet)
    now = timezone.now()
    # A seed quiz holds about 10 questions: ask for enough attempts, then drop the
    # latest ones beyond the answers asked (one grouped read, one delete).
    cohort_seed(
        trainees=1,
        attempts_per_trainee=answers // 8 + 1,
        now=now,
        prefix="dash-",
        days=180,
        rng=random.Random(2026),
    )
    attempts = Attempt.objects.filter(trainee__username="dash-0001")
    running, keep = 0, []
    for pk, n in (
        attempts.order_by("started_at", "pk")
        .annotate(n=Count("answers"))
        .values_list("pk", "n")
    ):
        if running >= answers:
            break
        running += n
        keep.append(pk)
    attempts.exclude(pk__in=keep).delete()
    trainee = attempts.first().trainee
    last = {}
    # Each answered question's last answer makes its card, as attempt_finish does.
    for question_id, score in (
        Answer.objects.filter(attempt__trainee=trainee, saved_at__isnull=False)
        .order_by("attempt__started_at", "position")
        .values_list("question_id", "score")
    ):
        last[question_id] = score
    reviews_record(
        trainee_id=trainee.pk,
        outcomes=[ReviewOutcome(q, answer_is_correct(s)) for q, s in last.items()],
        now=now - timedelta(days=3),
    )
    # A practice quiz in progress (unlimited attempts: a history this long has
    # used up every exam's).
    exam = Quiz.objects.filter(slug__startswith="practice-").first()
    attempt_start(trainee=trainee, quiz=exam, now=now)
    total = Answer.objects.filter(attempt__trainee=trainee).count()
    return trainee, total, Attempt.objects.filter(trainee=trainee).count()


def timed(client, path: str) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds of one GET (the CPU of this process: the
    app, and SQLite, which runs inside it; not a PostgreSQL server's)."""
    start, cpu = time.perf_counter(), time.process_time()
    response = client.get(path)
    elapsed = (time.perf_counter() - start) * 1000
    cpu = (time.process_time() - cpu) * 1000
    if response.status_code != 200:
        raise SystemExit(f"GET {path}: {response.status_code}")
    return elapsed, cpu


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main() -> int:
    answers, runs = env_int("ANSWERS", 5000), env_int("RUNS", 50)
    warmup = env_int("WARMUP", 5)
    cleanup = procs.Cleanup()
    tmp = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    try:
        url, label = database(cleanup, tmp)
        os.environ["DATABASE_URL"] = url
        os.environ["DJANGO_SETTINGS_MODULE"] = "quizsite.settings.test"
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        import django

        django.setup()
        from django.test import Client

        started = time.perf_counter()
        trainee, total, attempts = seed(answers)
        print(
            f"database: {label}; trainee with {total} answers in {attempts} "
            f"attempts (one in progress), seeded in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        client = Client()
        client.force_login(trainee)
        for _ in range(warmup):
            timed(client, "/")
            timed(client, "/healthz")
        home, health = [], []
        for _ in range(runs):
            home.append(timed(client, "/"))
            health.append(timed(client, "/healthz"))
        print(f"{runs} runs each, alternating, after {warmup} warm-up rounds:")
        for name, samples in (("GET / (dashboard)", home), ("GET /healthz", health)):
            wall, cpu = [w for w, _ in samples], [c for _, c in samples]
            print(
                f"  {name:<18} median {statistics.median(wall):7.1f} ms   "
                f"p95 {p95(wall):7.1f} ms   (CPU median "
                f"{statistics.median(cpu):6.1f} ms)"
            )
        median = statistics.median(w for w, _ in home)
        ratio = median / statistics.median(w for w, _ in health)
        verdict = "met" if median < TARGET_MS else "MISSED"
        print(f"  ratio of the medians: {ratio:.0f} ×")
        print(f"  machine load (1-minute average) at the end: {os.getloadavg()[0]:.1f}")
        print(f"target: median dashboard under {TARGET_MS:.0f} ms: {verdict}")
        return 0 if median < TARGET_MS else 1
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        cleanup.run()
        for path in sorted(tmp.glob("*"), reverse=True):
            path.unlink()
        tmp.rmdir()


if __name__ == "__main__":
    sys.exit(main())
