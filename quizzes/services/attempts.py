"""An attempt's life: start, autosave, tutor confirmation, finish and expiry.

The server is the clock: every function takes ``now`` and compares it with the
deadline fixed at start. Concurrency is designed in rather than hoped for:

- each state change runs in a transaction that first locks the attempt row
  (``select_for_update`` on PostgreSQL; on SQLite the IMMEDIATE transaction mode
  takes the database write lock at BEGIN), so an autosave and a submit are
  serialised: the save either lands before the score is computed or is refused;
- the database refuses a second in-progress attempt for one trainee and quiz, and a
  repeated attempt number, so two concurrent starts can never both succeed.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connections, transaction
from django.db.models import QuerySet

from quizzes.choices import AttemptState, QuestionKind, QuestionStatus, QuizMode
from quizzes.models import (
    Answer,
    Attempt,
    Choice,
    LateAnswer,
    Question,
    Quiz,
    QuizOverride,
    Section,
    Trainee,
)

# GRACE is defined with the rule, on the model; imported here for the callers of
# this module that compare with it.
from quizzes.models.attempts import (
    GRACE,  # noqa: F401
    AttemptQuerySet,
)
from quizzes.quiz_settings import QuizSettings, quiz_settings_combine
from quizzes.scoring import answer_score
from quizzes.selectors import (
    accommodation_for,
    attempt_for_trainee,
    quiz_settings_for,
)
from quizzes.services.answer_save_sql import answer_update, fits_database_integer
from quizzes.services.question_versions import question_versions_current
from quizzes.services.reviews import ReviewOutcome, reviews_record
from quizzes.signals import grade_changed_on_commit
from quizzes.spaced import CONFIDENCES, answer_is_correct
from quizzes.splitting import subtree_end
from quizzes.versions import content_key

logger = logging.getLogger(__name__)


class AttemptError(Exception):
    """A refused request on an attempt; ``str()`` is the message for the trainee."""


class QuizUnavailable(AttemptError):
    """The quiz cannot be started now (closed, not open yet, no attempts left)."""


class AttemptClosed(AttemptError):
    """The attempt no longer takes answers: finished, or past its deadline."""


class AnswerLocked(AttemptError):
    """Tutor mode: the answer was confirmed and can no longer change."""


class InvalidAnswer(AttemptError):
    """The choices sent do not fit the question."""


class QuestionNotInAttempt(AttemptError):
    """The question is not part of this attempt."""


@dataclass(frozen=True)
class StartResult:
    attempt: Attempt
    created: bool


def attempt_start(*, trainee, quiz: Quiz, now: datetime, rng=None) -> StartResult:
    """Start an attempt, or return the trainee's attempt already in progress.

    Freezes the question selection, the order of questions and choices, and the
    deadline (time limit × accommodation, never past the close). The trainee's
    overrides apply (``selectors.quiz_settings_for``). Raises ``QuizUnavailable``
    when the quiz is not open or no attempts are left.

    A trainee with a prepared attempt (``attempts_prepare``) starts that one: its
    questions were drawn ahead, so starting is one conditional UPDATE.
    """
    prepared = None
    for attempt in Attempt.objects.filter(
        trainee=trainee,
        quiz=quiz,
        state__in=[AttemptState.IN_PROGRESS, AttemptState.PREPARED],
    ):
        if attempt.state == AttemptState.PREPARED:
            prepared = attempt
        elif _is_past_deadline(attempt, now):
            attempt_finish(attempt=attempt, now=now)
        else:
            return StartResult(attempt, False)
    settings = quiz_settings_for(trainee=trainee, quiz=quiz)
    if prepared is not None:
        prepared.trainee, prepared.quiz = trainee, quiz
        return _prepared_start(prepared, settings=settings, now=now)
    used = Attempt.objects.filter(trainee=trainee, quiz=quiz).started().count()
    refusal = attempt_start_refusal(settings=settings, attempts_used=used, now=now)
    if refusal:
        raise QuizUnavailable(refusal)
    rng = rng or random.SystemRandom()
    question_ids = quiz_questions_pick(quiz=quiz, rng=rng)
    if not question_ids:
        raise QuizUnavailable("This quiz has no published questions yet.")
    choices = list(
        Choice.objects.filter(question_id__in=question_ids).select_related("question")
    )
    question_ids, choice_orders = _attempt_layout(
        quiz, question_ids, _choices_by_question(choices), rng=rng
    )
    # Each answer is pinned to the version its question has now (one query, plus
    # an insert and a read-back on the first start after an edit).
    versions = question_versions_current(
        question_ids=question_ids, now=now, choices=choices
    )

    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                trainee=trainee,
                quiz=quiz,
                number=used + 1,
                started_at=now,
                deadline=attempt_deadline(
                    trainee=trainee, quiz=quiz, started_at=now, settings=settings
                ),
            )
            Answer.objects.bulk_create(
                _answers_of(attempt, question_ids, choice_orders, versions)
            )
    except IntegrityError:
        return _start_lost_race(trainee=trainee, quiz=quiz)
    logger.info("attempt %s started by %s on %s", attempt.pk, trainee.pk, quiz.slug)
    return StartResult(attempt, True)


def _prepared_start(
    attempt: Attempt, *, settings: QuizSettings, now: datetime
) -> StartResult:
    """Start a prepared attempt: one UPDATE sets its state, start and deadline.

    The attempt limit was checked when it was prepared, and the trainee could start
    nothing else since (a start takes the prepared attempt), so its number says how
    many were used before it. The WHERE on ``state`` makes the UPDATE the claim: of
    two concurrent starts, only one changes the row; the other returns the attempt
    the first one started.
    """
    refusal = attempt_start_refusal(
        settings=settings, attempts_used=attempt.number - 1, now=now
    )
    if refusal:
        raise QuizUnavailable(refusal)
    deadline = attempt_deadline(
        trainee=attempt.trainee, quiz=attempt.quiz, started_at=now, settings=settings
    )
    try:
        claimed = Attempt.objects.filter(
            pk=attempt.pk, state=AttemptState.PREPARED
        ).update(state=AttemptState.IN_PROGRESS, started_at=now, deadline=deadline)
    except IntegrityError:
        claimed = 0
    if not claimed:
        return _start_lost_race(trainee=attempt.trainee, quiz=attempt.quiz)
    attempt.state = AttemptState.IN_PROGRESS
    attempt.started_at = now
    attempt.deadline = deadline
    logger.info("prepared attempt %s started by %s", attempt.pk, attempt.trainee_id)
    return StartResult(attempt, True)


def _start_lost_race(*, trainee, quiz: Quiz) -> StartResult:
    """A concurrent start won the race: hand back its attempt."""
    attempt = Attempt.objects.filter(
        trainee=trainee, quiz=quiz, state=AttemptState.IN_PROGRESS
    ).first()
    if attempt is None:
        raise QuizUnavailable("Another attempt was just started; reload the page.")
    return StartResult(attempt, False)


def _choices_by_question(choices: list[Choice]) -> dict[int, list[int]]:
    """Each question's choice ids in their authored order."""
    by_question: dict[int, list[int]] = {}
    for choice in sorted(choices, key=lambda c: (c.question_id, c.order, c.pk)):
        by_question.setdefault(choice.question_id, []).append(choice.pk)
    return by_question


