"""Reads scoped to a trainee: what they may see, and nothing of anyone else's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from quizzes.choices import AttemptState, QuizMode, ReviewFrom, ReviewShows
from quizzes.models import (
    Accommodation,
    Answer,
    Attempt,
    Quiz,
    QuizDraw,
    QuizQuestion,
    Section,
)
from quizzes.scoring import quiz_grade

FINISHED_STATES = [AttemptState.FINISHED, AttemptState.EXPIRED]


def attempt_for_trainee(*, trainee, attempt_id: int) -> Attempt:
    """The trainee's own attempt, or 404: another trainee's id is simply not found."""
    return get_object_or_404(
        Attempt.objects.filter(trainee=trainee).select_related("quiz"), pk=attempt_id
    )


def accommodation_for(*, trainee, quiz: Quiz) -> Accommodation | None:
    """The trainee's extra time on ``quiz``: the quiz's own arrangement, else the
    general one, else None."""
    return (
        Accommodation.objects.filter(trainee=trainee, quiz=quiz).first()
        or Accommodation.objects.filter(trainee=trainee, quiz__isnull=True).first()
    )


def review_refusal(*, attempt: Attempt, now: datetime) -> str | None:
    """Why the review of ``attempt`` is not shown, or None when it is allowed."""
    if review_allowed(attempt=attempt, now=now):
        return None
    quiz = attempt.quiz
    if attempt.is_in_progress:
        return "This attempt is still in progress: submit it first."
    if quiz.review_shows != ReviewShows.FULL:
        return "This quiz shows scores only: answers and explanations stay hidden."
    if quiz.closes_at:
        closes = f"{quiz.closes_at:%d %B %Y at %H:%M} UTC"
        return f"Review opens after the quiz closes, {closes}."
    return "Review opens after the quiz closes."


def review_allowed(*, attempt: Attempt, now: datetime) -> bool:
    """Whether the keys, rationales and explanations of a finished attempt may show."""
    if attempt.state == AttemptState.IN_PROGRESS:
        return False
    quiz = attempt.quiz
    if quiz.review_shows != ReviewShows.FULL:
        return False
    if quiz.review_from == ReviewFrom.AFTER_CLOSE:
        return quiz.closes_at is not None and now >= quiz.closes_at
    return True


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
    question_count: int
    attempts_used: int
    attempts_left: int | None
    grade: float | None
    passed: bool | None
    is_open: bool
    in_progress: Attempt | None


def quiz_standings(*, trainee, now: datetime, quizzes=None) -> list[QuizStanding]:
    """Each quiz with the trainee's attempts, grade and pass/fail, in three queries."""
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
    attempts_by_quiz: dict[int, list[Attempt]] = {}
    for attempt in Attempt.objects.filter(trainee=trainee, quiz__in=quizzes).order_by(
        "started_at"
    ):
        attempts_by_quiz.setdefault(attempt.quiz_id, []).append(attempt)
    standings = []
    for quiz in quizzes:
        attempts = attempts_by_quiz.get(quiz.pk, [])
        percents = [a.percent for a in attempts if a.state in FINISHED_STATES]
        grade = quiz_grade(percents=percents, method=quiz.grading_method)
        used = len(attempts)
        standings.append(
            QuizStanding(
                quiz=quiz,
                question_count=quiz.fixed_count + quiz.drawn_count,
                attempts_used=used,
                attempts_left=None
                if quiz.attempts_allowed is None
                else max(0, quiz.attempts_allowed - used),
                grade=grade,
                passed=None if grade is None else grade >= quiz.pass_mark,
                is_open=quiz.is_open(now),
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


def attempt_section_results(*, attempt: Attempt) -> list[SectionResult]:
    """A finished attempt's score per top-level section of its questions.

    A subsection belongs to the nearest top-level section before it in its document,
    whatever its depth: two queries in all.
    """
    answers = list(attempt.answers.select_related("question__section"))
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
