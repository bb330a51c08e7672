"""Learner progress for instructors: grades, time, mastery per section, the cohort.

Every figure over answers is an aggregate computed by the database (``Count``,
``Sum``, ``Max``, ``Avg``, one grouped query per table or chart); Python reshapes
the grouped rows and never loops over answers. The one rule applied in Python is
the grade (see ``quiz_progress``), over one row per finished attempt.

Definitions (also shown on the pages):

- a trainee's **grade** on a quiz is ``scoring.quiz_grade`` (the quiz's grading
  method) over the percents of their finished attempts, as on the trainee's own
  pages; they **pass** when it reaches the pass mark;
- **mastery** of a top-level section is the trainee's mean mark over their answers,
  in finished attempts, to the questions of that section and its subsections, as a
  percent; it rests on that many answers (an unanswered question counts, scored 0);
- **time spent** adds up ``finished_at − started_at`` over finished attempts;
- **last activity** is the latest start or finish of an attempt (and, on a trainee's
  page, the latest saved answer).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from quizzes.choices import GradingMethod
from quizzes.models import Answer, Attempt, Quiz, QuizOverride, Section, Trainee
from quizzes.models.attempts import started_q
from quizzes.quiz_settings import quiz_settings_combine
from quizzes.scoring import quiz_grade
from quizzes.splitting import subtree_end
from quizzes.statistics import FINISHED_STATES, assigned_q, attempt_percent

HISTOGRAM_BINS = 10  # 0–10 %, 10–20 %, …, 90–100 % (100 % falls in the last bin)


@dataclass(frozen=True)
class ProgressFilter:
    """Which attempts count: started in a date range (inclusive), on one quiz, by
    the members of one group (a cohort, such as an LMS course's learners)."""

    started_from: date | None = None
    started_to: date | None = None
    quiz_id: int | None = None
    group_id: int | None = None

    @property
    def start(self) -> datetime | None:
        return _midnight(self.started_from) if self.started_from else None

    @property
    def end(self) -> datetime | None:
        """The first instant after the range (the day after ``started_to``)."""
        if self.started_to is None:
            return None
        return _midnight(self.started_to + timedelta(days=1))

    def attempts(self, prefix: str = "") -> Q:
        """The condition on attempts (reached through ``prefix``, e.g. "attempt__"):
        started ones only, for a prepared attempt counts nowhere until started."""
        condition = started_q(prefix)
        if self.start:
            condition &= Q(**{f"{prefix}started_at__gte": self.start})
        if self.end:
            condition &= Q(**{f"{prefix}started_at__lt": self.end})
        if self.quiz_id:
            condition &= Q(**{f"{prefix}quiz_id": self.quiz_id})
        if self.group_id:
            condition &= Q(**{f"{prefix}trainee_id__in": self.group_member_ids()})
        return condition

    def group_member_ids(self):
        """The ids of the group's members, as a sub-query."""
        return Trainee.groups.through.objects.filter(group_id=self.group_id).values(
            "user_id"
        )


@dataclass(frozen=True)
class TopSection:
    """A top-level section with the ids of itself and all its subsections."""

    id: int
    title: str
    document_title: str
    member_ids: tuple[int, ...]


def score_percent(*, score: float, answers: int) -> float | None:
    """Points scored as a percent of the answers behind them (one decimal), or None
    when there is no answer to judge by."""
    if not answers:
        return None
    return round(score * 100 / answers, 1)


@dataclass(frozen=True)
class Mastery:
    answers: int = 0
    score: float = 0.0

    @property
    def percent(self) -> float | None:
        return score_percent(score=self.score, answers=self.answers)


@dataclass(frozen=True)
class QuizProgress:
    """One trainee's standing on one quiz."""

    trainee_id: int
    quiz_id: int
    quiz_title: str
    grading_method: str
    pass_mark: int
    attempts_allowed: int | None
    attempts_used: int
    attempts_finished: int
    grade: float | None
    time_spent: timedelta
    last_activity: datetime | None
    username: str = ""
    full_name: str = ""

    @property
    def passed(self) -> bool | None:
        return None if self.grade is None else self.grade >= self.pass_mark

    @property
    def grading_label(self) -> str:
        return GradingMethod(self.grading_method).label


@dataclass(frozen=True)
class ScorePoint:
    finished_at: datetime
    percent: float
    quiz_title: str
    number: int
    pass_mark: int


@dataclass(frozen=True)
class QuizResults:
    """A quiz's grades over the cohort: histogram bins and how many pass."""

    quiz_id: int
    title: str
    pass_mark: int
    grading_method: str
    bins: tuple[int, ...]
    graded: int
    passed: int

    @property
    def pass_rate(self) -> float | None:
        return round(self.passed * 100 / self.graded, 1) if self.graded else None

    @property
    def grading_label(self) -> str:
        return GradingMethod(self.grading_method).label


@dataclass(frozen=True)
class TraineeSummary:
    attempts_used: int
    attempts_finished: int
    time_spent: timedelta
    last_activity: datetime | None


# Sections


def top_sections() -> list[TopSection]:
    """The top-level sections that have questions, by document, in document order.

    One query. Subsections are found by position (``splitting.subtree_end``), so any
    depth of heading works.
    """
    sections = list(
        Section.objects.select_related("document")
        .annotate(question_count=Count("questions"))
        .order_by("document__title", "document_id", "order")
        .only("id", "title", "level", "order", "document__title")
    )
    tops = []
    for index, section in enumerate(sections):
        if section.level != 1:
            continue
        subtree = sections[index : subtree_end(sections, index)]
        if any(s.question_count for s in subtree):
            tops.append(
                TopSection(
                    id=section.pk,
                    title=section.title,
                    document_title=section.document.title,
                    member_ids=tuple(s.pk for s in subtree),
                )
            )
    return tops


def top_section_of(sections: list[TopSection], field: str) -> Case:
    """An expression giving the top-level section id of the section in ``field``.

    A CASE over the few top-level sections lets the database group answers by
    top-level section in the same pass, with no per-answer parent walk.
    """
    return Case(
        *(When(**{f"{field}__in": s.member_ids}, then=Value(s.id)) for s in sections),
        default=None,
        output_field=IntegerField(),
    )


# Mastery


def trainee_mastery(
    *, trainee, sections: list[TopSection], filters: ProgressFilter
) -> list[tuple[TopSection, Mastery]]:
    """The trainee's mastery of each top-level section, in one grouped query."""
    grid = mastery_grid(trainee_ids=[trainee.pk], sections=sections, filters=filters)
    return [(s, grid.get((trainee.pk, s.id), Mastery())) for s in sections]


def cohort_mastery(
    *, sections: list[TopSection], filters: ProgressFilter
) -> dict[int, Mastery]:
    """Each top-level section's mastery over every trainee's answers, by section id."""
    rows = (
        _scored_answers(sections, filters)
        .values("top")
        .annotate(answers=Count("pk"), score=Sum("score"))
    )
    return {row["top"]: _mastery(row) for row in rows.order_by()}


def mastery_grid(
    *, trainee_ids, sections: list[TopSection], filters: ProgressFilter
) -> dict[tuple[int, int], Mastery]:
    """Mastery by (trainee id, top-level section id); ``trainee_ids`` None: all."""
    answers = _scored_answers(sections, filters)
    if trainee_ids is not None:
        answers = answers.filter(attempt__trainee_id__in=list(trainee_ids))
    rows = answers.values("attempt__trainee_id", "top").annotate(
        answers=Count("pk"), score=Sum("score")
    )
    return {
        (row["attempt__trainee_id"], row["top"]): _mastery(row)
        for row in rows.order_by()
    }


def _scored_answers(sections: list[TopSection], filters: ProgressFilter):
    # A stored score marks an answer of a finished attempt (see quizzes.statistics).
    return (
        Answer.objects.filter(score__isnull=False)
        .filter(filters.attempts("attempt__"))
        .annotate(top=top_section_of(sections, "question__section_id"))
        .filter(top__isnull=False)
    )


def _mastery(row) -> Mastery:
    return Mastery(answers=row["answers"], score=float(row["score"] or 0))


# Grades


def quiz_progress(*, filters: ProgressFilter, trainee=None) -> list[QuizProgress]:
    """Each (trainee, quiz) with attempts: grade, pass, attempts, time, last activity.

    Two queries. The counts, the time and the last activity are one grouped query
    over attempts. The grade is ``scoring.quiz_grade`` over the finished attempts'
    ``Attempt.percent``, exactly as on the trainee's own pages: re-expressing it in
    SQL would round ties differently (SQL's ROUND goes away from zero, Python's
    ``round`` to even), so 31.25 % would read 31.3 here and 31.2 there. It reads one
    row per finished attempt (never per answer).
    """
    # Personal tests are not graded: they show apart (``personal_tests_summary``).
    base = filters.attempts() & assigned_q()
    if trainee is not None:
        base &= Q(trainee=trainee)
    finished = Q(state__in=FINISHED_STATES)
    rows = (
        Attempt.objects.filter(base)
        .values(
            "trainee_id",
            "trainee__username",
            "trainee__first_name",
            "trainee__last_name",
            "quiz_id",
            "quiz__title",
            "quiz__grading_method",
            "quiz__pass_mark",
            "quiz__attempts_allowed",
        )
        .annotate(
            used=Count("pk"),
            finished=Count("pk", filter=finished),
            time_spent=Sum(
                F("finished_at") - F("started_at"),
                filter=finished,
                output_field=DurationField(),
            ),
            last_activity=Max(Coalesce("finished_at", "started_at")),
        )
        .order_by("quiz__title", "quiz_id", "trainee__username")
    )
    grades = _grades(base & finished)
    return [
        QuizProgress(
            trainee_id=row["trainee_id"],
            quiz_id=row["quiz_id"],
            quiz_title=row["quiz__title"],
            grading_method=row["quiz__grading_method"],
            pass_mark=row["quiz__pass_mark"],
            attempts_allowed=row["quiz__attempts_allowed"],
            attempts_used=row["used"],
            attempts_finished=row["finished"],
            grade=grades.get((row["trainee_id"], row["quiz_id"])),
            time_spent=row["time_spent"] or timedelta(0),
            last_activity=row["last_activity"],
            username=row["trainee__username"],
            full_name=" ".join(
                filter(None, [row["trainee__first_name"], row["trainee__last_name"]])
            ),
        )
        for row in rows
    ]


class _Scored(NamedTuple):
    score: Decimal | None
    max_score: int | None


def _grades(condition: Q) -> dict[tuple[int, int], float | None]:
    """``quiz_grade`` per (trainee, quiz) over the finished attempts, in start order."""
    percents: dict[tuple[int, int], list[float]] = {}
    methods: dict[int, str] = {}
    rows = (
        Attempt.objects.filter(condition)
        .order_by("started_at", "pk")
        .values_list(
            "trainee_id", "quiz_id", "score", "max_score", "quiz__grading_method"
        )
    )
    for trainee_id, quiz_id, score, max_score, method in rows:
        # The property itself, on the two values it reads: one rounding rule.
        percent = Attempt.percent.fget(_Scored(score, max_score))
        percents.setdefault((trainee_id, quiz_id), []).append(percent or 0.0)
        methods[quiz_id] = method
    return {
        key: quiz_grade(percents=values, method=methods[key[1]])
        for key, values in percents.items()
    }


def quiz_grades_of(*, quiz_id: int, trainee_ids) -> dict[int, float | None]:
    """The grade of each of ``trainee_ids`` on one quiz (as on the progress pages),
    by trainee id; a trainee with no finished attempt is left out. One query."""
    condition = Q(
        quiz_id=quiz_id, trainee_id__in=trainee_ids, state__in=FINISHED_STATES
    )
    return {trainee: grade for (trainee, _), grade in _grades(condition).items()}


def quiz_results(*, filters: ProgressFilter) -> list[QuizResults]:
    """Per quiz: a histogram of the trainees' grades and how many pass.

    Reads one row per finished attempt for the grades (``_grades``) and the quizzes
    themselves; the grades are then only counted into bins.
    """
    by_quiz: dict[int, list[float]] = {}
    for (_, quiz_id), grade in _grades(
        filters.attempts() & assigned_q() & Q(state__in=FINISHED_STATES)
    ).items():
        if grade is not None:
            by_quiz.setdefault(quiz_id, []).append(grade)
    quizzes = Quiz.objects.filter(pk__in=by_quiz).only(
        "id", "title", "pass_mark", "grading_method"
    )
    results = []
    for quiz in quizzes:
        bins = [0] * HISTOGRAM_BINS
        for grade in by_quiz[quiz.pk]:
            bins[histogram_bin(grade)] += 1
        passed = sum(grade >= quiz.pass_mark for grade in by_quiz[quiz.pk])
        results.append(
            QuizResults(
                quiz_id=quiz.pk,
                title=quiz.title,
                pass_mark=quiz.pass_mark,
                grading_method=quiz.grading_method,
                bins=tuple(bins),
                graded=sum(bins),
                passed=passed,
            )
        )
    return results


def histogram_bin(percent: float) -> int:
    """The 10-point bin of a percent: 0 for [0, 10), …, 9 for [90, 100]."""
    return min(int(percent // (100 / HISTOGRAM_BINS)), HISTOGRAM_BINS - 1)


# One trainee


@dataclass(frozen=True)
class PersonalTests:
    """A trainee's own tests (the builder): shown apart, never graded."""

    tests: int = 0
    finished: int = 0
    answers: int = 0
    score: float = 0.0

    @property
    def percent(self) -> float | None:
        return score_percent(score=self.score, answers=self.answers)


def personal_tests_summary(*, trainee, filters: ProgressFilter) -> PersonalTests:
    """The trainee's personal tests: how many, the questions answered in finished
    ones (an omitted one counts, scored 0, as for mastery) and the % correct.

    One aggregate query. ``filters``' quiz is an instructor's quiz, so a filter on
    a quiz leaves no personal test.
    """
    scored = Q(answers__score__isnull=False)
    row = Attempt.objects.filter(
        Q(trainee=trainee, quiz__owner=trainee) & filters.attempts()
    ).aggregate(
        n_tests=Count("pk", distinct=True),
        n_finished=Count("pk", distinct=True, filter=Q(state__in=FINISHED_STATES)),
        # Aliases apart from the relation's name, which they would shadow.
        n_answers=Count("answers", filter=scored),
        marks=Sum("answers__score", filter=scored),
    )
    return PersonalTests(
        tests=row["n_tests"],
        finished=row["n_finished"],
        answers=row["n_answers"],
        score=float(row["marks"] or 0),
    )


def trainee_summary(
    *, trainee, rows: list[QuizProgress], filters: ProgressFilter
) -> TraineeSummary:
    """Totals over the trainee's quiz rows, and their latest saved answer."""
    last_saved = Answer.objects.filter(
        Q(attempt__trainee=trainee) & filters.attempts("attempt__")
    ).aggregate(last=Max("saved_at"))["last"]
    moments = [r.last_activity for r in rows if r.last_activity] + [last_saved]
    return TraineeSummary(
        attempts_used=sum(r.attempts_used for r in rows),
        attempts_finished=sum(r.attempts_finished for r in rows),
        time_spent=sum((r.time_spent for r in rows), start=timedelta(0)),
        last_activity=max((m for m in moments if m), default=None),
    )


def trainee_score_points(*, trainee, filters: ProgressFilter) -> list[ScorePoint]:
    """The trainee's finished attempts in the order they finished, with percents."""
    rows = (
        Attempt.objects.filter(
            Q(trainee=trainee, state__in=FINISHED_STATES)
            & filters.attempts()
            & assigned_q()
        )
        .order_by("finished_at", "pk")
        .values_list(
            "finished_at",
            "score",
            "max_score",
            "quiz__title",
            "number",
            "quiz__pass_mark",
        )
    )
    return [
        ScorePoint(
            finished_at=finished_at,
            percent=Attempt.percent.fget(_Scored(score, max_score)) or 0.0,
            quiz_title=title,
            number=number,
            pass_mark=pass_mark,
        )
        for finished_at, score, max_score, title, number, pass_mark in rows
    ]


# The cohort


def trainees_with_progress(queryset=None):
    """Trainees with ``finished`` attempts, ``mean_percent`` and ``last_activity``."""
    finished = Q(attempts__state__in=FINISHED_STATES) & assigned_q("attempts__")
    return (queryset if queryset is not None else Trainee.objects.all()).annotate(
        finished=Count("attempts", filter=finished),
        mean_percent=Avg(attempt_percent("attempts__"), filter=finished),
        last_activity=Max(Coalesce("attempts__finished_at", "attempts__started_at")),
    )


def cohort_trainees(*, filters: ProgressFilter, order: str = "name"):
    """The trainees with a finished attempt that the filter keeps; with a group,
    every member of it, so that a cohort shows before anyone has sat a quiz.

    ``order``: "name" (username), or "weakest" (lowest overall mastery first, which
    the database computes over all their scored answers).
    """
    attempts = Attempt.objects.filter(
        Q(trainee_id=OuterRef("pk"), state__in=FINISHED_STATES) & filters.attempts()
    )
    if filters.group_id:
        trainees = Trainee.objects.filter(pk__in=filters.group_member_ids())
    else:
        trainees = Trainee.objects.filter(Exists(attempts))
    if order == "weakest":
        scored = Q(attempts__answers__score__isnull=False) & filters.attempts(
            "attempts__"
        )
        trainees = trainees.annotate(
            overall=Avg("attempts__answers__score", filter=scored)
        ).order_by(F("overall").asc(nulls_last=True), "username")
    else:
        trainees = trainees.order_by("username")
    return trainees


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def trainee_overrides(*, trainee) -> list[QuizOverride]:
    """The quiz overrides that apply to ``trainee``, theirs and their groups', by
    quiz title, with who made them: one query."""
    groups = trainee.groups.through.objects.filter(user_id=trainee.pk).values(
        "group_id"
    )
    return list(
        QuizOverride.objects.filter(Q(trainee_id=trainee.pk) | Q(group_id__in=groups))
        .select_related("quiz", "group", "created_by", "updated_by")
        .order_by("quiz__title", "group__name")
    )


def quiz_progress_overridden(
    *, rows: list[QuizProgress], overrides: list[QuizOverride], trainee_id: int
) -> list[QuizProgress]:
    """``rows`` of one trainee with the attempts their overrides allow.

    ``overrides``: ``trainee_overrides`` of that trainee (their quizzes joined), so
    this reads nothing more from the database.
    """
    by_quiz: dict[int, list[QuizOverride]] = {}
    for override in overrides:
        by_quiz.setdefault(override.quiz_id, []).append(override)
    return [
        replace(
            row,
            attempts_allowed=quiz_settings_combine(
                quiz=by_quiz[row.quiz_id][0].quiz,
                overrides=by_quiz[row.quiz_id],
                trainee_id=trainee_id,
            ).attempts_allowed,
        )
        if row.quiz_id in by_quiz
        else row
        for row in rows
    ]