def _attempt_layout(
    quiz: Quiz, question_ids: list[int], choices: dict[int, list[int]], *, rng
) -> tuple[list[int], dict[int, list[int]]]:
    """The order of an attempt's questions and of each question's choices, shuffled
    as the quiz says (no query: a start and a prepare share it)."""
    question_ids = list(question_ids)
    if quiz.shuffle_questions:
        rng.shuffle(question_ids)
    orders = {q: list(choices.get(q, [])) for q in question_ids}
    if quiz.shuffle_choices:
        for ids in orders.values():
            rng.shuffle(ids)
    return question_ids, orders


def _answers_of(
    attempt: Attempt,
    question_ids: list[int],
    choice_orders: dict[int, list[int]],
    versions: dict,
) -> list[Answer]:
    """The attempt's answer rows, unsaved: one per question, in its position."""
    return [
        Answer(
            attempt=attempt,
            question_id=question_id,
            question_version=versions.get(question_id),
            position=position,
            choice_order=choice_orders[question_id],
        )
        for position, question_id in enumerate(question_ids, start=1)
    ]


# Trainees handled per transaction by ``attempts_prepare``: a few statements per
# batch, whatever the roster's size, and a crash loses at most one batch.
PREPARE_BATCH = 500


@dataclass(frozen=True)
class PrepareReport:
    """What ``attempts_prepare`` did (or, dry, would do) for a roster.

    ``created``: attempts prepared now; ``already_prepared``: trainees who had one;
    ``already_started``: trainees with an attempt in progress; ``no_attempts_left``:
    trainees who used every attempt allowed. ``trainee_ids``: who got one.
    """

    created: int = 0
    already_prepared: int = 0
    already_started: int = 0
    no_attempts_left: int = 0
    trainee_ids: tuple[int, ...] = field(default=(), repr=False, compare=False)

    @property
    def total(self) -> int:
        return (
            self.created
            + self.already_prepared
            + self.already_started
            + self.no_attempts_left
        )

    def __add__(self, other: PrepareReport) -> PrepareReport:
        return PrepareReport(
            created=self.created + other.created,
            already_prepared=self.already_prepared + other.already_prepared,
            already_started=self.already_started + other.already_started,
            no_attempts_left=self.no_attempts_left + other.no_attempts_left,
            trainee_ids=self.trainee_ids + other.trainee_ids,
        )


