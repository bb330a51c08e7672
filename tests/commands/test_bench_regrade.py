"""``manage.py bench_regrade``: tiny sizes, every step timed, scores consistent."""

import pytest
from django.core.management import call_command
from django.db.models import Sum

from quizzes.models import Attempt, AttemptRegrade

pytestmark = pytest.mark.django_db


def test_the_bench_times_baseline_dry_run_and_commit_and_keeps_scores_whole(capsys):
    """Each scope prints the baseline, the dry run and the commit; afterwards every
    attempt's score is still the sum of its answers' scores."""
    call_command("bench_regrade", "--attempts", "12", "--questions", "4")
    out = capsys.readouterr().out
    assert "seeded 12 attempts × 4 questions" in out
    for step in ["question · baseline", "question · dry run", "quiz · commit"]:
        assert step in out
    assert "SLOW" not in out
    assert AttemptRegrade.objects.exists()
    for attempt in Attempt.objects.annotate(total=Sum("answers__score")):
        assert attempt.score == attempt.total
