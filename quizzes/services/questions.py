"""An instructor's changes to a question's life: publish, retire, duplicate as draft."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction

from quizzes.choices import QuestionStatus
from quizzes.models import Choice, Question, QuizQuestion
from quizzes.rules import problems_blocking
from quizzes.services.audit import question_audit

logger = logging.getLogger(__name__)


class QuestionNotPublishable(ValueError):
    """The question breaks the item-writing rules; ``problems`` says how."""

    def __init__(self, question: Question, problems: list[str]):
        self.question = question
        self.problems = problems
        super().__init__(f"“{question}”: " + "; ".join(problems))


@dataclass
class StatusChange:
    """What a bulk status change did: changed, already so, and refused (with why)."""

    changed: list[Question] = field(default_factory=list)
    unchanged: list[Question] = field(default_factory=list)
    refused: list[QuestionNotPublishable] = field(default_factory=list)
    still_fixed: list[Question] = field(default_factory=list)


def question_publish(*, question: Question) -> bool:
    """Publish a question that meets every rule of ``quizzes.rules``.

    Returns False when it was already published. Raises ``QuestionNotPublishable``
    with the list of problems otherwise: a published question is one trainees may be
    served, so it is checked as ``audit_bank`` would check it (errors, and the
    warnings it has not acknowledged).
    """
    if question.status == QuestionStatus.PUBLISHED:
        return False
    problems = problems_blocking(
        question_audit(
            question=question, choices=list(question.choices.order_by("order", "id"))
        ),
        acknowledged=question.acknowledged_warnings,
    )
    if problems:
        raise QuestionNotPublishable(question, problems)
    _status_set(question, QuestionStatus.PUBLISHED)
    return True


def question_retire(*, question: Question) -> bool:
    """Retire a question: draws no longer pick it. False if it was already retired."""
    if question.status == QuestionStatus.RETIRED:
        return False
    _status_set(question, QuestionStatus.RETIRED)
    return True


def questions_publish(*, questions) -> StatusChange:
    """Publish each question that passes the rules; report the others."""
    result = StatusChange()
    for question in questions:
        try:
            published = question_publish(question=question)
        except QuestionNotPublishable as refusal:
            result.refused.append(refusal)
            continue
        (result.changed if published else result.unchanged).append(question)
    return result


def questions_retire(*, questions) -> StatusChange:
    """Retire the questions; ``still_fixed`` lists those a quiz still fixes.

    A question fixed in a quiz's composition is served whatever its status (only
    draws look at the status), so the instructor is told to remove it there too.
    """
    result = StatusChange()
    for question in questions:
        retired = question_retire(question=question)
        (result.changed if retired else result.unchanged).append(question)
    fixed_ids = set(
        QuizQuestion.objects.filter(
            question__in=[q.pk for q in result.changed]
        ).values_list("question_id", flat=True)
    )
    result.still_fixed = [q for q in result.changed if q.pk in fixed_ids]
    return result


def question_duplicate(*, question: Question) -> Question:
    """A draft copy of the question and its choices, without its bank ``ref``.

    The copy is how a published question is revised: edit the draft, publish it,
    retire the original; attempts keep pointing at the original.
    """
    with transaction.atomic():
        copy = Question.objects.create(
            section_id=question.section_id,
            ref=None,
            kind=question.kind,
            status=QuestionStatus.DRAFT,
            stem=question.stem,
            explanation=question.explanation,
            source_quote=question.source_quote,
            # The copy starts as the same item: the same judgements apply to it.
            acknowledged_warnings=dict(question.acknowledged_warnings or {}),
        )
        Choice.objects.bulk_create(
            Choice(
                question=copy,
                order=choice.order,
                text=choice.text,
                is_correct=choice.is_correct,
                rationale=choice.rationale,
            )
            for choice in question.choices.order_by("order", "id")
        )
    logger.info("question %s duplicated as draft %s", question.pk, copy.pk)
    return copy


def _status_set(question: Question, status: str) -> None:
    question.status = status
    question.save(update_fields=["status", "updated_at"])
    logger.info("question %s is now %s", question.pk, status)