def quiz_roster(*, quiz: Quiz, group=None):
    """The trainees expected to sit ``quiz``: the active members of ``group``, or,
    without one, every active trainee (an instructor's quiz is visible to all)."""
    trainees = Trainee.objects.filter(is_active=True)
    if group is not None:
        trainees = trainees.filter(groups=group)
    return trainees.order_by("pk")


def attempts_prepare(
    *,
    quiz: Quiz,
    trainees: Iterable,
    now: datetime,
    rng=None,
    dry_run: bool = False,
    progress: Callable[[PrepareReport], None] | None = None,
) -> PrepareReport:
    """Create, ahead of a scheduled exam, each trainee's attempt, not yet started.

    Each gets its own draw of questions and order of questions and choices (the
    same code as ``attempt_start``), its answers pinned to the questions' versions
    as of ``now``, and no clock: ``started_at`` and ``deadline`` stay blank until
    ``attempt_start`` takes it, in one UPDATE, at the opening. Until then it counts
    nowhere (``AttemptQuerySet.started``).

    Idempotent: a trainee who already has a prepared attempt, or one in progress, is
    counted and left alone; so is one who used every attempt allowed (their
    overrides apply). In bulk: per batch of ``PREPARE_BATCH`` trainees, a read of
    their attempts and groups, then two bulk inserts, in one transaction; a batch
    that meets a concurrent start or prepare is read again and redone once.
    ``dry_run`` counts without writing; ``progress`` gets the running total after
    each batch. Raises ``QuizUnavailable`` for a personal test or a quiz without
    published questions.
    """
    if quiz.owner_id is not None:
        raise QuizUnavailable("A personal test is started by its owner only.")
    rng = rng or random.SystemRandom()
    pool = quiz_question_pool(quiz=quiz)
    pool_ids = sorted(pool.question_ids)
    if not pool_ids:
        raise QuizUnavailable("This quiz has no published questions yet.")
    choices = list(
        Choice.objects.filter(question_id__in=pool_ids).select_related("question")
    )
    ordered = _choices_by_question(choices)
    versions = question_versions_current(
        question_ids=pool_ids, now=now, choices=choices, create=not dry_run
    )
    overrides = list(QuizOverride.objects.filter(quiz=quiz))
    if isinstance(trainees, QuerySet):
        ids = list(trainees.values_list("pk", flat=True))
    else:
        ids = [t if isinstance(t, int) else t.pk for t in trainees]
    report = PrepareReport()
    for start in range(0, len(ids), PREPARE_BATCH):
        batch = ids[start : start + PREPARE_BATCH]

        def run(batch=batch):
            return _prepare_batch(
                quiz=quiz,
                trainee_ids=batch,
                pool=pool,
                choices=ordered,
                versions=versions,
                overrides=overrides,
                rng=rng,
                dry_run=dry_run,
            )

        try:
            done = run()
        except IntegrityError:
            done = run()
        report += done
        if progress is not None:
            progress(report)
    if not dry_run:
        logger.info(
            "prepared %s attempt(s) on %s (%s already prepared, %s started)",
            report.created,
            quiz.slug,
            report.already_prepared,
            report.already_started,
        )
    return report


def _prepare_batch(
    *,
    quiz: Quiz,
    trainee_ids: list[int],
    pool: QuestionPool,
    choices: dict[int, list[int]],
    versions: dict,
    overrides: list,
    rng,
    dry_run: bool,
) -> PrepareReport:
    """``attempts_prepare`` for one batch of trainees, in one transaction."""
    with transaction.atomic():
        states: dict[int, list[str]] = {}
        for trainee_id, state in Attempt.objects.filter(
            quiz=quiz, trainee_id__in=trainee_ids
        ).values_list("trainee_id", "state"):
            states.setdefault(trainee_id, []).append(state)
        groups: dict[int, set[int]] = {}
        memberships = get_user_model().groups.through.objects.filter(
            user_id__in=trainee_ids
        )
        for user_id, group_id in memberships.values_list("user_id", "group_id"):
            groups.setdefault(user_id, set()).add(group_id)
        counts = {"already_prepared": 0, "already_started": 0, "no_attempts_left": 0}
        planned: list[tuple[Attempt, list[int], dict[int, list[int]]]] = []
        for trainee_id in trainee_ids:
            held = states.get(trainee_id, [])
            if AttemptState.PREPARED in held:
                counts["already_prepared"] += 1
                continue
            if AttemptState.IN_PROGRESS in held:
                counts["already_started"] += 1
                continue
            mine = groups.get(trainee_id, set())
            settings = quiz_settings_combine(
                quiz=quiz,
                overrides=[
                    o
                    for o in overrides
                    if o.trainee_id == trainee_id or o.group_id in mine
                ],
                trainee_id=trainee_id,
            )
            if settings.attempts_left(len(held)) == 0:
                counts["no_attempts_left"] += 1
                continue
            question_ids, orders = _attempt_layout(
                quiz, questions_draw(pool=pool, rng=rng), choices, rng=rng
            )
            attempt = Attempt(
                trainee_id=trainee_id,
                quiz=quiz,
                number=len(held) + 1,
                state=AttemptState.PREPARED,
            )
            planned.append((attempt, question_ids, orders))
        if not dry_run and planned:
            Attempt.objects.bulk_create([a for a, _, _ in planned])
            _answers_insert(planned, versions)
    return PrepareReport(
        created=len(planned),
        trainee_ids=tuple(a.trainee_id for a, _, _ in planned),
        **counts,
    )


