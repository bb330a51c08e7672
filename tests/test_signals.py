"""``grade_changed``: sent after the commit that stores a score, for each trainee and
quiz whose grade may have changed, whatever path finished the attempt."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from quizzes.services.attempts import (
    AttemptClosed,
    answer_save,
    attempt_finish,
    attempt_start,
    attempts_close_expired,
)
from quizzes.services.regrade import regrade_commit, regrade_plan
from quizzes.signals import grade_changed
from tests.factories import QuestionFactory, QuizFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def sent():
    """The (pairs, reason) of each ``grade_changed`` sent during the test."""
    calls = []

    def receiver(sender, pairs, reason, **kwargs):
        calls.append((pairs, reason))

    grade_changed.connect(receiver, weak=False, dispatch_uid="test-signals")
    yield calls
    grade_changed.disconnect(dispatch_uid="test-signals")


@pytest.fixture
def quiz():
    return QuizFactory(with_questions=[QuestionFactory(), QuestionFactory()])


def test_a_submit_sends_the_trainee_and_quiz_once_committed(
    quiz, sent, django_capture_on_commit_callbacks
):
    """Submitting sends (trainee, quiz) with reason "finished", after the commit."""
    trainee = UserFactory()
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=T0).attempt
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=1))
        assert sent == []
    for callback in callbacks:
        callback()
    assert sent == [(frozenset({(trainee.pk, quiz.pk)}), "finished")]


def test_finishing_a_finished_attempt_sends_nothing(
    quiz, sent, django_capture_on_commit_callbacks
):
    """A second submit (a double click, a replay) changes no score: no signal."""
    attempt = attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
    with django_capture_on_commit_callbacks(execute=True):
        attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=2))
    assert len(sent) == 1


def test_an_attempt_the_scheduler_closes_sends_the_signal(
    quiz, sent, django_capture_on_commit_callbacks
):
    """An attempt closed by the clock (``close_expired_attempts``) is graded too."""
    trainee = UserFactory()
    attempt_start(trainee=trainee, quiz=quiz, now=T0)
    with django_capture_on_commit_callbacks(execute=True):
        assert attempts_close_expired(now=T0 + timedelta(hours=1)) == 1
    assert sent == [(frozenset({(trainee.pk, quiz.pk)}), "finished")]


def test_an_attempt_closed_on_a_late_save_sends_the_signal(
    quiz, sent, django_capture_on_commit_callbacks
):
    """A save after the deadline closes the attempt on read: graded too."""
    trainee = UserFactory()
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=T0).attempt
    question_id = attempt.answers.first().question_id
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(AttemptClosed):
        answer_save(
            attempt=attempt,
            question_id=question_id,
            choice_ids=[],
            flagged=None,
            now=T0 + timedelta(hours=1),
        )
    assert sent == [(frozenset({(trainee.pk, quiz.pk)}), "finished")]


def test_a_rolled_back_finish_sends_nothing(
    quiz, sent, django_capture_on_commit_callbacks
):
    """The score was never stored: receivers are not told about it."""
    attempt = attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=1))
        raise RuntimeError("rolled back")
    assert sent == []


def test_a_failing_receiver_does_not_fail_the_submit(
    quiz, django_capture_on_commit_callbacks, caplog
):
    """The trainee's submit stands; the receiver's error is logged."""

    def broken(sender, **kwargs):
        raise ValueError("gradebook down")

    grade_changed.connect(broken, weak=False, dispatch_uid="test-broken")
    try:
        attempt = attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
        with django_capture_on_commit_callbacks(execute=True):
            attempt = attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=1))
    finally:
        grade_changed.disconnect(dispatch_uid="test-broken")
    assert attempt.state == "finished"
    assert "gradebook down" in caplog.text


def test_a_regrade_sends_the_attempts_whose_score_changed(
    sent, django_capture_on_commit_callbacks
):
    """After a regrade commit: the trainees whose score changed, reason
    "regraded"; the dry run sends nothing."""
    question = QuestionFactory()
    quiz = QuizFactory(with_questions=[question], time_limit=None)
    keys = list(question.choices.order_by("order"))
    right, wrong = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        for trainee, choice in ((right, keys[0]), (wrong, keys[1])):
            attempt = attempt_start(trainee=trainee, quiz=quiz, now=T0).attempt
            answer_save(
                attempt=attempt,
                question_id=question.pk,
                choice_ids=[choice.pk],
                flagged=None,
                now=T0,
            )
            attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=1))
    sent.clear()
    # The key moves to the second choice: both scores change.
    for i, choice in enumerate(keys):
        choice.is_correct = i == 1
        choice.save()
    later = T0 + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        regrade_plan(quiz=quiz, now=later)
    assert sent == []
    with django_capture_on_commit_callbacks(execute=True):
        regrade_commit(quiz=quiz, by=UserFactory(), reason="Key fixed", now=later)
    assert sent == [(frozenset({(right.pk, quiz.pk), (wrong.pk, quiz.pk)}), "regraded")]
