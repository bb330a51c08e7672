"""Closing attempts whose time ran out: scoped to what a page shows, and once only.

The scheduler closes every due attempt each minute; the pages close the ones they
show ("close on read"). Both go through ``attempts_close_expired``.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quizzes.choices import AttemptState
from quizzes.models import Attempt
from quizzes.services.attempts import (
    GRACE,
    answer_save,
    attempt_close_if_due,
    attempt_finish,
    attempt_start,
    attempts_close_expired,
)
from tests.factories import QuestionFactory, QuizFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(minutes=10) + GRACE + timedelta(seconds=1)


@pytest.fixture
def quiz():
    section = SectionFactory()
    return QuizFactory(with_questions=[QuestionFactory(section=section)])


def sitting(quiz, *, answered: bool = True) -> Attempt:
    """An attempt started at T0 (10 minutes), its question answered right."""
    attempt = attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
    if answered:
        answer = attempt.answers.get()
        key = list(answer.question.choices.filter(is_correct=True).values("pk"))
        answer_save(
            attempt=attempt,
            question_id=answer.question_id,
            choice_ids=[c["pk"] for c in key],
            flagged=None,
            now=T0,
        )
    return attempt


def test_closing_is_scoped_to_the_attempts_given(quiz):
    """A page closes only the attempts it shows; the rest wait for the scheduler."""
    mine, theirs = sitting(quiz), sitting(quiz)
    scope = Attempt.objects.filter(trainee=mine.trainee)
    assert attempts_close_expired(now=LATER, attempts=scope) == 1
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.state, mine.score, mine.finished_at) == (
        AttemptState.EXPIRED,
        1,
        mine.deadline,
    )
    assert theirs.state == AttemptState.IN_PROGRESS


def test_within_the_grace_nothing_is_closed(quiz):
    attempt = sitting(quiz)
    assert attempts_close_expired(now=attempt.deadline + GRACE) == 0
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.IN_PROGRESS


def test_nothing_due_costs_one_query(quiz, django_assert_num_queries):
    sitting(quiz)
    with django_assert_num_queries(1):
        assert attempts_close_expired(now=T0) == 0


def test_a_second_closer_of_the_same_due_attempt_changes_nothing(quiz):
    """Two schedulers (two servers) both found the attempt due: the second one to
    reach it finds it closed and writes nothing, so it is scored once."""
    attempt = sitting(quiz)
    assert attempts_close_expired(now=LATER) == 1
    closed = Attempt.objects.get(pk=attempt.pk)
    with CaptureQueriesContext(connection) as queries:
        assert attempts_close_expired(now=LATER + timedelta(minutes=1)) == 0
        again = attempt_finish(attempt=attempt, now=LATER + timedelta(minutes=1))
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert (again.state, again.score, again.finished_at) == (
        closed.state,
        closed.score,
        closed.finished_at,
    )


def test_an_attempt_whose_deadline_moved_since_it_was_found_due_is_left_open(quiz):
    """Found due, then an instructor extended the deadline before the closer
    reached it: under the lock it is no longer due, so it keeps its new time."""
    attempt = sitting(quiz)
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=attempt.deadline + timedelta(minutes=30)
    )
    assert attempt_close_if_due(attempt_id=attempt.pk, now=LATER) is False
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.IN_PROGRESS


def test_closing_one_due_attempt_says_it_did(quiz):
    attempt = sitting(quiz)
    assert attempt_close_if_due(attempt_id=attempt.pk, now=LATER) is True
    assert attempt_close_if_due(attempt_id=attempt.pk, now=LATER) is False