def _answers_insert(
    planned: Iterable[tuple[Attempt, list[int], dict[int, list[int]]]],
    versions: dict,
) -> None:
    """Insert the answers of saved attempts, each ``(attempt, question ids, choice
    orders)``, with one statement compiled once and run once per row.

    What ``_answers_of`` builds, without the model instances: ``bulk_create``
    builds one per row and compiles every value through the ORM, and for a cohort
    (500 trainees × 40 questions, 20,000 rows) that, not the database, took most of
    the time. Nullable columns are left out and start blank.
    """
    field = Answer._meta.get_field
    columns = [
        "attempt_id",
        "question_id",
        "question_version_id",
        "position",
        "choice_order",
        "choice_ids",
        "flagged",
        "seq",
        "struck",
    ]
    # The connection itself, not the ``django.db.connection`` proxy: it is passed
    # once per row below.
    db = connections[Answer.objects.db]
    quote = db.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(Answer._meta.db_table),
        ", ".join(quote(field(c).column) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    # JSON as the backend takes it (a string on SQLite, an adapter on PostgreSQL).
    json_field = field("choice_order")
    empty = json_field.get_db_prep_save([], db)
    rows = [
        (
            attempt.pk,
            question_id,
            getattr(versions.get(question_id), "pk", None),
            position,
            json_field.get_db_prep_save(orders[question_id], db),
            empty,
            False,
            0,
            empty,
        )
        for attempt, question_ids, orders in planned
        for position, question_id in enumerate(question_ids, start=1)
    ]
    with db.cursor() as cursor:
        cursor.executemany(sql, rows)


def attempt_start_refusal(
    *, settings: QuizSettings, attempts_used: int, now: datetime
) -> str | None:
    """Why a new attempt cannot be started now, or None when it can.

    The one statement of the rule: ``attempt_start`` raises it, and the quiz's page
    shows it before the trainee presses Start. ``settings`` are the trainee's
    (``selectors.quiz_settings_for``: the quiz's own, changed by overrides).
    """
    if settings.opens_at and now < settings.opens_at:
        return f"This quiz opens at {settings.opens_at:%Y-%m-%d %H:%M} UTC."
    if not settings.is_open(now):
        return "This quiz is closed."
    allowed = settings.attempts_allowed
    if allowed is not None and attempts_used >= allowed:
        return f"You have used all {allowed} attempt(s) on this quiz."
    return None


def attempt_deadline(
    *,
    trainee,
    quiz: Quiz,
    started_at: datetime,
    settings: QuizSettings | None = None,
) -> datetime | None:
    """``started_at + time limit × accommodation``, but never past the close.

    The time limit and the close are the trainee's effective ones (overrides
    applied, read here unless ``settings`` are given); the accommodation then
    stretches that limit.
    """
    if settings is None:
        settings = quiz_settings_for(trainee=trainee, quiz=quiz)
    deadline = None
    if settings.time_limit:
        limit = settings.time_limit
        accommodation = accommodation_for(trainee=trainee, quiz=quiz)
        if accommodation:
            limit = accommodation.apply(limit)
        deadline = started_at + limit
    if settings.closes_at and (deadline is None or settings.closes_at < deadline):
        deadline = settings.closes_at
    return deadline


@dataclass(frozen=True)
class QuestionPool:
    """What a quiz's attempts are drawn from: the fixed questions, then each draw's
    count and candidates (published questions of its section and subsections)."""

    fixed: list[int]
    draws: list[tuple[int, list[int]]]

    @property
    def question_ids(self) -> set[int]:
        """Every question an attempt may hold."""
        return set(self.fixed).union(*(pool for _, pool in self.draws))


def quiz_questions_pick(*, quiz: Quiz, rng) -> list[int]:
    """The question ids of a new attempt: the fixed ones, then each section's draw.

    Draws take published questions from the section and its subsections, never one
    already fixed. A section with fewer published questions than asked gives them all.
    """
    return questions_draw(pool=quiz_question_pool(quiz=quiz), rng=rng)


def quiz_question_pool(*, quiz: Quiz) -> QuestionPool:
    """The quiz's ``QuestionPool``, in a constant number of queries."""
    picked = list(
        quiz.fixed.order_by("order", "id").values_list("question_id", flat=True)
    )
    draws = list(quiz.draws.select_related("section"))
    if not draws:
        return QuestionPool(fixed=picked, draws=[])
    documents = {draw.section.document_id for draw in draws}
    sections = list(
        Section.objects.filter(document_id__in=documents).order_by(
            "document_id", "order"
        )
    )
    index_of = {section.pk: i for i, section in enumerate(sections)}
    pool_sections = {
        draw.pk: [
            s.pk
            for s in sections[
                index_of[draw.section_id] : subtree_end(
                    sections, index_of[draw.section_id]
                )
            ]
        ]
        for draw in draws
    }
    published = Question.objects.filter(
        status=QuestionStatus.PUBLISHED,
        section_id__in=[pk for pks in pool_sections.values() for pk in pks],
    ).values_list("pk", "section_id")
    by_section: dict[int, list[int]] = {}
    for question_id, section_id in published.order_by("pk"):
        by_section.setdefault(section_id, []).append(question_id)
    return QuestionPool(
        fixed=picked,
        draws=[
            (
                draw.count,
                [
                    q
                    for section_id in pool_sections[draw.pk]
                    for q in by_section.get(section_id, [])
                ],
            )
            for draw in draws
        ],
    )


def questions_draw(*, pool: QuestionPool, rng) -> list[int]:
    """One attempt's questions from ``pool`` (no query): the fixed ones, then each
    draw's sample, never a question already taken."""
    picked = list(pool.fixed)
    taken = set(picked)
    for count, candidates in pool.draws:
        available = [q for q in candidates if q not in taken]
        chosen = rng.sample(available, min(count, len(available)))
        picked += chosen
        taken.update(chosen)
    return picked


@dataclass(frozen=True)
class AnswerSaved:
    """What a save did: ``applied`` is False for an older change replayed late
    (``answer`` is then the stored, newer one, with its ``seq``)."""

    answer: Answer
    applied: bool
    # Whole seconds until the attempt's deadline, as ``Attempt.seconds_left``.
    seconds_left: int | None = None


def answer_save(
    *,
    attempt: Attempt | None = None,
    trainee=None,
    attempt_id: int | None = None,
    question_id: int,
    choice_ids: list[int],
    flagged: bool | None,
    now: datetime,
    seq: int | None = None,
    struck: list[int] | None = None,
    quiz_check: Callable[[Quiz], None] | None = None,
) -> AnswerSaved:
    """Autosave one answer (and its flag) while the attempt is open.

    The attempt is ``attempt``, or the ``trainee``'s attempt ``attempt_id`` (the
    API's way: no read of the attempt when the save succeeds; another trainee's id
    is a 404, ``selectors.attempt_for_trainee``).

    The success path is one conditional UPDATE (``answer_save_sql``) that holds
    every rule below; only when it changes nothing does the slow path read the
    answer under the attempt's row lock to find out why.

    ``seq`` is the page's number for this change of this question (it numbers each
    change above the last one it knows of). A change numbered at or below the one
    stored is ignored, not an error: the page may replay its queue after an outage,
    or another tab may have saved a newer change first, and an older replay must
    never overwrite a newer answer. Without ``seq`` (the no-JS form, old clients)
    the save applies and leaves the stored number as it is.

    ``quiz_check`` is the caller's check of its request against the attempt's
    quiz (the API's Safe Exam Browser check), which raises to refuse. Given it,
    the one-statement path only saves in a quiz that does not require SEB (a
    quiz without SEB costs no read); for one that does, the attempt and its quiz
    are read and checked before the slow path saves.

    ``struck`` replaces the options struck out (``None`` leaves them as they are);
    a study aid only, never scored, and independent of the choice (a struck option
    may still be chosen).

    Refused with ``AttemptClosed`` after the deadline plus ``GRACE`` (the attempt is
    then finished with what was saved, and the refused change is kept as a
    ``LateAnswer`` for the result page), ``AnswerLocked`` for a confirmed tutor-mode
    answer, ``InvalidAnswer`` for choices that do not fit, and
    ``QuestionNotInAttempt`` for a question the attempt does not hold.
    """
    if attempt is not None:
        attempt_id, trainee_id = attempt.pk, attempt.trainee_id
        if quiz_check is not None:
            quiz_check(attempt.quiz)
    else:
        trainee_id = trainee.pk
    updated = answer_update(
        attempt_id=attempt_id,
        trainee_id=trainee_id,
        question_id=question_id,
        choice_ids=choice_ids,
        struck=struck,
        flagged=flagged,
        seq=seq,
        now=now,
        seb_free=attempt is None and quiz_check is not None,
    )
    if updated is not None:
        answer, deadline = updated
        left = Attempt(deadline=deadline).seconds_left(now)
        return AnswerSaved(answer=answer, applied=True, seconds_left=left)
    if attempt is None:
        attempt = attempt_for_trainee(trainee=trainee, attempt_id=attempt_id)
        if quiz_check is not None:
            quiz_check(attempt.quiz)
    return _answer_save_checked(
        attempt=attempt,
        question_id=question_id,
        choice_ids=choice_ids,
        flagged=flagged,
        now=now,
        seq=seq,
        struck=struck,
    )


def _answer_save_checked(
    *,
    attempt: Attempt,
    question_id: int,
    choice_ids: list[int],
    flagged: bool | None,
    now: datetime,
    seq: int | None,
    struck: list[int] | None,
) -> AnswerSaved:
    """``answer_save``'s slow path: each rule checked in turn under the attempt's
    row lock, to refuse with the right error (or to save, if a concurrent change
    made the one statement miss a row that is now fine)."""
    with transaction.atomic():
        # One statement reads the answer and locks its attempt's row (the hot path:
        # every autosave of a cohort goes through here).
        answer = (
            Answer.objects.select_for_update(of=("attempt",))
            .select_related("attempt__quiz", "question", "question_version")
            .filter(attempt_id=attempt.pk, question_id=question_id)
            .first()
            if fits_database_integer(question_id)
            else None
        )
        if answer is None:
            locked = _lock_open_attempt(attempt, now)
            if not isinstance(locked, AttemptError):
                raise QuestionNotInAttempt(
                    f"Question {question_id} is not part of this attempt."
                )
            error = locked
        elif error := _closed_error(answer.attempt, now):
            _late_answer_record(
                answer=answer, choice_ids=choice_ids, flagged=flagged, seq=seq, now=now
            )
        else:
            if answer.locked_at:
                raise AnswerLocked(
                    "This answer was confirmed and can no longer change."
                )
            choice_ids = answer_choices_check(answer=answer, choice_ids=choice_ids)
            if struck is not None:
                struck = answer_struck_check(answer=answer, struck=struck)
            left = answer.attempt.seconds_left(now)
            if seq is not None and seq <= answer.seq:
                return AnswerSaved(answer=answer, applied=False, seconds_left=left)
            answer.choice_ids = choice_ids
            if flagged is not None:
                answer.flagged = flagged
            answer.saved_at = now
            fields = ["choice_ids", "flagged", "saved_at"]
            if struck is not None:
                answer.struck = struck
                fields.append("struck")
            if seq is not None:
                answer.seq = seq
                fields.append("seq")
            answer.save(update_fields=fields)
            return AnswerSaved(answer=answer, applied=True, seconds_left=left)
    raise error


def _late_answer_record(
    *,
    answer: Answer,
    choice_ids: list[int],
    flagged: bool | None,
    seq: int | None,
    now: datetime,
) -> None:
    """Keep a change refused because the time was up (not one refused as finished
    before the deadline: that is a closed attempt, not a late change).

    A replay of a change already stored (``seq`` not above the answer's) is not
    late news; a replay of a late change is stored once (``ignore_conflicts`` on the
    unique attempt, question and seq). Unknown choice ids are left out.
    """
    attempt = answer.attempt
    if not attempt.is_past_deadline(now):
        return
    if seq is not None and seq <= answer.seq:
        return
    chosen = set(choice_ids)
    LateAnswer.objects.bulk_create(
        [
            LateAnswer(
                attempt_id=attempt.pk,
                question_id=answer.question_id,
                choice_ids=[c for c in answer.choice_order if c in chosen],
                flagged=flagged,
                seq=seq,
                received_at=now,
            )
        ],
        ignore_conflicts=True,
    )


def answer_flag(
    *, attempt: Attempt, question_id: int, flagged: bool, now: datetime
) -> Answer:
    """Mark or unmark a question for review, leaving its choices as they are."""
    with transaction.atomic():
        locked = _lock_open_attempt(attempt, now)
        if not isinstance(locked, AttemptError):
            answer = _answer_of(locked, question_id)
            answer.flagged = flagged
            answer.save(update_fields=["flagged"])
            return answer
    raise locked


def answer_confirm(
    *,
    attempt: Attempt,
    question_id: int,
    now: datetime,
    confidence: str | None = None,
) -> Answer:
    """Tutor mode: lock a saved answer, after which its key may be shown.

    The first confirmation is also the answer's spaced review, at ``now``, rated
    with the optional ``confidence`` ("unsure" or "sure": ``spaced.rating_for``);
    confirming again changes nothing, and the attempt's finish does not review the
    answer a second time.
    """
    if confidence is not None and confidence not in CONFIDENCES:
        raise InvalidAnswer(
            f"confidence must be one of {', '.join(CONFIDENCES)}, or left out."
        )
    with transaction.atomic():
        locked = _lock_open_attempt(attempt, now)
        if not isinstance(locked, AttemptError):
            if locked.quiz.mode != QuizMode.TUTOR:
                raise AttemptError("Answers are confirmed only in tutor mode.")
            answer = _answer_of(locked, question_id, with_key=True)
            if not answer.choice_ids:
                raise InvalidAnswer("Choose an answer before confirming it.")
            if answer.locked_at is None:
                answer.locked_at = now
                answer.save(update_fields=["locked_at"])
                score = answer_score(
                    kind=answer.kind,
                    correct_ids=answers_keys(answers=[answer]).get(question_id, set()),
                    chosen_ids=answer.choice_ids,
                )
                outcome = ReviewOutcome(
                    question_id, answer_is_correct(score), confidence
                )
                reviews_record(
                    trainee_id=locked.trainee_id, outcomes=[outcome], now=now
                )
            return answer
    raise locked


def answer_choices_check(*, answer: Answer, choice_ids: list[int]) -> list[int]:
    """The chosen ids, de-duplicated in display order, or ``InvalidAnswer``."""
    valid = answer.choice_order
    unknown = [c for c in choice_ids if c not in valid]
    if unknown:
        raise InvalidAnswer(
            f"Choice {unknown[0]} is not an option of question {answer.question_id}."
        )
    chosen = [c for c in valid if c in set(choice_ids)]
    if answer.kind != QuestionKind.MULTIPLE and len(chosen) > 1:
        raise InvalidAnswer(
            f"Question {answer.question_id} takes one answer; {len(chosen)} were sent."
        )
    return chosen


def answer_struck_check(*, answer: Answer, struck: list[int]) -> list[int]:
    """The struck-out ids, de-duplicated in display order, or ``InvalidAnswer``."""
    unknown = [c for c in struck if c not in answer.choice_order]
    if unknown:
        raise InvalidAnswer(
            f"struck: choice {unknown[0]} is not an option of question "
            f"{answer.question_id}."
        )
    return [c for c in answer.choice_order if c in set(struck)]


def attempt_finish(*, attempt: Attempt, now: datetime) -> Attempt:
    """Finish and score an attempt; calling it again returns the same result.

    Past the deadline plus ``GRACE`` the attempt is ``expired`` and finished at its
    deadline, scored with what was saved. Each answer's score is stored, so a later
    edit of a question never changes a finished attempt.
    """
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.state != AttemptState.IN_PROGRESS:
            return attempt
        if _is_past_deadline(attempt, now):
            attempt.state = AttemptState.EXPIRED
            attempt.finished_at = attempt.deadline
        else:
            attempt.state = AttemptState.FINISHED
            attempt.finished_at = (
                min(now, attempt.deadline) if attempt.deadline else now
            )
        answers = list(attempt.answers.select_related("question", "question_version"))
        # Scored with the key of the version each answer is pinned to, even if it
        # was corrected since the attempt started (a regrade applies the fix).
        correct = answers_keys(answers=answers)
        for answer in answers:
            answer.score = answer_score(
                kind=answer.kind,
                correct_ids=correct.get(answer.question_id, set()),
                chosen_ids=answer.choice_ids,
            )
        Answer.objects.bulk_update(answers, ["score"])
        attempt.score = sum((a.score for a in answers), start=Decimal(0))
        attempt.max_score = len(answers)
        attempt.save(update_fields=["state", "finished_at", "score", "max_score"])
        # Each answered question is a spaced review, when the answer became final
        # (the deadline for an attempt the clock closed). Omitted questions are not
        # reviews, and a tutor-mode answer was reviewed when it was confirmed.
        reviews_record(
            trainee_id=attempt.trainee_id,
            outcomes=[
                ReviewOutcome(a.question_id, answer_is_correct(a.score))
                for a in answers
                if a.choice_ids and a.locked_at is None
            ],
            now=attempt.finished_at,
        )
        # After the commit: a receiver (the LMS gradebook) reads the stored score.
        grade_changed_on_commit(
            pairs=[(attempt.trainee_id, attempt.quiz_id)], reason="finished"
        )
    logger.info(
        "attempt %s %s: %s/%s",
        attempt.pk,
        attempt.state,
        attempt.score,
        attempt.max_score,
    )
    return attempt


def answers_keys(*, answers: list[Answer]) -> dict[int, set[int]]:
    """The key of each answer's pinned version, by question id.

    No query when every answer is pinned (``select_related("question_version")``);
    answers older than versions read the live key, in one query.
    """
    correct: dict[int, set[int]] = {
        a.question_id: content_key(a.question_version.content)
        for a in answers
        if a.question_version_id
    }
    unpinned = [a.question_id for a in answers if not a.question_version_id]
    if unpinned:
        for question_id, choice_id in Choice.objects.filter(
            question_id__in=unpinned, is_correct=True
        ).values_list("question_id", "pk"):
            correct.setdefault(question_id, set()).add(choice_id)
    return correct


def attempt_expire_if_due(*, attempt: Attempt, now: datetime) -> Attempt:
    """Finish an in-progress attempt whose time ran out; otherwise return it as is."""
    if attempt.state == AttemptState.IN_PROGRESS and _is_past_deadline(attempt, now):
        return attempt_finish(attempt=attempt, now=now)
    return attempt


def attempts_close_expired(
    *, now: datetime, attempts: AttemptQuerySet | None = None
) -> int:
    """Finish every in-progress attempt of ``attempts`` (default: all of them) past
    its deadline plus ``GRACE``, scored with what was saved; returns how many.

    The scheduler (``close_expired_attempts --every 60``) calls it unscoped; every
    page or export that shows states, scores or grades calls it first, scoped to the
    attempts it shows ("close on read"), so that an attempt whose time ran out is
    expired and scored there even before the scheduler's next run. When nothing is
    due that costs one indexed query.

    Safe from several processes at once (two servers' schedulers, a page): each
    attempt is claimed under its row lock, so it is scored once and counted by the
    one caller that closed it.
    """
    scope = attempts if attempts is not None else Attempt.objects.all()
    # The ids first, then one transaction per attempt: a long-held read cursor
    # would keep SQLite's writers waiting, and a crash mid-way loses nothing.
    due = list(scope.overdue(now).order_by().values_list("pk", flat=True))
    return sum(attempt_close_if_due(attempt_id=pk, now=now) for pk in due)


def attempt_close_if_due(*, attempt_id: int, now: datetime) -> bool:
    """Close one attempt if, under its row lock, it is still in progress and past
    its deadline plus ``GRACE``; True when this call closed it.

    Between finding an attempt due and closing it, another closer may have finished
    it (it is then left alone, not scored twice), or an instructor may have
    extended its deadline (it then keeps its new time, not finished early).
    """
    with transaction.atomic():
        claimed = (
            Attempt.objects.select_for_update()
            .overdue(now)
            .filter(pk=attempt_id)
            .values_list("pk", flat=True)
            .first()
        )
        if claimed is None:
            return False
        attempt_finish(attempt=Attempt(pk=attempt_id), now=now)
    return True


def _is_past_deadline(attempt: Attempt, now: datetime) -> bool:
    return attempt.is_past_deadline(now)


def _lock_open_attempt(attempt: Attempt, now: datetime) -> Attempt | AttemptError:
    """Lock the attempt row; a closed attempt comes back as the error to raise.

    The error is returned, not raised, so that an expiry done here commits before
    the caller raises it outside the transaction.
    """
    # of=("self",): lock the attempt row only. Without it PostgreSQL also locks the
    # joined quiz row, the same row for a whole cohort, and every save of the exam
    # would wait for every other one.
    locked = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("quiz")
        .get(pk=attempt.pk)
    )
    return _closed_error(locked, now) or locked


