"""Reads scoped to a trainee: what they may see, and nothing of anyone else's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    DateField,
    F,
    Func,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate
from django.shortcuts import get_object_or_404
from django.utils import timezone

from quizzes.choices import (
    AttemptState,
    QuestionStatus,
    QuizMode,
    ReviewFrom,
    ReviewShows,
)
from quizzes.models import (
    Accommodation,
    Answer,
    Attempt,
    AttemptRegrade,
    Choice,
    LateAnswer,
    ProblemReport,
    Quiz,
    QuizDraw,
    QuizOverride,
    QuizQuestion,
    ReviewCard,
    Section,
)
from quizzes.quiz_settings import QuizSettings, quiz_settings_combine
from quizzes.scoring import quiz_grade

FINISHED_STATES = [AttemptState.FINISHED, AttemptState.EXPIRED]


def quizzes_visible_to(*, trainee):
    """The quizzes a trainee may open: every instructor's quiz, and their own
    personal tests. Another trainee's personal test is not found (404), whoever
    asks, staff included."""
    return Quiz.objects.filter(Q(owner__isnull=True) | Q(owner=trainee.pk))


def assigned_quizzes():
    """Instructors' quizzes: what the home page lists (personal tests apart)."""
    return Quiz.objects.filter(owner__isnull=True)


MY_TESTS_SHOWN = 20


def personal_tests_for(*, trainee, limit: int = MY_TESTS_SHOWN) -> list[Attempt]:
    """The trainee's latest ``limit`` personal tests, newest first, as their one
    attempt each (quiz joined, ``question_count`` annotated): one query."""
    return list(
        Attempt.objects.filter(trainee=trainee, quiz__owner=trainee)
        .select_related("quiz")
        .annotate(question_count=Count("answers"))
        .order_by("-started_at", "-pk")[:limit]
    )


def attempt_for_trainee(*, trainee, attempt_id: int) -> Attempt:
    """The trainee's own attempt, or 404: another trainee's id is simply not found."""
    return get_object_or_404(
        # A prepared attempt is not the trainee's until started: not found.
        Attempt.objects.filter(trainee=trainee).started().select_related("quiz"),
        pk=attempt_id,
    )


def accommodation_for(*, trainee, quiz: Quiz) -> Accommodation | None:
    """The trainee's extra time on ``quiz``: the quiz's own arrangement, else the
    general one, else None."""
    return (
        Accommodation.objects.filter(trainee=trainee, quiz=quiz).first()
        or Accommodation.objects.filter(trainee=trainee, quiz__isnull=True).first()
    )


def quiz_overrides_for(*, trainee_id: int, quiz_ids) -> dict[int, list[QuizOverride]]:
    """The overrides that may apply to the trainee on each quiz (their own and their
    groups'), by quiz id, in one query whatever the number of quizzes."""
    groups = (
        get_user_model()
        .groups.through.objects.filter(user_id=trainee_id)
        .values("group_id")
    )
    found: dict[int, list[QuizOverride]] = {}
    for override in QuizOverride.objects.filter(quiz_id__in=quiz_ids).filter(
        Q(trainee_id=trainee_id) | Q(group_id__in=groups)
    ):
        found.setdefault(override.quiz_id, []).append(override)
    return found


def quiz_settings_for(*, trainee, quiz: Quiz) -> QuizSettings:
    """The trainee's effective opening, close, time limit and attempts on ``quiz``:
    the quiz's own settings changed by the overrides (``quizzes.quiz_settings`` says
    in which order). One query."""
    overrides = quiz_overrides_for(trainee_id=trainee.pk, quiz_ids=[quiz.pk])
    return quiz_settings_combine(
        quiz=quiz, overrides=overrides.get(quiz.pk, []), trainee_id=trainee.pk
    )


