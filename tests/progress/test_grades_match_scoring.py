"""The database's grades are the trainee pages' grades (``scoring.quiz_grade``)."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest

from quizzes.choices import GradingMethod
from quizzes.progress import ProgressFilter, quiz_progress
from quizzes.scoring import quiz_grade
from tests.admin.factories import (
    T0,
    AttemptFactory,
    InProgressAttemptFactory,
    PreparedAttemptFactory,
)
from tests.factories import QuizFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", GradingMethod.values)
def test_the_sql_grade_equals_quiz_grade_for_every_grading_method(method):
    """Random attempt sets (seeded): same grade, whatever the method and the order
    in which the attempts were created."""
    rng = random.Random(method)
    quiz = QuizFactory(grading_method=method)
    expected = {}
    for _ in range(12):
        trainee = UserFactory()
        attempts = []
        for number in range(1, rng.randint(1, 5) + 1):
            max_score = rng.choice([4, 10, 12, 40])
            quarters = rng.randint(0, max_score * 4)
            attempts.append(
                AttemptFactory(
                    trainee=trainee,
                    quiz=quiz,
                    number=number,
                    started_at=T0 + timedelta(hours=rng.randint(0, 500)),
                    score=Decimal(quarters) / 4,
                    max_score=max_score,
                )
            )
        attempts.sort(key=lambda a: (a.started_at, a.pk))
        expected[trainee.pk] = quiz_grade(
            percents=[a.percent for a in attempts], method=method
        )
    got = {r.trainee_id: r.grade for r in quiz_progress(filters=ProgressFilter())}
    assert got == pytest.approx(expected)


def test_an_attempt_in_progress_does_not_count_towards_the_grade():
    quiz = QuizFactory(grading_method=GradingMethod.LATEST)
    trainee = UserFactory()
    AttemptFactory(trainee=trainee, quiz=quiz, number=1, score=Decimal(1))
    InProgressAttemptFactory(
        trainee=trainee, quiz=quiz, number=2, started_at=T0 + timedelta(days=1)
    )
    (row,) = quiz_progress(filters=ProgressFilter())
    assert (row.grade, row.attempts_used, row.attempts_finished) == (25.0, 2, 1)


def test_a_prepared_attempt_is_not_an_attempt_used():
    """Progress counts started attempts: one prepared ahead of an exam is none."""
    quiz = QuizFactory()
    trainee = UserFactory()
    AttemptFactory(trainee=trainee, quiz=quiz, number=1, score=Decimal(1))
    PreparedAttemptFactory(trainee=trainee, quiz=quiz, number=2)
    (row,) = quiz_progress(filters=ProgressFilter())
    assert (row.attempts_used, row.attempts_finished) == (1, 1)
