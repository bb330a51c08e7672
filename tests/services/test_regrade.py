"""Regrading: a dry run lists what would change, a commit applies it all or nothing.

A key corrected after attempts were scored reaches those scores only through a
regrade; attempts in progress keep the version they started with.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from quizzes.choices import AttemptState, GradingMethod
from quizzes.models import Answer, Attempt, AttemptRegrade, QuestionVersion
from quizzes.services.attempts import (
    answer_save,
    attempt_finish,
    attempt_start,
    attempts_prepare,
)
from quizzes.services.regrade import RegradeError, regrade_commit, regrade_plan
from tests.factories import QuestionFactory, QuizFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=1)


def _choice(question, index: int) -> int:
    return list(question.choices.order_by("order"))[index].pk


def _move_key(question, to: int = 1) -> None:
    """Correct the key: the choice at index ``to`` becomes the only right one."""
    for i, choice in enumerate(question.choices.order_by("order")):
        choice.is_correct = i == to
        choice.save()


def _sit(quiz, trainee, picks: dict, *, finish: bool = True, now=T0) -> Attempt:
    """An attempt choosing, per question, the choice at the given index."""
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=now).attempt
    for question, index in picks.items():
        answer_save(
            attempt=attempt,
            question_id=question.pk,
            choice_ids=[_choice(question, index)],
            flagged=None,
            now=now,
        )
    if finish:
        attempt = attempt_finish(attempt=attempt, now=now + timedelta(minutes=1))
    return attempt


@pytest.fixture
def questions():
    section = SectionFactory()
    return [QuestionFactory(section=section) for _ in range(3)]


@pytest.fixture
def quiz(questions):
    return QuizFactory(with_questions=questions, time_limit=None, pass_mark=70)


@pytest.fixture
def sittings(quiz, questions):
    """Ann picked the old key on every question (3/3), Ben the new key on the
    first (2/3), Cid left the first unanswered (2/3); then the first key moves."""
    q1, q2, q3 = questions
    ann = _sit(quiz, UserFactory(username="ann"), {q1: 0, q2: 0, q3: 0})
    ben = _sit(quiz, UserFactory(username="ben"), {q1: 1, q2: 0, q3: 0})
    cid = _sit(quiz, UserFactory(username="cid"), {q2: 0, q3: 0})
    _move_key(q1)
    return {"ann": ann, "ben": ben, "cid": cid}


def _scores() -> dict:
    return dict(Attempt.objects.values_list("trainee__username", "score"))


def test_dry_run_lists_exactly_the_attempts_whose_score_would_change(
    questions, sittings
):
    """Ann 3 → 2 (passes → fails), Ben 2 → 3 (fails → passes); Cid unchanged is
    not listed. Nothing is written: no score, version or log."""
    before = _scores()
    plan = regrade_plan(question=questions[0], now=LATER)

    rows = {
        c.trainee: (c.old_score, c.new_score, c.old_passed, c.new_passed)
        for c in plan.changes
    }
    assert rows == {
        "ann": (Decimal(3), Decimal(2), True, False),
        "ben": (Decimal(2), Decimal(3), False, True),
    }
    assert all(c.pass_changed and c.grade_changed for c in plan.changes)
    assert plan.attempts_checked == 3
    assert _scores() == before
    assert QuestionVersion.objects.filter(question=questions[0]).count() == 1
    assert not AttemptRegrade.objects.exists()


def test_commit_rescores_repins_and_logs_who_when_why(questions, sittings):
    """The new scores are stored, every finished answer in scope is pinned to the
    current version, and one log row per changed attempt says who, when, why."""
    instructor = UserFactory(username="ines")
    result = regrade_commit(
        question=questions[0], by=instructor, reason="Key corrected", now=LATER
    )
    assert _scores() == {"ann": Decimal(2), "ben": Decimal(3), "cid": Decimal(2)}
    assert result.answers_repinned == 3
    versions = set(
        Answer.objects.filter(question=questions[0]).values_list(
            "question_version__number", flat=True
        )
    )
    assert versions == {2}
    logs = {
        (r.attempt.trainee.username, r.old_score, r.new_score, r.regraded_by_id)
        for r in AttemptRegrade.objects.select_related("attempt__trainee")
    }
    assert logs == {
        ("ann", Decimal(3), Decimal(2), instructor.pk),
        ("ben", Decimal(2), Decimal(3), instructor.pk),
    }
    assert AttemptRegrade.objects.get(attempt=sittings["ann"]).notice() == (
        "Regraded on 2 Mar 2026: Key corrected. Score 3/3 → 2/3."
    )


def test_a_second_commit_with_nothing_to_change_changes_nothing(questions, sittings):
    """Idempotent: the same regrade again re-scores, re-pins and logs nothing."""
    by = UserFactory()
    regrade_commit(question=questions[0], by=by, reason="Key corrected", now=LATER)
    again = regrade_commit(question=questions[0], by=by, reason="Again", now=LATER)
    assert again.changes == [] and again.answers_repinned == 0
    assert AttemptRegrade.objects.count() == 2
    assert regrade_plan(question=questions[0], now=LATER).changes == []


def test_a_commit_failing_midway_changes_nothing(questions, sittings, monkeypatch):
    """All or nothing: when the log cannot be written, no score, pin or version
    written before it remains."""
    before = _scores()
    pins = list(Answer.objects.order_by("pk").values_list("question_version_id"))

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(AttemptRegrade.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        regrade_commit(question=questions[0], by=UserFactory(), reason="Key", now=LATER)
    assert _scores() == before
    assert list(Answer.objects.order_by("pk").values_list("question_version_id")) == (
        pins
    )
    assert QuestionVersion.objects.filter(question=questions[0]).count() == 1


def test_the_grade_changes_only_as_the_grading_method_says(quiz, questions):
    """Highest grade: lowering a trainee's weaker attempt leaves the grade as it
    was; the change is listed with ``grade_changed`` False."""
    quiz.grading_method = GradingMethod.HIGHEST
    quiz.save()
    q1, q2, q3 = questions
    dan = UserFactory(username="dan")
    _sit(quiz, dan, {q1: 0, q2: 1, q3: 1})  # 1/3, then 0/3
    _sit(quiz, dan, {q1: 1, q2: 0, q3: 0}, now=T0 + timedelta(hours=1))  # 2/3 → 3/3
    _move_key(q1)
    plan = regrade_plan(question=q1, now=LATER)
    by_number = {c.number: c for c in plan.changes}
    assert (by_number[1].old_grade, by_number[1].new_grade) == (66.7, 100.0)
    quiz.grading_method = GradingMethod.FIRST
    quiz.save()
    first = {c.number: c for c in regrade_plan(question=q1, now=LATER).changes}
    assert (first[1].old_grade, first[1].new_grade) == (33.3, 0.0)
    assert first[2].grade_changed is True  # same pair, same grade change


def test_an_attempt_in_progress_keeps_its_version_until_it_finishes(
    quiz, questions, sittings
):
    """In progress during the regrade: not touched, scored at finish with the
    version it started with; a regrade after its finish applies the fix."""
    q1, q2, q3 = questions
    eve = UserFactory(username="eve")
    _move_key(q1, to=0)
    running = _sit(quiz, eve, {q1: 0, q2: 0, q3: 0}, finish=False)
    _move_key(q1, to=1)
    plan = regrade_plan(question=q1, now=LATER)
    assert plan.in_progress == 1
    regrade_commit(question=q1, by=UserFactory(), reason="Key", now=LATER)
    running.refresh_from_db()
    assert running.state == AttemptState.IN_PROGRESS
    finished = attempt_finish(attempt=running, now=LATER)
    assert finished.score == Decimal(3)
    after = regrade_commit(question=q1, by=UserFactory(), reason="Key", now=LATER)
    assert [(c.trainee, c.new_score) for c in after.changes] == [("eve", Decimal(2))]


def test_a_prepared_attempt_is_not_regraded(quiz, questions, sittings):
    """Prepared ahead of an exam, the attempt has no score to change: it is neither
    checked nor rescored, and keeps the version it was prepared with."""
    attempts_prepare(quiz=quiz, trainees=[UserFactory(username="dee")], now=T0)
    assert regrade_plan(question=questions[0], now=LATER).attempts_checked == 3
    regrade_commit(quiz=quiz, by=UserFactory(), reason="Key corrected", now=LATER)
    prepared = Attempt.objects.get(trainee__username="dee")
    assert prepared.state == AttemptState.PREPARED and prepared.score is None


def test_a_regrade_needs_a_reason_and_a_scope(questions, sittings):
    with pytest.raises(RegradeError, match="reason"):
        regrade_commit(question=questions[0], by=None, reason="  ", now=LATER)
    with pytest.raises(RegradeError, match="question or a quiz"):
        regrade_plan(now=LATER)


def test_a_quiz_regrade_rescores_every_question(quiz, questions, sittings):
    """The whole quiz: every question scored with its current version (Ben gains
    on one and loses on another: unchanged, not listed)."""
    _move_key(questions[1])
    plan = regrade_plan(quiz=quiz, now=LATER)
    assert {c.trainee: c.new_score for c in plan.changes} == {
        "ann": Decimal(1),
        "cid": Decimal(1),
    }


def run_together(*calls):
    """Run the calls in parallel threads released at once; results or errors."""
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


@pytest.mark.django_db(transaction=True)
def test_a_finish_racing_a_regrade_is_consistent(quiz, questions):
    """A finish during a regrade: either the regrade saw it finished and re-scored
    it, or it finished after with its pinned version; never a half of each. Every
    attempt's score is the sum of its answers' scores."""
    q1, q2, q3 = questions
    done = [_sit(quiz, UserFactory(), {q1: 0, q2: 0, q3: 0}) for _ in range(5)]
    running = _sit(quiz, UserFactory(), {q1: 0, q2: 0, q3: 0}, finish=False)
    _move_key(q1)
    by = UserFactory()
    results = run_together(
        lambda: regrade_commit(question=q1, by=by, reason="Key", now=LATER),
        lambda: attempt_finish(attempt=running, now=LATER),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    for attempt in Attempt.objects.all():
        answers = list(attempt.answers.all())
        assert attempt.score == sum(a.score for a in answers)
    assert all(Attempt.objects.get(pk=a.pk).score == Decimal(2) for a in done)
    finished = Attempt.objects.get(pk=running.pk)
    logged = AttemptRegrade.objects.filter(attempt=finished).exists()
    assert finished.score == (Decimal(2) if logged else Decimal(3))