def quiz_settings_map(*, trainee, quizzes) -> dict[int, QuizSettings]:
    """``quiz_settings_for`` of each quiz, by quiz id, in one query."""
    quizzes = list(quizzes)
    if not quizzes:
        return {}
    overrides = quiz_overrides_for(
        trainee_id=trainee.pk, quiz_ids=[quiz.pk for quiz in quizzes]
    )
    return {
        quiz.pk: quiz_settings_combine(
            quiz=quiz, overrides=overrides.get(quiz.pk, []), trainee_id=trainee.pk
        )
        for quiz in quizzes
    }


def review_refusal(
    *, attempt: Attempt, now: datetime, settings: QuizSettings | None = None
) -> str | None:
    """Why the review of ``attempt`` is not shown, or None when it is allowed."""
    if review_allowed(attempt=attempt, now=now, settings=settings):
        return None
    quiz = attempt.quiz
    if attempt.is_in_progress:
        return "This attempt is still in progress: submit it first."
    if quiz.review_shows != ReviewShows.FULL:
        return "This quiz shows scores only: answers and explanations stay hidden."
    closes_at = _review_close(attempt, settings)
    if closes_at:
        closes = f"{closes_at:%d %B %Y at %H:%M} UTC"
        return f"Review opens after the quiz closes, {closes}."
    return "Review opens after the quiz closes."


def review_allowed(
    *, attempt: Attempt, now: datetime, settings: QuizSettings | None = None
) -> bool:
    """Whether the keys, rationales and explanations of a finished attempt may show.

    "After close" is the trainee's effective close (an override may move it): a
    trainee who may still start an attempt never sees a key of their own earlier
    one. ``settings``: the trainee's settings on the quiz when the caller has them
    (else they are read, in one query, only for an after-close quiz).
    """
    if attempt.state == AttemptState.IN_PROGRESS:
        return False
    quiz = attempt.quiz
    if quiz.review_shows != ReviewShows.FULL:
        return False
    if quiz.review_from == ReviewFrom.AFTER_CLOSE:
        closes_at = _review_close(attempt, settings)
        return closes_at is not None and now >= closes_at
    return True


def _review_close(attempt: Attempt, settings: QuizSettings | None) -> datetime | None:
    if settings is None:
        # Cached on the instance: a review asks once per answer shown.
        settings = attempt.__dict__.get("_quiz_settings")
        if settings is None:
            overrides = quiz_overrides_for(
                trainee_id=attempt.trainee_id, quiz_ids=[attempt.quiz_id]
            )
            settings = quiz_settings_combine(
                quiz=attempt.quiz,
                overrides=overrides.get(attempt.quiz_id, []),
                trainee_id=attempt.trainee_id,
            )
            attempt.__dict__["_quiz_settings"] = settings
    return settings.closes_at


def feedback_allowed(*, attempt: Attempt, answer: Answer, now: datetime) -> bool:
    """Whether one answer's key may show: after review opens, or once locked in tutor
    mode."""
    if review_allowed(attempt=attempt, now=now):
        return True
    return (
        attempt.state == AttemptState.IN_PROGRESS
        and attempt.quiz.mode == QuizMode.TUTOR
        and answer.locked_at is not None
    )


def quiz_question_count(quiz: Quiz) -> int:
    """How many questions an attempt at the quiz holds (draws as asked)."""
    return quiz.fixed.count() + (quiz.draws.aggregate(n=Sum("count"))["n"] or 0)


@dataclass(frozen=True)
class QuizStanding:
    """Where a trainee stands on one quiz."""

    quiz: Quiz
    settings: QuizSettings
    question_count: int
    attempts_used: int
    attempts_left: int | None
    grade: float | None
    passed: bool | None
    is_open: bool
    in_progress: Attempt | None


