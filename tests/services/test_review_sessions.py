"""The "Review due" session: a tutor-mode personal test of the due cards.

Fixed clock (T0), fuzzing off. A first right answer is due 2 days later, a first
wrong one 1 day later (tests/services/test_reviews.py), so a card answered at
``T0 - k days`` is due at ``T0 - (k - 2) days`` (right) or ``T0 - (k - 1) days``
(wrong).
"""

from datetime import UTC, datetime, timedelta

import pytest

from quizzes.choices import AttemptState, QuestionStatus, QuizMode
from quizzes.models import Attempt, Quiz
from quizzes.services.personal_tests import ReviewRefused, review_session_start
from quizzes.services.reviews import review_record
from tests.factories import QuestionFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def trainee():
    return UserFactory()


@pytest.fixture
def questions():
    section = SectionFactory()
    return [QuestionFactory(section=section) for _ in range(5)]


def answered(trainee, question, *, days_ago: float, correct: bool = True):
    """Review the trainee's card for ``question`` ``days_ago`` days before T0."""
    return review_record(
        trainee=trainee,
        question_id=question.pk,
        correct=correct,
        confidence=None,
        now=T0 - days_ago * DAY,
    )


def asked(attempt: Attempt) -> list[int]:
    return list(
        attempt.answers.order_by("position").values_list("question_id", flat=True)
    )


def test_due_cards_are_asked_soonest_due_first_in_tutor_mode(trainee, questions):
    """Due 3 days ago, then 2, then 1 (whatever the order of answering): asked
    in that order, in a tutor-mode personal test of the trainee, started at T0."""
    answered(trainee, questions[0], days_ago=3)  # due T0 - 1 day
    answered(trainee, questions[1], days_ago=4, correct=False)  # due T0 - 3 days
    answered(trainee, questions[2], days_ago=4)  # due T0 - 2 days
    attempt = review_session_start(trainee=trainee, now=T0)
    assert asked(attempt) == [questions[1].pk, questions[2].pk, questions[0].pk]
    quiz = attempt.quiz
    assert quiz.owner == trainee and quiz.mode == QuizMode.TUTOR
    assert quiz.time_limit is None and not quiz.shuffle_questions
    assert quiz.title == "Review due: 3 questions (30 Nov)"
    assert attempt.trainee == trainee and attempt.state == AttemptState.IN_PROGRESS
    assert attempt.started_at == T0


def test_the_limit_keeps_the_soonest_due(trainee, questions):
    """Four due, a limit of 2: the two due longest ago."""
    for days_ago, question in zip([5, 6, 3, 4], questions, strict=False):
        answered(trainee, question, days_ago=days_ago)
    attempt = review_session_start(trainee=trainee, now=T0, limit=2)
    assert asked(attempt) == [questions[1].pk, questions[0].pk]
    assert attempt.quiz.title == "Review due: 2 questions (30 Nov)"


def test_a_card_not_yet_due_is_left_out(trainee, questions):
    """Answered right yesterday (due tomorrow): not in today's session."""
    answered(trainee, questions[0], days_ago=2)  # due now: included
    answered(trainee, questions[1], days_ago=1)  # due T0 + 1 day
    attempt = review_session_start(trainee=trainee, now=T0)
    assert asked(attempt) == [questions[0].pk]
    assert attempt.quiz.title == "Review due: 1 question (30 Nov)"


def test_unpublished_questions_are_not_asked(trainee, questions):
    """A retired or draft question is not asked again, even when due."""
    for question in questions[:3]:
        answered(trainee, question, days_ago=5)
    questions[0].status = QuestionStatus.RETIRED
    questions[0].save(update_fields=["status"])
    questions[1].status = QuestionStatus.DRAFT
    questions[1].save(update_fields=["status"])
    attempt = review_session_start(trainee=trainee, now=T0)
    assert asked(attempt) == [questions[2].pk]


def test_other_trainees_cards_are_ignored(trainee, questions):
    """Another trainee's due card neither joins the session nor counts as due."""
    other = UserFactory()
    answered(other, questions[0], days_ago=5)
    answered(trainee, questions[1], days_ago=3)
    attempt = review_session_start(trainee=trainee, now=T0)
    assert asked(attempt) == [questions[1].pk]
    with pytest.raises(ReviewRefused, match="answer some questions first"):
        review_session_start(trainee=UserFactory(), now=T0)


def test_nothing_due_is_refused_with_the_next_due_date(trainee, questions):
    """No card due at T0: refused, saying when the soonest card falls due, and
    no quiz or attempt is created."""
    answered(trainee, questions[0], days_ago=0.5)  # due T0 + 1.5 days
    answered(trainee, questions[1], days_ago=0.5, correct=False)  # T0 + 12 hours
    with pytest.raises(ReviewRefused) as refused:
        review_session_start(trainee=trainee, now=T0)
    assert refused.value.problem == (
        "Nothing is due for review yet: the next card is due 30 Nov 2026 21:00 UTC."
    )
    assert not Quiz.objects.exists() and not Attempt.objects.exists()


def test_no_card_at_all_is_refused(trainee, questions):
    """A trainee who never answered is told where cards come from."""
    with pytest.raises(ReviewRefused, match="Nothing is due for review: answer"):
        review_session_start(trainee=trainee, now=T0)
    assert not Quiz.objects.exists()


@pytest.mark.parametrize("limit", [0, 101])
def test_a_limit_outside_1_to_100_is_refused(trainee, questions, limit):
    """The count is 1–100, as in the builder; nothing is created otherwise."""
    answered(trainee, questions[0], days_ago=5)
    with pytest.raises(ReviewRefused, match="between 1 and 100"):
        review_session_start(trainee=trainee, now=T0, limit=limit)
    assert not Quiz.objects.exists()
