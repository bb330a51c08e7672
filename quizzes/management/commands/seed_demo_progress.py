"""``manage.py seed_demo_progress``: something for the admin's progress pages to show.

The demo trainees (``create_demo_accounts``) take a few real attempts through the
services (start, answer, finish), and a small synthetic cohort is added in bulk
(as ``bench_progress`` seeds it). Development only; run it after ``make seed``.
"""

import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from quizzes.models import Attempt, Quiz, Trainee
from quizzes.services.progress_seed import cohort_seed, demo_attempts_take

DEMO_TRAINEES = ["trainee1", "trainee2"]


class Command(BaseCommand):
    help = (
        "Give the demo trainees a few real attempts and add a small synthetic "
        "cohort, for the admin's progress pages. Development (DEBUG) only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--trainees", type=int, default=24)
        parser.add_argument("--attempts", type=int, default=10)

    def handle(self, *args, trainees, attempts, **options):
        if not settings.DEBUG:
            raise CommandError("demo progress is for development (DEBUG) only")
        now = timezone.now()
        rng = random.Random(4)
        quizzes = list(
            Quiz.objects.filter(slug__startswith="exam-").order_by("title")[:6]
        )
        if not quizzes:
            raise CommandError("no seed quizzes: run `make seed` first")
        for username in DEMO_TRAINEES:
            trainee = get_user_model().objects.filter(username=username).first()
            if trainee is None or Attempt.objects.filter(trainee=trainee).exists():
                continue
            taken = demo_attempts_take(
                trainee=trainee, quizzes=quizzes + quizzes[:3], now=now, rng=rng
            )
            self.stdout.write(f"{username}: {taken} attempts taken")
        if not Trainee.objects.filter(username__startswith="cohort-").exists():
            result = cohort_seed(
                trainees=trainees,
                attempts_per_trainee=attempts,
                now=now,
                prefix="cohort-",
                days=60,
                rng=rng,
            )
            self.stdout.write(
                f"cohort: {result.trainees} trainees, {result.attempts} attempts"
            )
