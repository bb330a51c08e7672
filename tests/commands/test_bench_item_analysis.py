"""``manage.py bench_item_analysis``: a consistent synthetic quiz, and its timings."""

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from quizzes.models import Answer, Attempt, Quiz
from quizzes.services.item_analysis import quiz_item_analysis

pytestmark = pytest.mark.django_db


def test_the_bench_seeds_a_consistent_quiz_and_times_every_step(capsys):
    """Tiny sizes: every attempt's score is the sum of its answers' out of the
    question count; each step, the baselines and the query count are printed."""
    call_command(
        "bench_item_analysis", "--attempts", "12", "--questions", "5", "--repeat", "1"
    )
    out = capsys.readouterr().out
    assert "seeded 12 attempts × 5 questions" in out
    for step in ["SELECT COUNT(*)", "build the matrix", "compute the statistics"]:
        assert step in out
    assert "matrix + statistics (target)" in out and "SLOW" not in out
    for step in [
        "cached: fingerprint + cache read",
        "statistics page from the cache",
        "statistics page, recomputed",
    ]:
        assert step in out
    assert "queries for the whole analysis: 6" in out
    quiz = Quiz.objects.get(slug="bench-ia-12x5")
    assert Answer.objects.filter(attempt__quiz=quiz).count() == 60
    for attempt in Attempt.objects.annotate(
        total=Sum("answers__score"), questions=Count("answers")
    ):
        assert attempt.score == attempt.total
        assert attempt.max_score == attempt.questions == 5
    analysis = quiz_item_analysis(quiz=quiz)
    assert analysis.quiz.attempts == 12
    assert [q.question for q in analysis.questions][:2] == [
        "bench-ia-12x5-q01",
        "bench-ia-12x5-q02",
    ]


def test_running_the_bench_again_reuses_the_seeded_quiz(capsys):
    call_command("bench_item_analysis", "--attempts", "3", "--questions", "2")
    call_command("bench_item_analysis", "--attempts", "3", "--questions", "2")
    assert "quiz bench-ia-3x2 already seeded" in capsys.readouterr().out
    assert Attempt.objects.count() == 3
