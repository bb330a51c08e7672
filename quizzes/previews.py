"""A question as a trainee sees it, and then with its key, for the instructors' preview.

Read-only shaping, like ``presenters`` does for attempts; the source passage is the
section's text (subsections included) split around the quote, escaped by the
template.
"""

from __future__ import annotations

from dataclasses import dataclass

from quizzes.choices import QuestionKind
from quizzes.models import Choice, Question


@dataclass(frozen=True)
class Passage:
    section_title: str
    before: str
    quote: str
    after: str
    source_quote: str


@dataclass(frozen=True)
class QuestionPreview:
    question: Question
    choices: list[Choice]
    kind_label: str
    input_type: str
    passage: Passage


def question_preview(*, question: Question) -> QuestionPreview:
    """The question with its choices in their written order (a quiz may shuffle them)
    and its source passage, with the quote found in the section's text."""
    choices = list(question.choices.order_by("order", "id"))
    before, quote, after = question.section.full_text().partition(question.source_quote)
    return QuestionPreview(
        question=question,
        choices=choices,
        kind_label=QuestionKind(question.kind).label,
        input_type="checkbox" if question.kind == QuestionKind.MULTIPLE else "radio",
        passage=Passage(
            section_title=question.section.title,
            before=before,
            quote=quote,
            after=after,
            source_quote=question.source_quote,
        ),
    )
