"""Regrading: re-scoring finished attempts with the current version of questions.

An attempt is scored with the versions it started with (``question_versions``).
After a key is corrected, an instructor regrades one question or a whole quiz:

- ``regrade_plan`` is the dry run: every finished attempt whose score would change
  if its answers in scope were scored with the current version, with the old and
  new score and whether pass/fail or the trainee's grade for the quiz changes.
  It writes nothing.
- ``regrade_commit`` applies it, all or nothing: it locks the finished attempts in
  scope, computes the plan again under the lock (an attempt finished since the dry
  run is included, with its own answers), re-pins every answer in scope to the
  current version, stores the new scores and logs one ``AttemptRegrade`` per
  attempt whose score changed. A second commit with nothing new changes nothing.

Attempts in progress are left alone: they keep the version they started with and
are scored with it when they finish (Moodle's rule); a regrade run after they
finish brings them to the current version. So a finish racing a regrade is safe
either way: scored with its pinned version, then regraded or not as a whole.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, F, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast

from quizzes.choices import AttemptState
from quizzes.models import Answer, Attempt, AttemptRegrade, Question, Quiz
from quizzes.scoring import answer_score, quiz_grade
from quizzes.services.question_versions import question_versions_current
from quizzes.signals import grade_changed_on_commit
from quizzes.versions import content_key

# Batches of ids per UPDATE: below SQLite's limit on a statement's variables.
BATCH = 5000


class RegradeError(ValueError):
    """The regrade cannot run; the message says why."""


@dataclass(frozen=True)
class RegradeChange:
    """One finished attempt whose score changes."""

    attempt_id: int
    quiz_id: int
    quiz_title: str
    trainee_id: int
    trainee: str
    number: int
    max_score: int
    old_score: Decimal
    new_score: Decimal
    pass_mark: int
    old_grade: float | None
    new_grade: float | None

    @property
    def old_passed(self) -> bool:
        return _percent(self.old_score, self.max_score) >= self.pass_mark

    @property
    def new_passed(self) -> bool:
        return _percent(self.new_score, self.max_score) >= self.pass_mark

    @property
    def pass_changed(self) -> bool:
        return self.old_passed != self.new_passed

    @property
    def grade_changed(self) -> bool:
        return self.old_grade != self.new_grade


@dataclass
class RegradePlan:
    """What a regrade of ``question`` (or of all of ``quiz``) would change."""

    quiz: Quiz | None
    question: Question | None
    changes: list[RegradeChange]
    attempts_checked: int
    in_progress: int
    # What a commit writes: the new score of each answer that changes, by id, and
    # the attempts checked (locked, in a commit).
    answer_scores: dict[int, Decimal] = field(default_factory=dict, repr=False)
    attempt_ids: list[int] = field(default_factory=list, repr=False)


@dataclass(frozen=True)
class RegradeResult:
    """What a commit changed: the attempts re-scored and the answers re-pinned."""

    changes: list[RegradeChange]
    answers_repinned: int
    logs: list[AttemptRegrade]


def regrade_plan(
    *, quiz: Quiz | None = None, question: Question | None = None, now: datetime
) -> RegradePlan:
    """The dry run: every finished attempt in scope whose score would change when
    its answers are scored with the current version of their question.

    Scope: the answers to ``question`` (in any quiz), or every answer of ``quiz``;
    both given: that question in that quiz. Writes nothing.
    """
    attempts = _finished_in_scope(quiz=quiz, question=question)
    versions = _current_versions(quiz=quiz, question=question, now=now, create=False)
    return _plan(quiz, question, attempts, versions)


def regrade_commit(
    *,
    quiz: Quiz | None = None,
    question: Question | None = None,
    by,
    reason: str,
    now: datetime,
) -> RegradeResult:
    """Apply the regrade of ``question`` or ``quiz``: all or nothing, logged.

    The plan is computed again under the lock of the attempts, so a dry run shown
    minutes earlier can never write stale scores. Raises ``RegradeError`` without a
    reason or a scope.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise RegradeError("Give a reason: trainees see it with their new score.")
    with transaction.atomic():
        versions = _current_versions(quiz=quiz, question=question, now=now, create=True)
        # Locks the finished attempts in scope for the transaction: a concurrent
        # regrade waits, and their scores cannot change under this one.
        attempts = _finished_in_scope(quiz=quiz, question=question).select_for_update(
            of=("self",)
        )
        plan = _plan(quiz, question, attempts, versions)
        repinned = _repin(attempt_ids=plan.attempt_ids, versions=versions)
        _store_scores(plan)
        logs = AttemptRegrade.objects.bulk_create(
            AttemptRegrade(
                attempt_id=change.attempt_id,
                quiz_id=change.quiz_id,
                question=question,
                regraded_at=now,
                regraded_by=by,
                reason=reason,
                old_score=change.old_score,
                new_score=change.new_score,
                max_score=change.max_score,
            )
            for change in plan.changes
        )
        grade_changed_on_commit(
            pairs=[(c.trainee_id, c.quiz_id) for c in plan.changes], reason="regraded"
        )
    return RegradeResult(changes=plan.changes, answers_repinned=repinned, logs=logs)