def quiz_standings(*, trainee, now: datetime, quizzes=None) -> list[QuizStanding]:
    """Each quiz with the trainee's settings (overrides applied), attempts, grade and
    pass/fail, in four queries."""
    # Subqueries, not joins: counting fixed rows and summing draws in one join
    # would multiply the sum by the number of fixed questions.
    fixed = (
        QuizQuestion.objects.filter(quiz=OuterRef("pk"))
        .values("quiz")
        .annotate(n=Count("pk"))
        .values("n")
    )
    drawn = (
        QuizDraw.objects.filter(quiz=OuterRef("pk"))
        .values("quiz")
        .annotate(n=Sum("count"))
        .values("n")
    )
    quizzes = list(
        (quizzes if quizzes is not None else Quiz.objects.all()).annotate(
            fixed_count=Coalesce(Subquery(fixed, output_field=IntegerField()), 0),
            drawn_count=Coalesce(Subquery(drawn, output_field=IntegerField()), 0),
        )
    )
    # Only the columns read, as instances without the rest: a long history (the
    # dashboard of a trainee with hundreds of attempts) reads them all.
    attempts_by_quiz: dict[int, list[Attempt]] = {}
    started = Attempt.objects.filter(trainee=trainee, quiz__in=quizzes).started()
    for attempt in started.only(
        "pk", "quiz_id", "number", "state", "score", "max_score"
    ).order_by("started_at"):
        attempts_by_quiz.setdefault(attempt.quiz_id, []).append(attempt)
    settings = quiz_settings_map(trainee=trainee, quizzes=quizzes)
    standings = []
    for quiz in quizzes:
        attempts = attempts_by_quiz.get(quiz.pk, [])
        effective = settings[quiz.pk]
        percents = [a.percent for a in attempts if a.state in FINISHED_STATES]
        grade = quiz_grade(percents=percents, method=quiz.grading_method)
        used = len(attempts)
        standings.append(
            QuizStanding(
                quiz=quiz,
                settings=effective,
                question_count=quiz.fixed_count + quiz.drawn_count,
                attempts_used=used,
                attempts_left=effective.attempts_left(used),
                grade=grade,
                passed=None if grade is None else grade >= quiz.pass_mark,
                is_open=effective.is_open(now),
                in_progress=next(
                    (a for a in attempts if a.state == AttemptState.IN_PROGRESS), None
                ),
            )
        )
    return standings


@dataclass(frozen=True)
class SectionResult:
    title: str
    score: float
    questions: int

    @property
    def percent(self) -> float:
        return round(self.score * 100 / self.questions, 1) if self.questions else 0.0


def regrade_notices(*, attempt_ids) -> dict[int, list[str]]:
    """The regrade notices of each attempt, newest first, by attempt id (one query).

    A notice names the regraded question by its position in that attempt.
    """
    position = Answer.objects.filter(
        attempt=OuterRef("attempt"), question=OuterRef("question")
    ).values("position")[:1]
    notices: dict[int, list[str]] = {}
    for regrade in AttemptRegrade.objects.filter(attempt_id__in=attempt_ids).annotate(
        position=Subquery(position)
    ):
        notices.setdefault(regrade.attempt_id, []).append(
            regrade.notice(position=regrade.position)
        )
    return notices


def attempt_section_results(
    *, attempt: Attempt, answers: list[Answer] | None = None
) -> list[SectionResult]:
    """A finished attempt's score per top-level section of its questions.

    A subsection belongs to the nearest top-level section before it in its document,
    whatever its depth: two queries in all (one if ``answers``, the attempt's
    answers with ``question__section`` joined, are passed in).
    """
    if answers is None:
        answers = attempt_answers_with_sections(attempt=attempt)
    tops = list(
        Section.objects.filter(
            level=1,
            document_id__in={a.question.section.document_id for a in answers},
        ).order_by("document_id", "-order")
    )
    rows: dict[str, list[float]] = {}
    for answer in answers:
        section = answer.question.section
        top = next(
            t
            for t in tops
            if t.document_id == section.document_id and t.order <= section.order
        )
        rows.setdefault(top.title, []).append(float(answer.score or 0))
    return [
        SectionResult(title=title, score=sum(scores), questions=len(scores))
        for title, scores in rows.items()
    ]


