"""Personal tests count towards mastery, never towards grades or item statistics.

On the cohort of ``cohort.py``, t1 sits a personal tutor test of a1 (wrong) and
b1 (right) on day 6. Every grade figure must read as before it; t1's mastery
gains the two answers: A 6 answers, 4 marks → 66.7; B 6 answers, 4.5 → 75.0.
"""

import pytest

from quizzes.exports import progress_quizzes_rows
from quizzes.models import Question
from quizzes.progress import (
    ProgressFilter,
    cohort_mastery,
    personal_tests_summary,
    quiz_progress,
    quiz_results,
    top_sections,
    trainee_mastery,
    trainee_score_points,
    trainees_with_progress,
)
from quizzes.statistics import questions_with_stats
from tests.progress.cohort import sit_personal_test

pytestmark = pytest.mark.django_db
ALL = ProgressFilter()


def grade_figures():
    """Every grade and statistic an instructor reads, as plain values."""
    return {
        "progress": [
            (r.username, r.quiz_title, r.grade, r.attempts_used)
            for r in quiz_progress(filters=ALL)
        ],
        "results": [(r.title, r.bins, r.passed) for r in quiz_results(filters=ALL)],
        "export": list(progress_quizzes_rows(filters=ALL)),
        "means": sorted(
            (t.username, t.finished, t.mean_percent) for t in trainees_with_progress()
        ),
        "items": sorted(
            (q.pk, q.responses, q.facility)
            for q in questions_with_stats(Question.objects.all())
        ),
    }


def test_a_personal_test_changes_no_grade_and_no_item_statistic(cohort):
    """Grades, pass rates, the export, mean scores and facility read as before."""
    before = grade_figures()
    sit_personal_test(cohort)
    assert grade_figures() == before


def test_a_personal_test_is_no_point_of_the_scores_over_time(cohort):
    before = trainee_score_points(trainee=cohort.t1, filters=ALL)
    sit_personal_test(cohort)
    assert trainee_score_points(trainee=cohort.t1, filters=ALL) == before


def test_a_personal_test_counts_towards_mastery(cohort):
    sit_personal_test(cohort)
    t1 = {
        s.title: (m.answers, m.percent)
        for s, m in trainee_mastery(
            trainee=cohort.t1, sections=top_sections(), filters=ALL
        )
    }
    assert t1 == {"Section A": (6, 66.7), "Section B": (6, 75.0)}
    cells = cohort_mastery(sections=top_sections(), filters=ALL)
    assert sorted(c.answers for c in cells.values()) == [10, 10]


def test_the_personal_tests_summary_counts_tests_answers_and_percent(cohort):
    """One test, two questions answered, one right: 50 %."""
    assert personal_tests_summary(trainee=cohort.t1, filters=ALL).tests == 0
    sit_personal_test(cohort)
    summary = personal_tests_summary(trainee=cohort.t1, filters=ALL)
    assert (summary.tests, summary.finished, summary.answers, summary.percent) == (
        1,
        1,
        2,
        50.0,
    )
    assert personal_tests_summary(trainee=cohort.t2, filters=ALL).tests == 0
