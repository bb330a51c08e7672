"""Shaping an attempt's questions and feedback for the pages and the API.

One place decides what a trainee may see of a question, so that the HTML pages and
the JSON API cannot drift apart on what they reveal.
"""

from __future__ import annotations

from datetime import datetime

from quizzes.choices import QuestionKind
from quizzes.models import Answer, Attempt, Choice, Question, Section
from quizzes.selectors import feedback_allowed
from quizzes.splitting import subtree_text


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
    return answers_feedback(
        [a for a in answers if feedback_allowed(attempt=attempt, answer=a, now=now)]
    )


def answers_feedback(shown: list[Answer]) -> list[dict]:
    """Key, rationales, explanation and source quote of every answer given.

    No review policy is applied here: a trainee's page goes through
    ``attempt_feedback``; only the instructors' review calls this directly.
    """
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


def review_items(
    *, answers: list[Answer], questions: list[dict], feedback: list[dict]
) -> list[dict]:
    """One item per answer for a review page: the question, each choice with
    whether it was chosen (and its key and rationale where ``feedback`` has them),
    the outcome in words and the source passage.

    ``answers`` come with their question; ``questions`` is ``attempt_questions`` of
    them, and ``feedback`` what ``attempt_feedback`` (or, for instructors,
    ``answers_feedback``) released.
    """
    by_question = {f["question_id"]: f for f in feedback}
    passages = question_passages([a.question for a in answers])
    items = []
    for answer, question in zip(answers, questions, strict=True):
        shown = by_question.get(answer.question_id)
        items.append(
            {
                "answer": answer,
                "question": question,
                "kind_label": QuestionKind(question["kind"]).label,
                "choices": choice_rows(question, answer, shown),
                "feedback": shown,
                "outcome": answer_outcome(answer),
                "passage": passages.get(answer.question_id),
            }
        )
    return items


def choice_rows(question: dict, answer: Answer, feedback: dict | None) -> list[dict]:
    """Each option with whether it was chosen; its key and rationale only when the
    presenter released feedback for this answer."""
    by_id = {c["id"]: c for c in feedback["choices"]} if feedback else {}
    rows = []
    for choice in question["choices"]:
        row = {
            "id": choice["id"],
            "text": choice["text"],
            "chosen": choice["id"] in answer.choice_ids,
        }
        if choice["id"] in by_id:
            row["is_key"] = by_id[choice["id"]]["is_correct"]
            row["rationale"] = by_id[choice["id"]]["rationale"]
        rows.append(row)
    return rows


def answer_outcome(answer: Answer) -> str:
    """The answer's result in words (the stored score of a finished attempt)."""
    if not answer.is_answered:
        return "Not answered (0 points)"
    if answer.score is None:
        # Only an instructor reviews an attempt still in progress.
        return "Answered (not scored yet: the attempt is in progress)"
    score = float(answer.score)
    if score >= 1:
        return "Correct (1 point)"
    if score > 0:
        return f"Partly correct ({score:g} of 1 point)"
    return "Incorrect (0 points)"


def question_passages(questions: list[Question]) -> dict[int, dict]:
    """Each question's section text split around its source quote, for ``<mark>``.

    One query for the sections of every document involved; a section's text is its
    own plus its subsections' (``Section.full_text``), which is where the quote was
    checked to appear verbatim. The parts are plain strings, escaped by the template.
    """
    if not questions:
        return {}
    documents = Section.objects.filter(pk__in={q.section_id for q in questions}).values(
        "document_id"
    )
    sections = list(
        Section.objects.filter(document_id__in=documents)
        .order_by("document_id", "order")
        .only("id", "document_id", "order", "level", "title", "text")
    )
    index = {s.pk: i for i, s in enumerate(sections)}
    passages = {}
    for question in questions:
        i = index.get(question.section_id)
        if i is None:
            continue
        # Not found (the section was edited since): the whole text, nothing marked.
        before, quote, after = subtree_text(sections, i).partition(
            question.source_quote
        )
        passages[question.pk] = {
            "section_title": sections[i].title,
            "before": before,
            "quote": quote,
            "after": after,
            "source_quote": question.source_quote,
        }
    return passages
