"""Where an answer save's CPU goes, in process: the whole Django stack, no HTTP.

    python bench/profile_save.py [--saves N] [--profile] [--top N]

Run with the server's settings and a database the cohort benchmark has set up
(seed content and trainees ``bench-trainee-…`` or any active trainee), e.g.

    DJANGO_SETTINGS_MODULE=quizsite.settings.production HTTPS=0 SECRET_KEY=… \\
    ALLOWED_HOSTS=testserver DATABASE_URL=postgres://…/db python bench/profile_save.py

A trainee is logged in (a session as ``django.contrib.auth.login`` leaves it), starts
the comprehensive exam, and PUTs N answers through Django's WSGI handler
(``django.test.Client``: every middleware, the session and user reads, django-ninja's
parsing and rendering), as gunicorn's worker would; then GET /healthz as many times.
It prints the CPU per request of each (``time.process_time``: this process, the
database server apart), their ratio, the statements per save, and with
``--profile`` the cProfile of the saves (cumulative time, top N).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SLUG = "comprehensive-ketamine-clinical-overview"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from quizzes.models import Attempt, Trainee

    trainee = (
        Trainee.objects.filter(is_active=True)
        .exclude(attempts__quiz__slug=SLUG)
        .order_by("pk")
        .first()
    )
    if trainee is None:
        raise SystemExit("no active trainee without an attempt at the exam")
    client = Client(enforce_csrf_checks=False)
    client.force_login(trainee)
    started = client.post(f"/api/quizzes/{SLUG}/attempts")
    if started.status_code not in (200, 201):
        raise SystemExit(f"start: {started.status_code} {started.content[:200]}")
    attempt = started.json()
    questions = attempt["questions"]
    rng = random.Random(1)
    bodies = []
    for i in range(args.saves):
        q = questions[i % len(questions)]
        options = [c["id"] for c in q["choices"]]
        body = {"choices": [rng.choice(options)], "flagged": rng.random() < 0.1}
        bodies.append((f"/api/attempts/{attempt['id']}/answers/{q['id']}", body))

    def save(path, body):
        r = client.put(path, json.dumps(body), content_type="application/json")
        if r.status_code != 200:
            raise SystemExit(f"save: {r.status_code} {r.content[:200]}")

    for path, body in bodies[:50]:  # warm up: the connection, imports, caches
        save(path, body)
        client.get("/healthz")
    with CaptureQueriesContext(connection) as queries:
        save(*bodies[0])
    statements = [q["sql"][:110] for q in queries.captured_queries]

    backend = _backend_pid(connection)
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    db = _cpu_of(backend)
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for path, body in bodies:
        save(path, body)
    if profiler:
        profiler.disable()
    save_cpu = (time.process_time() - cpu) * 1000 / len(bodies)
    save_wall = (time.perf_counter() - wall) * 1000 / len(bodies)
    save_db = (_cpu_of(backend) - db) * 1000 / len(bodies)
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in bodies:
        client.get("/healthz")
    healthz_cpu = (time.process_time() - cpu) * 1000 / len(bodies)
    healthz_wall = (time.perf_counter() - wall) * 1000 / len(bodies)
    Attempt.objects.filter(pk=attempt["id"]).delete()

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"statements per save: {len(statements)}")
    for text in statements:
        print(f"  {text}")
    print(
        f"save:    {save_cpu:.3f} ms CPU + {save_db:.3f} ms database "
        f"({save_wall:.3f} ms wall)"
    )
    print(f"healthz: {healthz_cpu:.3f} ms CPU ({healthz_wall:.3f} ms wall)")
    print(
        f"save / healthz: {save_cpu / healthz_cpu:.2f} in process, "
        f"{(save_cpu + save_db) / healthz_cpu:.2f} with the database"
    )
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
        print(out.getvalue())
    return 0


def _backend_pid(connection) -> int | None:
    """The database server process serving this connection (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _cpu_of(pid: int | None) -> float:
    """A process's CPU seconds so far, from /proc (0 without one: SQLite runs in
    this process, so its cost is already in process_time)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    sys.exit(main())