def _scope_q(*, quiz: Quiz | None, question: Question | None) -> Q:
    """The attempts in scope (an attempt holds a question once: no duplicates)."""
    if quiz is None and question is None:
        raise RegradeError("Choose a question or a quiz to regrade.")
    q = Q()
    if quiz is not None:
        q &= Q(quiz=quiz)
    if question is not None:
        q &= Q(answers__question=question)
    return q


# What the plan reads of each attempt: plain rows, not model instances (10,000 of
# them, with their trainee and quiz, cost seconds to build).
ATTEMPT_FIELDS = [
    "pk",
    "trainee_id",
    "quiz_id",
    "number",
    "score",
    "max_score",
    "trainee__username",
    "quiz__title",
    "quiz__pass_mark",
]


def _finished_in_scope(*, quiz, question) -> QuerySet[Attempt]:
    return (
        # Finished or expired: not one in progress, nor one only prepared (it has no
        # score to change yet).
        Attempt.objects.filter(_scope_q(quiz=quiz, question=question))
        .filter(state__in=[AttemptState.FINISHED, AttemptState.EXPIRED])
        .order_by("pk")
    )


def _answers_in_scope(*, quiz, question) -> QuerySet[Answer]:
    answers = Answer.objects.filter(
        attempt__state__in=[AttemptState.FINISHED, AttemptState.EXPIRED]
    )
    if quiz is not None:
        answers = answers.filter(attempt__quiz=quiz)
    if question is not None:
        answers = answers.filter(question=question)
    return answers


def _current_versions(*, quiz, question, now, create):
    if question is not None:
        ids = [question.pk]
    else:
        ids = list(
            Answer.objects.filter(attempt__quiz=quiz)
            .values_list("question_id", flat=True)
            .distinct()
        )
    return question_versions_current(question_ids=ids, now=now, create=create)


def _plan(quiz, question, attempts, versions) -> RegradePlan:
    by_id = {row[0]: row for row in attempts.values_list(*ATTEMPT_FIELDS)}
    keys = {qid: content_key(v.content) for qid, v in versions.items()}
    kinds = {qid: v.kind for qid, v in versions.items()}
    # By scope, not by a list of ids (10,000 ids would pass SQLite's limit on a
    # statement's variables); an attempt finished since the lock is skipped below.
    # The choices are read as text: a cohort picks few distinct sets, so each set
    # is decoded and scored once per question.
    rows = _answers_in_scope(quiz=quiz, question=question).values_list(
        "pk", "attempt_id", "question_id", Cast("choice_ids", TextField()), "score"
    )
    scored: dict[tuple[int, str], Decimal] = {}
    delta: dict[int, Decimal] = defaultdict(Decimal)
    answer_scores: dict[int, Decimal] = {}
    for pk, attempt_id, question_id, chosen, score in rows.iterator(BATCH):
        if question_id not in keys or attempt_id not in by_id:
            continue
        new = scored.get((question_id, chosen))
        if new is None:
            new = scored[(question_id, chosen)] = answer_score(
                kind=kinds[question_id],
                correct_ids=keys[question_id],
                chosen_ids=json.loads(chosen or "[]"),
            )
        old = score or Decimal(0)
        if new != old:
            delta[attempt_id] += new - old
            answer_scores[pk] = new
    changed = {aid: d for aid, d in delta.items() if d}
    in_progress = Attempt.objects.filter(
        _scope_q(quiz=quiz, question=question), state=AttemptState.IN_PROGRESS
    ).count()
    grades = _grades(by_id, changed)
    changes = []
    for aid in sorted(changed):
        _, trainee_id, quiz_id, number, score, max_score, username, title, mark = by_id[
            aid
        ]
        old_grade, new_grade = grades[(trainee_id, quiz_id)]
        changes.append(
            RegradeChange(
                attempt_id=aid,
                quiz_id=quiz_id,
                quiz_title=title,
                trainee_id=trainee_id,
                trainee=username,
                number=number,
                max_score=max_score or 0,
                old_score=score,
                new_score=score + changed[aid],
                pass_mark=mark,
                old_grade=old_grade,
                new_grade=new_grade,
            )
        )
    return RegradePlan(
        quiz=quiz,
        question=question,
        changes=changes,
        attempts_checked=len(by_id),
        in_progress=in_progress,
        answer_scores=answer_scores,
        attempt_ids=list(by_id),
    )


