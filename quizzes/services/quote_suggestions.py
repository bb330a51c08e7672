"""Drafts that lack a verbatim source quote, the sentences to suggest, and setting one.

An imported question arrives as a draft, often without a quote (or with one that
differs from the section by a curly apostrophe). The instructor picks a sentence
of the section; ``question_quote_set`` applies the same verbatim rule as
``audit_bank`` and ``Question.clean``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet, prefetch_related_objects

from quizzes.choices import QuestionStatus
from quizzes.models import Question, Section
from quizzes.quote_match import (
    QuoteSuggestion,
    question_text,
    ranked_sentences,
    section_sentences,
)
from quizzes.rules import quote_problems
from quizzes.splitting import subtree_text

NO_QUOTE = "no source quote"
NOT_VERBATIM = "quote not verbatim"


class QuoteRefused(ValueError):
    """The quote breaks the verbatim rule; ``problems`` says how."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class QuoteGap:
    """A draft without a usable quote: which problem, and its section's full text."""

    question: Question
    problem: str  # NO_QUOTE or NOT_VERBATIM
    section_text: str


@dataclass(frozen=True)
class DraftQuoteSuggestions:
    """A draft without a usable quote and its section's best-matching sentences."""

    question: Question
    problem: str
    suggestions: list[QuoteSuggestion]

    @property
    def best(self) -> QuoteSuggestion | None:
        return self.suggestions[0] if self.suggestions else None


def drafts_without_quote(
    *, questions: QuerySet[Question] | None = None
) -> list[QuoteGap]:
    """The drafts among ``questions`` (every question by default) whose source quote
    is empty or does not appear verbatim in their section's full text, in the
    questions' order (document, section, id).

    Two queries whatever the number of drafts: the drafts with their section and
    document, then the sections of their documents, whose texts are assembled here
    as ``Section.full_text`` would (once per section, not per question).
    """
    queryset = Question.objects.all() if questions is None else questions
    drafts = list(
        queryset.filter(status=QuestionStatus.DRAFT).select_related("section__document")
    )
    texts = _full_texts(section_ids={draft.section_id for draft in drafts})
    gaps = []
    for draft in drafts:
        text = texts[draft.section_id]
        if not draft.source_quote.strip():
            gaps.append(QuoteGap(draft, NO_QUOTE, text))
        elif quote_problems(source_quote=draft.source_quote, section_text=text):
            gaps.append(QuoteGap(draft, NOT_VERBATIM, text))
    return gaps


def draft_quote_suggestions(
    *, gaps: Sequence[QuoteGap], limit: int = 3
) -> list[DraftQuoteSuggestions]:
    """For each gap (``drafts_without_quote``), the ``limit`` sentences of its
    section that best match the question, best first.

    The question's text is its stem, its key option(s) and its explanation, plus
    the quote it has when that is not verbatim (a near miss points at its
    sentence). One query, for the choices; each section is cut into sentences once.
    """
    prefetch_related_objects([gap.question for gap in gaps], "choices")
    sentences: dict[int, list[str]] = {}
    result = []
    for gap in gaps:
        question = gap.question
        if question.section_id not in sentences:
            sentences[question.section_id] = section_sentences(gap.section_text)
        text = question_text(
            stem=question.stem,
            keys=[c.text for c in question.choices.all() if c.is_correct],
            explanation=question.explanation,
            extra=question.source_quote,
        )
        result.append(
            DraftQuoteSuggestions(
                question=question,
                problem=gap.problem,
                suggestions=ranked_sentences(
                    question_text=text,
                    sentences=sentences[question.section_id],
                    limit=limit,
                ),
            )
        )
    return result


def question_quote_set(
    *, question: Question, quote: str, user: AbstractBaseUser | None
) -> Question:
    """Set the question's source quote, if it appears verbatim in its section.

    Raises ``QuoteRefused`` otherwise, and changes nothing. Only the quote (and
    ``updated_at``) is written, so an edit of another field saved meanwhile is kept;
    the history records ``user`` as the author of the change.
    """
    problems = quote_problems(
        source_quote=quote, section_text=question.section.full_text()
    )
    if problems:
        raise QuoteRefused(problems)
    question.source_quote = quote
    question._history_user = user
    question.save(update_fields=["source_quote", "updated_at"])
    return question


def _full_texts(*, section_ids: Iterable[int]) -> dict[int, str]:
    """Each section's full text (its own and its subsections'), in one query."""
    wanted = set(section_ids)
    if not wanted:
        return {}
    by_document: dict[int, list[Section]] = defaultdict(list)
    for section in (
        Section.objects.filter(
            document__in=Section.objects.filter(pk__in=wanted).values("document")
        )
        .only("document_id", "order", "level", "text")
        .order_by("document_id", "order")
    ):
        by_document[section.document_id].append(section)
    texts = {}
    for sections in by_document.values():
        for index, section in enumerate(sections):
            if section.pk in wanted:
                texts[section.pk] = subtree_text(sections, index)
    return texts
