"""Races: two tabs, a double click on submit, an autosave racing the submit.

These run with real transactions and one database connection per thread, on SQLite
(WAL, IMMEDIATE) and on PostgreSQL (row locks) alike.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from quizzes.choices import AttemptState
from quizzes.models import Answer, Attempt
from quizzes.services.attempts import (
    AnswerSaved,
    AttemptClosed,
    answer_save,
    attempt_finish,
    attempt_start,
    attempts_close_expired,
    attempts_prepare,
)
from tests.factories import QuestionFactory, QuizFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def run_together(*calls):
    """Run the calls in parallel threads released at once; return results or errors."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call()
        except Exception as exc:
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.fixture
def quiz():
    section = SectionFactory()
    return QuizFactory(
        with_questions=[QuestionFactory(section=section) for _ in range(8)]
    )


def test_concurrent_starts_create_one_attempt(quiz):
    trainee = UserFactory()
    results = run_together(
        *[lambda: attempt_start(trainee=trainee, quiz=quiz, now=T0)] * 4
    )
    assert Attempt.objects.filter(trainee=trainee).count() == 1
    ids = {r.attempt.pk for r in results}
    assert len(ids) == 1
    assert sum(r.created for r in results) == 1


def test_concurrent_starts_of_a_prepared_attempt_start_it_once(quiz):
    """The UPDATE ... WHERE state = 'prepared' is the claim: of four starts of one
    prepared attempt, one starts it, the others get that attempt back; no second
    attempt, one start time."""
    trainee = UserFactory()
    attempts_prepare(quiz=quiz, trainees=[trainee], now=T0)
    moments = [T0 + timedelta(seconds=s) for s in range(4)]
    results = run_together(
        *[
            (lambda now=now: attempt_start(trainee=trainee, quiz=quiz, now=now))
            for now in moments
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)]
    (attempt,) = Attempt.objects.filter(trainee=trainee)
    assert attempt.state == AttemptState.IN_PROGRESS
    assert sum(r.created for r in results) == 1
    winner = next(r for r in results if r.created)
    assert {r.attempt.pk for r in results} == {attempt.pk}
    assert attempt.started_at == winner.attempt.started_at
    assert attempt.answers.count() == 8


def test_concurrent_starts_never_exceed_the_attempts_allowed(quiz):
    quiz.attempts_allowed = 1
    quiz.save()
    trainee = UserFactory()
    run_together(*[lambda: attempt_start(trainee=trainee, quiz=quiz, now=T0)] * 4)
    attempt = Attempt.objects.get(trainee=trainee)
    attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=1))
    run_together(
        *[
            lambda: attempt_start(
                trainee=trainee, quiz=quiz, now=T0 + timedelta(minutes=2)
            )
        ]
        * 4
    )
    assert Attempt.objects.filter(trainee=trainee).count() == 1


def test_double_submit_finishes_once_and_both_see_the_same_result(quiz):
    attempt = attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
    first, second = run_together(
        lambda: attempt_finish(attempt=attempt, now=T0 + timedelta(seconds=61)),
        lambda: attempt_finish(attempt=attempt, now=T0 + timedelta(seconds=62)),
    )
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED
    # The loser must not overwrite the winner: both report what is stored.
    assert first.finished_at == second.finished_at == attempt.finished_at
    assert first.score == second.score == attempt.score


def test_autosaves_racing_the_submit_lose_no_acknowledged_answer(quiz):
    attempt = attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
    answers = list(attempt.answers.select_related("question").order_by("position"))

    def save(answer):
        correct = [c.pk for c in answer.question.choices.all() if c.is_correct]
        return lambda: answer_save(
            attempt=attempt,
            question_id=answer.question_id,
            choice_ids=correct,
            flagged=None,
            now=T0 + timedelta(minutes=1),
        )

    submit = lambda: attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=1))  # noqa: E731
    results = run_together(*[save(a) for a in answers], submit)
    saved = [r.answer for r in results[:-1] if isinstance(r, AnswerSaved)]
    refused = [r for r in results[:-1] if isinstance(r, AttemptClosed)]
    assert len(saved) + len(refused) == len(answers)
    attempt.refresh_from_db()
    # Every save the trainee was told succeeded is in the stored score, no more.
    assert attempt.score == len(saved)
    stored = Answer.objects.filter(attempt=attempt).exclude(choice_ids=[])
    assert {a.question_id for a in stored} == {a.question_id for a in saved}


