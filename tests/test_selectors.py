"""Reads scoped to a trainee."""

from datetime import UTC, datetime

import pytest

from quizzes.models import QuizDraw
from quizzes.selectors import quiz_standings, review_refusal
from quizzes.services.attempts import attempt_finish, attempt_start
from tests.factories import QuestionFactory, QuizFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_question_count_adds_fixed_questions_and_draws():
    section = SectionFactory()
    quiz = QuizFactory(
        with_questions=[QuestionFactory(section=section) for _ in range(3)]
    )
    QuizDraw.objects.create(quiz=quiz, section=SectionFactory(), count=5)
    (standing,) = quiz_standings(trainee=UserFactory(), now=T0)
    assert standing.question_count == 8


def test_standings_show_only_the_trainees_own_attempts():
    quiz = QuizFactory(with_questions=[QuestionFactory()], attempts_allowed=3)
    mine, other = UserFactory(), UserFactory()
    attempt_start(trainee=other, quiz=quiz, now=T0)
    (standing,) = quiz_standings(trainee=mine, now=T0)
    assert (standing.attempts_used, standing.attempts_left) == (0, 3)
    assert standing.in_progress is None


def test_review_refusal_says_why_and_is_none_when_allowed():
    quiz = QuizFactory(with_questions=[QuestionFactory()])
    attempt = attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
    assert "still in progress" in review_refusal(attempt=attempt, now=T0)
    attempt = attempt_finish(attempt=attempt, now=T0)
    assert review_refusal(attempt=attempt, now=T0) is None
    quiz.review_shows = "score_only"
    quiz.save()
    attempt.refresh_from_db()
    assert "scores only" in review_refusal(attempt=attempt, now=T0)
