"""An instructor's interventions on attempts: more time (logged), or close now."""

from datetime import UTC, datetime, timedelta

import pytest

from quizzes.choices import AttemptState
from quizzes.models import DeadlineExtension
from quizzes.services.attempts import GRACE, attempt_finish, attempt_start
from quizzes.services.attempts_admin import (
    DeadlineNotExtended,
    attempt_deadline_extend,
    attempts_finish_expired,
)
from tests.factories import (
    QuestionFactory,
    QuizFactory,
    QuizOverrideFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def instructor():
    return UserFactory(username="teacher", is_staff=True)


def started(**quiz_settings):
    quiz = QuizFactory(with_questions=[QuestionFactory()], **quiz_settings)
    return attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt


def test_an_extension_moves_the_deadline_and_logs_who_when_why(instructor):
    attempt = started(time_limit=timedelta(minutes=10))
    now = T0 + timedelta(minutes=4)
    extension = attempt_deadline_extend(
        attempt=attempt, by=instructor, minutes=5, reason=" Fire alarm ", now=now
    )
    attempt.refresh_from_db()
    assert attempt.deadline == T0 + timedelta(minutes=15)
    assert (extension.extended_by, extension.extended_at, extension.reason) == (
        instructor,
        now,
        "Fire alarm",
    )
    assert (extension.old_deadline, extension.new_deadline) == (
        T0 + timedelta(minutes=10),
        T0 + timedelta(minutes=15),
    )


def test_the_extended_deadline_is_the_one_the_clock_then_enforces(instructor):
    attempt = started(time_limit=timedelta(minutes=10))
    attempt_deadline_extend(
        attempt=attempt, by=instructor, minutes=5, reason="Alarm", now=T0
    )
    finished = attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=14))
    assert finished.state == AttemptState.FINISHED  # not expired at 10 minutes


@pytest.mark.parametrize(
    ("reason", "minutes", "message"),
    [
        ("  ", 5, "Say why"),
        ("Alarm", 0, "Extend by 1 to 1440 minutes, not 0"),
        ("Alarm", 1441, "not 1441"),
    ],
)
def test_an_extension_needs_a_reason_and_a_sensible_length(
    instructor, reason, minutes, message
):
    attempt = started()
    with pytest.raises(DeadlineNotExtended, match=message):
        attempt_deadline_extend(
            attempt=attempt, by=instructor, minutes=minutes, reason=reason, now=T0
        )
    assert not DeadlineExtension.objects.exists()


def test_a_finished_attempt_gets_no_more_time(instructor):
    attempt = started()
    attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=1))
    with pytest.raises(DeadlineNotExtended, match="only an attempt in progress"):
        attempt_deadline_extend(
            attempt=attempt, by=instructor, minutes=5, reason="Alarm", now=T0
        )


def test_an_untimed_attempt_has_no_deadline_to_extend(instructor):
    attempt = started(time_limit=None)
    with pytest.raises(DeadlineNotExtended, match="untimed"):
        attempt_deadline_extend(
            attempt=attempt, by=instructor, minutes=5, reason="Alarm", now=T0
        )


def test_an_attempt_past_its_deadline_and_grace_is_closed_not_extended(instructor):
    attempt = started(time_limit=timedelta(minutes=10))
    late = T0 + timedelta(minutes=10) + GRACE + timedelta(seconds=1)
    with pytest.raises(DeadlineNotExtended, match="has passed"):
        attempt_deadline_extend(
            attempt=attempt, by=instructor, minutes=5, reason="Alarm", now=late
        )


def test_no_extension_runs_past_the_quizs_close(instructor):
    attempt = started(
        time_limit=timedelta(minutes=10), closes_at=T0 + timedelta(minutes=13)
    )
    with pytest.raises(DeadlineNotExtended, match="at most 3 minute"):
        attempt_deadline_extend(
            attempt=attempt, by=instructor, minutes=5, reason="Alarm", now=T0
        )
    attempt_deadline_extend(
        attempt=attempt, by=instructor, minutes=3, reason="Alarm", now=T0
    )


def test_an_override_that_closes_later_lets_the_extension_run_to_it(instructor):
    """The cap is the trainee's own close: the quiz's, unless an override moves it."""
    attempt = started(
        time_limit=timedelta(minutes=10), closes_at=T0 + timedelta(minutes=13)
    )
    QuizOverrideFactory(
        quiz=attempt.quiz,
        trainee=attempt.trainee,
        closes_at=T0 + timedelta(minutes=40),
    )
    attempt_deadline_extend(
        attempt=attempt, by=instructor, minutes=20, reason="Alarm", now=T0
    )
    attempt.refresh_from_db()
    assert attempt.deadline == T0 + timedelta(minutes=30)
    with pytest.raises(DeadlineNotExtended, match="at most 10 minute"):
        attempt_deadline_extend(
            attempt=attempt, by=instructor, minutes=11, reason="Alarm", now=T0
        )


def test_finishing_expired_attempts_closes_only_those_past_their_deadline():
    due = started(time_limit=timedelta(minutes=10))
    running = started(time_limit=timedelta(minutes=60))
    done = started(time_limit=timedelta(minutes=10))
    attempt_finish(attempt=done, now=T0 + timedelta(minutes=1))
    result = attempts_finish_expired(
        attempts=[due, running, done.__class__.objects.get(pk=done.pk)],
        now=T0 + timedelta(minutes=30),
    )
    assert [a.pk for a in result.finished] == [due.pk]
    assert [a.pk for a in result.not_due] == [running.pk]
    assert [a.pk for a in result.already_finished] == [done.pk]
    due.refresh_from_db()
    assert (due.state, due.finished_at) == (
        AttemptState.EXPIRED,
        T0 + timedelta(minutes=10),
    )
