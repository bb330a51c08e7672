"""Problem reports: a trainee reports a question; an instructor closes the report.

A trainee may report only a question of their own attempt, once per attempt, and
only once its key is shown to them (the review, or a confirmed tutor-mode answer):
before that, "the key is wrong" would tell them what the key is not. The rule that
decides when a key shows is ``selectors.feedback_allowed``, the one the pages use.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction

from quizzes.choices import ReportCategory, ReportStatus
from quizzes.models import Attempt, ProblemReport
from quizzes.models.reports import REPORT_TEXT_MAX
from quizzes.selectors import feedback_allowed

logger = logging.getLogger(__name__)

OUTCOMES = (ReportStatus.RESOLVED, ReportStatus.DISMISSED)


class ReportError(Exception):
    """A report refused, or an outcome refused; the message says why, to the user."""


def report_text_problems(*, category: str, text: str) -> list[str]:
    """What is wrong with a report's category and text (empty when nothing is)."""
    problems = []
    if category not in ReportCategory.values:
        problems.append("Choose what kind of problem it is.")
    if not text.strip():
        problems.append("Say what the problem is.")
    elif len(text.strip()) > REPORT_TEXT_MAX:
        problems.append(f"Keep the description under {REPORT_TEXT_MAX} characters.")
    return problems


def report_outcome_problems(*, status: str, note: str) -> list[str]:
    """What is wrong with an outcome: it is resolved or dismissed, with a note."""
    problems = []
    if status not in OUTCOMES:
        problems.append("Choose “resolved” or “dismissed”.")
    if not note.strip():
        problems.append("Write a note for the trainee: what was done, or why not.")
    return problems


def report_create(
    *,
    trainee,
    attempt: Attempt,
    question_id: int,
    category: str,
    text: str,
    now: datetime,
) -> ProblemReport:
    """Record ``trainee``'s report of a question of their own ``attempt``.

    Raises ``ReportError`` for another trainee's attempt, a question not in the
    attempt, a question whose key is not shown to the trainee yet, a second report
    of the same question on the same attempt, or a bad category or text.
    """
    if attempt.trainee_id != trainee.pk:
        raise ReportError("You can only report questions of your own attempts.")
    answer = (
        attempt.answers.select_related("question")
        .filter(question_id=question_id)
        .first()
    )
    if answer is None:
        raise ReportError("That question is not part of this attempt.")
    if not feedback_allowed(attempt=attempt, answer=answer, now=now):
        raise ReportError(
            "You can report a problem with a question once its answer is shown "
            "to you (on the review, or after confirming it in tutor mode)."
        )
    problems = report_text_problems(category=category, text=text)
    if problems:
        raise ReportError(" ".join(problems))
    try:
        # The savepoint keeps a caller's transaction usable after the refusal.
        with transaction.atomic():
            report = ProblemReport.objects.create(
                trainee=trainee,
                question_id=question_id,
                attempt=attempt,
                answer=answer,
                category=category,
                text=text.strip(),
                created_at=now,
            )
    except IntegrityError:
        # The unique constraint decides, so two concurrent posts cannot both land.
        raise ReportError(
            "You have already reported this question on this attempt."
        ) from None
    logger.info(
        "problem report %s created by %s: question %s, attempt %s, %s",
        report.pk,
        trainee.username,
        question_id,
        attempt.pk,
        category,
    )
    return report


def report_resolve(
    *, report: ProblemReport, by, status: str, note: str, now: datetime
) -> ProblemReport:
    """Close an open report as resolved or dismissed, with a note the trainee sees.

    A conditional update: of two instructors closing the same report, the second
    is refused rather than overwriting the first's note. Raises ``ReportError``
    for another status, an empty note, or a report already closed.
    """
    problems = report_outcome_problems(status=status, note=note)
    if problems:
        raise ReportError(" ".join(problems))
    changed = ProblemReport.objects.filter(
        pk=report.pk, status=ReportStatus.OPEN
    ).update(
        status=status, resolved_by=by, resolved_at=now, resolution_note=note.strip()
    )
    if not changed:
        raise ReportError("This report was already closed.")
    report.refresh_from_db()
    logger.info(
        "problem report %s %s by %s: %s",
        report.pk,
        status,
        getattr(by, "username", by),
        report.resolution_note,
    )
    return report