def _grades(attempts: dict[int, tuple], changed: dict[int, Decimal]) -> dict:
    """Each affected trainee's grade for the quiz before and after, by the quiz's
    grading method (one query for the finished attempts of the quizzes involved:
    by quiz, as a list of trainees could pass SQLite's limit on variables)."""
    pairs = {(attempts[aid][1], attempts[aid][2]) for aid in changed}
    if not pairs:
        return {}
    sittings: dict[tuple, list] = defaultdict(list)
    methods = {}
    for pk, trainee_id, quiz_id, score, max_score, method in (
        Attempt.objects.filter(quiz_id__in={q for _, q in pairs})
        .exclude(state=AttemptState.IN_PROGRESS)
        .order_by("started_at", "number")
        .values_list(
            "pk", "trainee_id", "quiz_id", "score", "max_score", "quiz__grading_method"
        )
    ):
        if (trainee_id, quiz_id) in pairs:
            sittings[(trainee_id, quiz_id)].append((pk, score, max_score))
            methods[quiz_id] = method
    grades = {}
    for (trainee_id, quiz_id), rows in sittings.items():
        method = methods[quiz_id]
        before = [_percent(score, top) for _, score, top in rows]
        after = [
            _percent(score + changed.get(pk, Decimal(0)), top)
            for pk, score, top in rows
        ]
        grades[(trainee_id, quiz_id)] = (
            quiz_grade(percents=before, method=method),
            quiz_grade(percents=after, method=method),
        )
    return grades


def _percent(score: Decimal, max_score: int | None) -> float:
    if not max_score:
        return 0.0
    return round(float(score) * 100 / max_score, 1)


def _repin(*, attempt_ids: list[int], versions) -> int:
    """Every answer of the locked attempts to the current version: one UPDATE per
    batch of attempts, all questions at once. By the ids locked, not by state: an
    attempt finished since the lock was scored with its own version and keeps it.
    """
    if not versions:
        return 0
    version_of = Case(
        *[When(question_id=qid, then=Value(v.pk)) for qid, v in versions.items()],
        default=F("question_version_id"),
        output_field=Answer._meta.get_field("question_version").target_field,
    )
    stale = Q()
    for qid, version in versions.items():
        stale |= Q(question_id=qid) & (
            ~Q(question_version_id=version.pk) | Q(question_version__isnull=True)
        )
    repinned = 0
    for start in range(0, len(attempt_ids), BATCH):
        repinned += (
            Answer.objects.filter(attempt_id__in=attempt_ids[start : start + BATCH])
            .filter(stale)
            .update(question_version=version_of)
        )
    return repinned


def _store_scores(plan: RegradePlan) -> None:
    """New answer and attempt scores: one UPDATE per distinct value and batch
    (scores take few distinct values), not one per row."""
    _update_by_value(Answer, plan.answer_scores)
    _update_by_value(Attempt, {c.attempt_id: c.new_score for c in plan.changes})


def _update_by_value(model, scores: dict[int, Decimal]) -> None:
    ids_by_value: dict[Decimal, list[int]] = defaultdict(list)
    for pk, value in scores.items():
        ids_by_value[value].append(pk)
    for value, ids in ids_by_value.items():
        for start in range(0, len(ids), BATCH):
            model.objects.filter(pk__in=ids[start : start + BATCH]).update(score=value)
