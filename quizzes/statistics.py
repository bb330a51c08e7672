"""Item and quiz statistics for instructors, computed in the database.

Each function annotates a queryset (one query for a whole changelist page, however
many rows it shows) or returns a small dict; nothing loops over answers in Python.

A stored answer score is the mark of a finished attempt: ``attempt_finish`` scores
every answer of the attempt at once and nothing else writes ``Answer.score``, so
"answers with a score" are exactly "answers in finished (or expired) attempts", and
the statistics need no join to the attempt.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Avg,
    Count,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast, Coalesce, NullIf

from quizzes.choices import AttemptState, QuestionStatus, ReportStatus
from quizzes.models import Answer, ProblemReport, Question, Section
from quizzes.models.attempts import started_q
from quizzes.splitting import subtree_end

FINISHED_STATES = [AttemptState.FINISHED, AttemptState.EXPIRED]


def assigned_q(prefix: str = "") -> Q:
    """Attempts (reached through ``prefix``, e.g. "attempt__") at an instructor's
    quiz: a trainee's personal test (``Quiz.owner``) never counts towards grades or
    item statistics, only towards mastery."""
    return Q(**{f"{prefix}quiz__owner__isnull": True})


def attempt_percent(prefix: str = ""):
    """An attempt's ``score / max_score × 100``, unrounded, as an expression.

    For means (a quiz's mean score, a trainee's): ``Attempt.percent`` rounds each
    attempt for display, and a grade is computed from those rounded percents by
    ``scoring.quiz_grade`` (see ``quizzes.progress``). The cast keeps SQLite from an
    integer division when a score is a whole number. ``prefix`` reaches the attempt
    through a relation, e.g. ``"attempts__"``.
    """
    score = Cast(f"{prefix}score", FloatField())
    return score * 100 / NullIf(F(f"{prefix}max_score"), 0)


def questions_with_stats(queryset: QuerySet[Question]) -> QuerySet[Question]:
    """Questions with ``responses`` and ``facility`` (mean score over those, in %).

    ``responses`` counts the question's answers in finished attempts (an unanswered
    question counts, scored 0); ``facility`` is the classic item facility index:
    the mean mark, where a partly right select-all answer counts its partial credit.

    Two correlated subqueries rather than a join and a GROUP BY: grouping would
    carry every listed column (the section's whole text, through the changelist's
    select_related) through a sort of all the answers; a subquery reads only the
    answers of the questions on the page, from the (question, score) index.
    """
    return queryset.annotate(**_answer_figures(question=OuterRef("pk")))


def _answer_figures(*, question: OuterRef) -> dict:
    """``responses`` and ``facility`` of the question ``question`` refers to, as
    correlated subqueries over its scored answers."""
    scored = (
        Answer.objects.filter(question=question, score__isnull=False)
        .filter(assigned_q("attempt__"))
        .order_by()
        .values("question")
    )
    return {
        "responses": Coalesce(
            # Counting the indexed column keeps the scan index-only.
            Subquery(scored.annotate(n=Count("score")).values("n")),
            0,
            output_field=IntegerField(),
        ),
        "facility": Subquery(
            scored.annotate(mean=Avg(Cast("score", FloatField())) * 100).values("mean"),
            output_field=FloatField(),
        ),
    }


def sections_with_counts(queryset: QuerySet[Section]) -> QuerySet[Section]:
    """Sections with their own questions counted by status (subsections apart)."""
    return queryset.annotate(
        published=Count(
            "questions", filter=Q(questions__status=QuestionStatus.PUBLISHED)
        ),
        drafts=Count("questions", filter=Q(questions__status=QuestionStatus.DRAFT)),
        retired=Count("questions", filter=Q(questions__status=QuestionStatus.RETIRED)),
    )


def quizzes_with_stats(queryset):
    """Quizzes with attempts ``started``, ``finished`` and their ``mean_percent``
    (an attempt only prepared is not started)."""
    finished = Q(attempts__state__in=FINISHED_STATES)
    return queryset.annotate(
        started=Count("attempts", filter=started_q("attempts__")),
        finished=Count("attempts", filter=finished),
        mean_percent=Avg(attempt_percent("attempts__"), filter=finished),
    )


def draw_pool_sizes(*, section_ids) -> dict[int, int]:
    """Published questions a draw on each section can pick from (subsections too).

    Mirrors ``services.attempts.quiz_questions_pick``, which draws from the section
    and every subsection under it. Two queries, whatever the number of sections.
    """
    section_ids = set(section_ids)
    if not section_ids:
        return {}
    documents = Section.objects.filter(pk__in=section_ids).values("document_id")
    sections = list(
        sections_with_counts(
            Section.objects.filter(document_id__in=documents).order_by(
                "document_id", "order"
            )
        ).only("id", "document_id", "order", "level")
    )
    sizes = {}
    for index, section in enumerate(sections):
        if section.pk in section_ids:
            subtree = sections[index : subtree_end(sections, index)]
            sizes[section.pk] = sum(s.published for s in subtree)
    return sizes


@dataclass(frozen=True)
class SectionNode:
    """A section in document order, with the ids of itself and its subsections."""

    id: int
    title: str
    level: int
    document_title: str
    member_ids: tuple[int, ...]


def section_tree() -> list[SectionNode]:
    """Every section of every document, in order, with its subtree. One query."""
    sections = list(
        Section.objects.select_related("document")
        .order_by("document__title", "document_id", "order")
        .only("id", "title", "level", "order", "document__title")
    )
    return [
        SectionNode(
            id=section.pk,
            title=section.title,
            level=section.level,
            document_title=section.document.title,
            member_ids=tuple(s.pk for s in sections[i : subtree_end(sections, i)]),
        )
        for i, section in enumerate(sections)
    ]


def reports_with_question_stats(queryset: QuerySet[ProblemReport]) -> QuerySet:
    """Problem reports with their question's ``responses`` and ``facility``.

    The same figures as ``questions_with_stats``, by the same correlated
    subqueries on the (question, score) index, keyed on the report's question.
    """
    return queryset.annotate(**_answer_figures(question=OuterRef("question_id")))


def questions_with_open_reports(queryset: QuerySet[Question]) -> QuerySet[Question]:
    """Questions with ``open_reports``: how many problem reports await an outcome.

    A correlated subquery on the (question, status) index, not a join: a join
    would multiply the answers counted by ``questions_with_stats``.
    """
    open_reports = (
        ProblemReport.objects.filter(question=OuterRef("pk"), status=ReportStatus.OPEN)
        .order_by()
        .values("question")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        open_reports=Coalesce(Subquery(open_reports, output_field=IntegerField()), 0)
    )
