"""Shaping an attempt's questions and feedback for the pages and the API.

One place decides what a trainee may see of a question, so that the HTML pages and
the JSON API cannot drift apart on what they reveal.
"""

from __future__ import annotations

from datetime import datetime

from quizzes.models import Answer, Attempt, Choice
from quizzes.selectors import feedback_allowed


def attempt_questions(
    attempt: Attempt, answers: list[Answer] | None = None
) -> list[dict]:
    """The attempt's questions in their frozen order, choices in their frozen order.

    ``answers`` must come with their question (``select_related("question")``).
    Carries only what a trainee may always see: no key, rationale or explanation.
    """
    if answers is None:
        answers = list(attempt.answers.select_related("question"))
    texts = dict(
        Choice.objects.filter(
            question_id__in=[a.question_id for a in answers]
        ).values_list("pk", "text")
    )
    return [
        {
            "id": a.question_id,
            "position": a.position,
            "kind": a.question.kind,
            "stem": a.question.stem,
            "choices": [
                {"id": c, "text": texts[c]} for c in a.choice_order if c in texts
            ],
        }
        for a in answers
    ]


def attempt_feedback(
    attempt: Attempt, *, answers: list[Answer], now: datetime
) -> list[dict]:
    """Key, rationales, explanation and source quote of each answer allowed to show."""
    shown = [a for a in answers if feedback_allowed(attempt=attempt, answer=a, now=now)]
    if not shown:
        return []
    choices: dict[int, list[Choice]] = {}
    for choice in Choice.objects.filter(
        question_id__in=[a.question_id for a in shown]
    ).select_related("question"):
        choices.setdefault(choice.question_id, []).append(choice)
    feedback = []
    for answer in shown:
        by_id = {c.pk: c for c in choices.get(answer.question_id, [])}
        ordered = [by_id[c] for c in answer.choice_order if c in by_id]
        question = ordered[0].question if ordered else answer.question
        correct_ids = [c.pk for c in ordered if c.is_correct]
        feedback.append(
            {
                "question_id": answer.question_id,
                "correct": set(correct_ids) == set(answer.choice_ids),
                "score": None if answer.score is None else float(answer.score),
                "correct_choice_ids": correct_ids,
                "choices": [
                    {"id": c.pk, "is_correct": c.is_correct, "rationale": c.rationale}
                    for c in ordered
                ],
                "explanation": question.explanation,
                "source_quote": question.source_quote,
            }
        )
    return feedback
