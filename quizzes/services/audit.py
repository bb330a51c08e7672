"""Auditing the stored banks against the item-writing rules and the minimums."""

from __future__ import annotations

from collections import defaultdict

from quizzes.choices import QuestionKind, QuestionStatus
from quizzes.models import Question, SourceDocument
from quizzes.rules import bank_cue_problems, minimum_questions, question_problems
from quizzes.services.quote_suggestions import (
    draft_quote_suggestions,
    drafts_without_quote,
)
from quizzes.splitting import subtree_text


def bank_audit() -> list[str]:
    """Every rule violation among the published questions, one line each.

    Checks each published question (kind rules, verbatim quote, stem, rationales),
    each top-level section's bank for cues (key position, longest option) and for
    its minimum number of published questions. An empty list means a clean audit.
    """
    problems: list[str] = []
    for document in SourceDocument.objects.prefetch_related("sections"):
        sections = list(document.sections.all())
        # A question on a subsection belongs to the bank of its top-level section.
        top_of: dict[int, int] = {}
        subtree_of: dict[int, str] = {}
        top = None
        for index, section in enumerate(sections):
            top = section if section.level == 1 else top
            top_of[section.pk] = top.pk
            subtree_of[section.pk] = subtree_text(sections, index)

        bank: dict[int, list[Question]] = defaultdict(list)
        published = Question.objects.filter(
            section__document=document, status=QuestionStatus.PUBLISHED
        ).prefetch_related("choices")
        for question in published:
            choices = list(question.choices.all())
            label = question.ref or f"question {question.pk}"
            problems += [
                f"{document.slug}: {label}: {problem}"
                for problem in question_problems(
                    question=question,
                    choices=choices,
                    section_text=subtree_of[question.section_id],
                )
            ]
            bank[top_of[question.section_id]].append(question)

        for section in (s for s in sections if s.level == 1):
            questions = bank[section.pk]
            where = f"{document.slug}: section “{section.title}”"
            needed = minimum_questions(section.slug)
            if len(questions) < needed:
                problems.append(
                    f"{where}: {len(questions)} published questions; "
                    f"it needs at least {needed}"
                )
            problems += [
                f"{where}: {problem}"
                for problem in bank_cue_problems(
                    keyed_choices=[
                        list(q.choices.all())
                        for q in questions
                        if q.kind != QuestionKind.TRUE_FALSE
                    ]
                )
            ]
    return problems


def draft_quote_audit() -> list[str]:
    """The drafts that lack a verbatim source quote, one line each, with the best
    sentence of their section to quote (and its match score, 0–100).

    Not violations: trainees never see a draft. The instructor quotes the passage
    (the admin offers the same suggestions) before publishing it.
    """
    lines = []
    for draft in draft_quote_suggestions(gaps=drafts_without_quote(), limit=1):
        question = draft.question
        label = f"draft {question.pk}" + (
            f" “{question.name}”" if question.name else ""
        )
        best = draft.best
        suggestion = (
            f"best suggestion ({best.score}): “{best.sentence}”"
            if best
            else "its section has no sentence to suggest"
        )
        lines.append(
            f"{question.section.document.slug}: {label}: {draft.problem}; {suggestion}"
        )
    return lines