def attempt_answers_with_sections(*, attempt: Attempt) -> list[Answer]:
    """The attempt's answers with their question and its section: one query."""
    return list(attempt.answers.select_related("question__section"))


@dataclass(frozen=True)
class FirstAttempts:
    """Percents of a quiz's first finished attempts: the trainee's own (None if it
    is not finished) and the other trainees', anonymous."""

    own: float | None
    peers: list[float]


def first_attempt_percents(*, trainee, quiz: Quiz) -> FirstAttempts:
    """The trainee's first finished attempt at ``quiz`` and every other trainee's
    (staff apart), as percents: one query, none for a personal test, which has no
    peers. Only the percents leave this function: no names, no ids."""
    if quiz.owner_id is not None:
        return FirstAttempts(own=None, peers=[])
    rows = Attempt.objects.filter(
        Q(trainee=trainee) | Q(trainee__is_staff=False, trainee__is_superuser=False),
        quiz=quiz,
        number=1,
        state__in=FINISHED_STATES,
        max_score__gt=0,
    ).values_list("trainee_id", "score", "max_score")
    own, peers = None, []
    for trainee_id, score, max_score in rows:
        percent = round(float(score) * 100 / max_score, 1)
        if trainee_id == trainee.pk:
            own = percent
        else:
            peers.append(percent)
    return FirstAttempts(own=own, peers=peers)


def problem_reports_for_attempt(
    *, trainee, attempt: Attempt
) -> dict[int, ProblemReport]:
    """The trainee's own reports on ``attempt``, by question id. One query.

    Scoped by trainee as well as attempt: another trainee's reports never show,
    even on a page that holds someone else's attempt by mistake.
    """
    return {
        report.question_id: report
        for report in ProblemReport.objects.filter(trainee=trainee, attempt=attempt)
    }


@dataclass(frozen=True)
class LateChange:
    """A change refused because the time was up, as its trainee's result lists it."""

    position: int
    choices: list[str]
    flagged: bool | None
    received_at: datetime


def late_changes_for(*, trainee, attempt: Attempt) -> list[LateChange]:
    """The changes to ``attempt`` that arrived after the time was up and were not
    counted, oldest first: only its own trainee's (another's attempt gives none).

    One query: each change with its question's position in the attempt and the
    choices of the version the attempt is pinned to (choice texts of answers older
    than versions, if any, take one more).
    """
    answer = Answer.objects.filter(
        attempt=OuterRef("attempt"), question=OuterRef("question")
    )
    late = list(
        LateAnswer.objects.filter(attempt=attempt, attempt__trainee=trainee)
        .annotate(
            position=Subquery(answer.values("position")[:1]),
            pinned=Subquery(
                answer.values("question_version__content")[:1],
                output_field=JSONField(),
            ),
        )
        .order_by("received_at", "id")
    )
    texts = {
        c["id"]: c["text"] for row in late if row.pinned for c in row.pinned["choices"]
    }
    unpinned = {row.question_id for row in late if not row.pinned}
    if unpinned:
        texts |= dict(
            Choice.objects.filter(question_id__in=unpinned).values_list("pk", "text")
        )
    return [
        LateChange(
            position=row.position,
            choices=[texts.get(pk, f"#{pk}") for pk in row.choice_ids],
            flagged=row.flagged,
            received_at=row.received_at,
        )
        for row in late
    ]


# Spaced review: what is due, for one trainee (the cards are written by
# ``services.reviews``).


def reviews_due(*, trainee, now: datetime, limit: int | None = None) -> list[int]:
    """The ids of the trainee's questions due for review at ``now``, soonest first.

    Only published questions: a draft or retired question is not asked again.
    """
    question_ids = _cards_due(trainee=trainee, now=now).order_by("due", "pk")
    question_ids = question_ids.values_list("question_id", flat=True)
    return list(question_ids[:limit] if limit is not None else question_ids)


