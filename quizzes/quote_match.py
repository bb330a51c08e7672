"""Sentences of a section, and the ones that best match a question (no database).

An imported draft often arrives without a source quote. To suggest one, a section's
text is cut into sentences that are verbatim substrings of it, so that any of them
passes ``quizzes.rules.quote_problems`` exactly as it stands, and the sentences are
ranked by a fuzzy match against what the question says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

# A sentence ends at . ! ? (with any closing quote or bracket after it) followed by
# whitespace, and at every line break: the documents put headings and list items
# on lines of their own, without a full stop.
SENTENCE_END = re.compile(r"(?<=[.!?])[”’\"')\]]*(?=\s)|\n")
# Words whose full stop does not end a sentence ("e.g. a bolus", "Dr. Smith").
ABBREVIATIONS = frozenset(
    {"e.g", "i.e", "etc", "vs", "cf", "dr", "mr", "mrs", "ms", "prof", "approx"}
)
LAST_WORD = re.compile(r"(\w+(?:\.\w+)*)\.$")
# A list item's marker is not part of its sentence ("- Pain Management:").
LEADING_MARKER = re.compile(r"^(?:[-–—•*]|\d{1,2}[.)])\s+")
# Shorter than this, a "sentence" is a stray fragment ("Risks", "1.") that would
# make a poor quote and, with a set-based scorer, a deceptively perfect match.
MIN_WORDS = 3
# ``token_set_ratio`` finds the sentence that shares the question's words, but it
# scores 100 for any sentence whose words are a subset of the question's, however
# few; ``token_sort_ratio`` weighs the whole of both, so it prefers the sentence
# that covers most of what the question says. Half and half ranked the real
# quote's sentence first for 85 of the 98 seed questions and in the top 3 for all
# 98, against 65 / 96 for ``token_set_ratio`` alone and 70 / 92 for
# ``partial_ratio`` (which only helps when the explanation copies the passage);
# see tests/test_quote_match.py::test_seed_quotes_rank_first_for_most_questions.
SET_WEIGHT = 0.5


@dataclass(frozen=True)
class QuoteSuggestion:
    """A sentence of the section, verbatim, and how well it matches (0–100)."""

    sentence: str
    score: int


def section_sentences(text: str) -> list[str]:
    """The sentences of ``text``, each a verbatim substring of it, in order, once.

    Cut at line breaks and after a sentence's final punctuation; a list item's
    marker and surrounding whitespace are trimmed off, not rewritten, so every
    sentence stays a slice of ``text``. Fragments under ``MIN_WORDS`` words are left
    out, and a sentence the text repeats is listed once.
    """
    sentences: list[str] = []
    seen: set[str] = set()
    for piece in _pieces(text):
        sentence = LEADING_MARKER.sub("", piece.strip()).strip()
        if len(sentence.split()) >= MIN_WORDS and sentence not in seen:
            seen.add(sentence)
            sentences.append(sentence)
    return sentences


def question_text(
    *, stem: str, keys: Iterable[str], explanation: str, extra: str = ""
) -> str:
    """What a question says about its passage: stem, key option(s), explanation.

    ``extra`` is any other hint at the passage (a quote that is not verbatim).
    """
    return "\n".join(part for part in [stem, *keys, explanation, extra] if part)


def quote_suggestions(
    *, question_text: str, section_text: str, limit: int = 3
) -> list[QuoteSuggestion]:
    """The ``limit`` sentences of the section that best match the question, best
    first; ties keep the section's order. Empty when the section has no sentence."""
    return ranked_sentences(
        question_text=question_text,
        sentences=section_sentences(section_text),
        limit=limit,
    )


def ranked_sentences(
    *, question_text: str, sentences: list[str], limit: int = 3
) -> list[QuoteSuggestion]:
    """``quote_suggestions`` over sentences already cut (one cut per section)."""
    if not sentences or limit < 1:
        return []
    scores = [0.0] * len(sentences)
    # Each scorer runs natively over all the sentences, the question processed once
    # (a Python scorer would be called, and re-process the question, per sentence).
    for scorer, weight in (
        (fuzz.token_set_ratio, SET_WEIGHT),
        (fuzz.token_sort_ratio, 1 - SET_WEIGHT),
    ):
        for _, score, index in process.extract(
            question_text,
            sentences,
            scorer=scorer,
            processor=utils.default_process,
            limit=None,
        ):
            scores[index] += weight * score
    # Best first; equal scores keep the text's order.
    ranked = sorted(range(len(sentences)), key=lambda index: (-scores[index], index))
    return [
        QuoteSuggestion(sentence=sentences[index], score=round(scores[index]))
        for index in ranked[:limit]
    ]


def blended_score(question_text: str, sentence: str) -> float:
    """The score ``ranked_sentences`` gives one sentence (0–100)."""
    question_text = utils.default_process(question_text)
    sentence = utils.default_process(sentence)
    return SET_WEIGHT * fuzz.token_set_ratio(question_text, sentence) + (
        1 - SET_WEIGHT
    ) * fuzz.token_sort_ratio(question_text, sentence)


def _pieces(text: str) -> Iterable[str]:
    start = 0
    for match in SENTENCE_END.finditer(text):
        end = match.end()
        if match.group() != "\n" and _ends_in_abbreviation(text[start:end]):
            continue
        yield text[start:end]
        start = end
    yield text[start:]


def _ends_in_abbreviation(piece: str) -> bool:
    """True when the full stop closing ``piece`` belongs to an abbreviation."""
    match = LAST_WORD.search(piece.rstrip("”’\"')]"))
    return bool(match) and match.group(1).lower() in ABBREVIATIONS