def _closed_error(attempt: Attempt, now: datetime) -> AttemptClosed | None:
    """The error for a locked attempt that takes no more answers, else None.

    Past its deadline the attempt is finished here, scored with what was saved.
    """
    if attempt.state != AttemptState.IN_PROGRESS:
        return AttemptClosed("This attempt is finished; answers can no longer change.")
    if _is_past_deadline(attempt, now):
        attempt_finish(attempt=attempt, now=now)
        return AttemptClosed(
            "Time is up: the deadline has passed, so this answer was not saved. "
            "The attempt was scored with the answers saved before the deadline."
        )
    return None


def _answer_of(attempt: Attempt, question_id: int, *, with_key: bool = False) -> Answer:
    """The attempt's answer to the question; ``with_key`` also reads its pinned
    version, whose key scores it (``answers_keys``), in the same query."""
    fields = [
        "id",
        "attempt_id",
        "question_id",
        "choice_order",
        "choice_ids",
        "flagged",
        "locked_at",
        # Read by the confirm's feedback; deferred, it would cost a query of its own.
        "score",
        "question__kind",
    ]
    answers = attempt.answers.select_related("question")
    if with_key:
        answers = answers.select_related("question_version")
        fields += ["question_version"]
    try:
        if not fits_database_integer(question_id):
            raise Answer.DoesNotExist
        return answers.only(*fields).get(question_id=question_id)
    except Answer.DoesNotExist:
        raise QuestionNotInAttempt(
            f"Question {question_id} is not part of this attempt."
        ) from None