def test_a_save_waiting_for_a_submit_is_refused_once_the_attempt_is_scored(quiz):
    """A save that arrives while a submit holds the attempt (FOR UPDATE) waits for
    it, and is then refused as finished: it never lands, acknowledged, in an
    attempt already scored (PostgreSQL: the save reads the attempt FOR SHARE, and
    READ COMMITTED re-checks the row once the submit commits)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; row locks are PostgreSQL's")
    from django.db import transaction

    attempt = attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
    answer = attempt.answers.select_related("question").first()
    key = [c.pk for c in answer.question.choices.all() if c.is_correct]
    scored, save_done = threading.Event(), threading.Event()
    now = T0 + timedelta(minutes=1)

    def submit_and_hold_until_the_save_waits():
        with transaction.atomic():
            attempt_finish(attempt=attempt, now=now)
            scored.set()
            # Commit only once the save is queued behind this transaction's locks.
            for _ in range(500):
                with connection.cursor() as cursor:
                    # pg_locks, not pg_stat_activity: that one is read once
                    # per transaction.
                    cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
                    if cursor.fetchone()[0] or save_done.is_set():
                        break
                save_done.wait(0.02)
        return "submitted"

    def save():
        scored.wait(timeout=10)
        try:
            return answer_save(
                attempt=attempt,
                question_id=answer.question_id,
                choice_ids=key,
                flagged=None,
                now=now,
            )
        finally:
            save_done.set()

    submitted, saved = run_together(submit_and_hold_until_the_save_waits, save)
    assert submitted == "submitted"
    assert isinstance(saved, AttemptClosed), saved
    answer.refresh_from_db()
    attempt.refresh_from_db()
    assert answer.choice_ids == [] and attempt.score == 0


def test_hammering_autosave_from_many_threads_never_fails():
    """SQLite with WAL, a busy timeout and IMMEDIATE transactions queues writers:
    no "database is locked", and every save lands."""
    section = SectionFactory()
    questions = [QuestionFactory(section=section) for _ in range(5)]
    quiz = QuizFactory(with_questions=questions)
    attempts = [
        attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
        for _ in range(6)
    ]
    choices = {q.pk: [c.pk for c in q.choices.all()] for q in questions}

    def hammer(attempt):
        def run():
            for round_ in range(20):
                for question in questions:
                    answer_save(
                        attempt=attempt,
                        question_id=question.pk,
                        choice_ids=[choices[question.pk][round_ % 4]],
                        flagged=round_ % 2 == 0,
                        now=T0 + timedelta(seconds=round_),
                    )
            return "ok"

        return run

    results = run_together(*[hammer(a) for a in attempts])
    assert results == ["ok"] * len(attempts), results
    last = {q.pk: [choices[q.pk][19 % 4]] for q in questions}
    for answer in Answer.objects.filter(attempt__in=attempts):
        assert answer.choice_ids == last[answer.question_id]
        assert answer.flagged is False


def test_one_trainees_save_does_not_wait_for_anothers(quiz):
    """A save locks its own attempt's row, not the quiz's: while trainee A's save is
    still open, trainee B's save of the same exam goes through (PostgreSQL; SQLite
    runs one writer at a time by design)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; row locks are PostgreSQL's")
    from django.db import transaction

    a, b = (
        attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt for _ in "ab"
    )
    question = a.answers.first().question_id
    a_saved, b_done = threading.Event(), threading.Event()

    def save_a_and_hold():
        with transaction.atomic():
            answer_save(
                attempt=a, question_id=question, choice_ids=[], flagged=True, now=T0
            )
            a_saved.set()
            b_done.wait(timeout=10)
        return "a"

    def save_b():
        a_saved.wait(timeout=10)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")
            return answer_save(
                attempt=b, question_id=question, choice_ids=[], flagged=True, now=T0
            )
        finally:
            b_done.set()

    result_a, result_b = run_together(save_a_and_hold, save_b)
    assert result_a == "a"
    assert isinstance(result_b.answer, Answer), result_b


def test_two_schedulers_closing_at_once_score_each_due_attempt_once(quiz, caplog):
    """Two servers' schedulers run the same minute: every due attempt is closed by
    exactly one of them (one "expired" log line each, counts adding up)."""
    attempts = [
        attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
        for _ in range(4)
    ]
    later = T0 + timedelta(hours=1)
    with caplog.at_level("INFO", logger="quizzes.services.attempts"):
        counts = run_together(
            lambda: attempts_close_expired(now=later),
            lambda: attempts_close_expired(now=later),
        )
    assert sum(counts) == 4, counts
    closings = [r for r in caplog.records if " expired: " in r.getMessage()]
    assert sorted(r.args[0] for r in closings) == sorted(a.pk for a in attempts)
    assert set(Attempt.objects.values_list("state", flat=True)) == {
        AttemptState.EXPIRED
    }
