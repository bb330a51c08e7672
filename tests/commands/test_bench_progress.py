"""``manage.py bench_progress``: a consistent synthetic cohort, and page timings."""

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from quizzes.models import Answer, Attempt, Trainee

pytestmark = pytest.mark.django_db


def test_the_bench_seeds_consistent_attempts_and_times_the_pages(seeded, capsys):
    call_command(
        "bench_progress", "--trainees", "3", "--attempts", "4", "--repeat", "1"
    )
    out = capsys.readouterr().out
    assert "seeded 3 trainees, 12 attempts" in out
    # Each page is timed and given a verdict; whether it is "ok" is the benchmark's
    # figure, not a test's (a loaded CI machine would make it flaky).
    for page in ["cohort heatmap", "question list"]:
        line = next(line for line in out.splitlines() if line.startswith(page))
        assert line.split()[-1] in {"ok", "SLOW"}, line
    assert Trainee.objects.filter(username__startswith="bench-").count() == 3
    # Every attempt's score is the sum of its answers', out of its question count.
    for attempt in Attempt.objects.annotate(
        total=Sum("answers__score"), questions=Count("answers")
    ):
        assert attempt.score == attempt.total
        assert attempt.max_score == attempt.questions
        assert attempt.deadline is None or attempt.finished_at <= attempt.deadline
    assert not Answer.objects.filter(score__isnull=True).exists()
    # Numbers follow the start dates, within the attempts allowed.
    for attempt in Attempt.objects.select_related("quiz"):
        allowed = attempt.quiz.attempts_allowed
        assert allowed is None or attempt.number <= allowed


def test_running_the_bench_again_reuses_the_seeded_cohort(seeded, capsys):
    call_command("bench_progress", "--trainees", "2", "--attempts", "1", "--seed-only")
    call_command("bench_progress", "--trainees", "2", "--attempts", "1", "--seed-only")
    assert "2 bench-* trainees already seeded" in capsys.readouterr().out
    assert Attempt.objects.count() == 2