def review_due_count(*, trainee, now: datetime) -> int:
    """How many of the trainee's published questions are due for review at ``now``."""
    return _cards_due(trainee=trainee, now=now).count()


def review_next_due(*, trainee, now: datetime) -> datetime | None:
    """When the trainee's next published card falls due after ``now``, or None."""
    return (
        ReviewCard.objects.filter(
            trainee=trainee, due__gt=now, question__status=QuestionStatus.PUBLISHED
        )
        .order_by("due")
        .values_list("due", flat=True)
        .first()
    )


def _cards_due(*, trainee, now: datetime):
    return ReviewCard.objects.filter(
        trainee=trainee, due__lte=now, question__status=QuestionStatus.PUBLISHED
    )


# The dashboard


def attempts_in_progress(*, trainee) -> list[Attempt]:
    """The trainee's attempts in progress, assigned quizzes and personal tests alike,
    the soonest deadline first (untimed ones last), with the quiz joined and
    ``question_count`` annotated: one query."""
    return list(
        Attempt.objects.filter(trainee=trainee, state=AttemptState.IN_PROGRESS)
        .select_related("quiz")
        .annotate(question_count=Count("answers"))
        .order_by(F("deadline").asc(nulls_last=True), "-started_at", "pk")
    )


def study_days(*, trainee) -> set[date]:
    """The days, in the site's time zone, on which the trainee saved an answer or
    finished an attempt: one query (a UNION of two grouped reads), a row per day
    whatever the number of answers."""
    saved = (
        Answer.objects.filter(attempt__trainee=trainee, saved_at__isnull=False)
        .annotate(day=_site_day("saved_at"))
        .values_list("day", flat=True)
        .distinct()
    )
    finished = (
        Attempt.objects.filter(trainee=trainee, finished_at__isnull=False)
        .annotate(day=_site_day("finished_at"))
        .values_list("day", flat=True)
        .distinct()
    )
    return set(saved.order_by().union(finished.order_by()))


def _site_day(field: str):
    """The date of a moment in the site's time zone, as the database computes it.

    In UTC (the default) the SQL ``DATE()`` of the stored UTC moment is that date,
    and both SQLite and PostgreSQL compute it natively; elsewhere ``TruncDate``
    converts, which SQLite does in a Python function called per row (a long
    history's dashboard would then spend most of its time there).
    """
    if timezone.get_default_timezone_name() == "UTC":
        return Func(F(field), function="DATE", output_field=DateField())
    return TruncDate(field, tzinfo=timezone.get_default_timezone())


SCORES_SHOWN = 30


def finished_scores(*, trainee, limit: int = SCORES_SHOWN) -> list[Attempt]:
    """The trainee's latest ``limit`` finished attempts (assigned quizzes and
    personal tests), oldest first, with their quiz's title and owner: one query."""
    latest = (
        Attempt.objects.filter(
            trainee=trainee, state__in=FINISHED_STATES, finished_at__isnull=False
        )
        .select_related("quiz")
        .only(
            "finished_at",
            "score",
            "max_score",
            "number",
            "quiz__title",
            "quiz__owner_id",
        )
        .order_by("-finished_at", "-pk")[:limit]
    )
    return list(reversed(latest))


def quiz_section_ids(*, quiz_ids) -> dict[int, set[int]]:
    """The sections each quiz draws from or fixes questions of, by quiz id: one
    query (a UNION of the draws and the fixed questions)."""
    draws = QuizDraw.objects.filter(quiz_id__in=quiz_ids).values_list(
        "quiz_id", "section_id"
    )
    fixed = QuizQuestion.objects.filter(quiz_id__in=quiz_ids).values_list(
        "quiz_id", "question__section_id"
    )
    found: dict[int, set[int]] = {}
    for quiz_id, section_id in draws.order_by().union(fixed.order_by()):
        found.setdefault(quiz_id, set()).add(section_id)
    return found
