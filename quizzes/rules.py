"""The rules a question must meet before trainees see it.

Pure functions over plain values, so that the model's ``clean()``, the admin's forms,
the bank loader and ``audit_bank`` all apply one and the same rule set. Each problem is
a sentence that tells the author what is wrong and what to change.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Protocol

from quizzes.choices import QuestionKind

OPTION_COUNT = {
    QuestionKind.SINGLE: (4, 5),
    QuestionKind.MULTIPLE: (4, 5),
    QuestionKind.TRUE_FALSE: (2, 2),
}
TRUE_FALSE_CHOICES = ("True", "False")
TRUE_FALSE_TEXTS = {text.lower() for text in TRUE_FALSE_CHOICES}
CATCH_ALL_OPTION = re.compile(
    r"\b(all|none|both|neither) of the (above|options)\b", re.I
)
# A negative stem ("Which of the following is not…") must be marked in capitals so
# that nobody misreads it. A "not" far from the question word is a clause of the
# vignette ("when IV access is not feasible"), not a negative stem.
UNMARKED_NEGATIVE = re.compile(
    r"\b(?:(?i:which|what)\b(?:\W+\w+){0,5}?\W+(not)|(except|least))\b"
)
# Bank-level cue limits, over the single/multiple questions of one bank.
MAX_LONGEST_KEY_SHARE = 1 / 3
MAX_SAME_POSITION_SHARE = 0.5
MIN_QUESTIONS_FOR_CUE_CHECKS = 4
# Published questions each top-level section needs: the untitled opening summary and
# the conclusion are short, the titled articles are not.
SHORT_SECTION_SLUGS = {"overview", "conclusion"}
MIN_QUESTIONS_SHORT_SECTION = 4
MIN_QUESTIONS_ARTICLE = 10


class ChoiceLike(Protocol):
    text: str
    is_correct: bool
    rationale: str


class QuestionLike(Protocol):
    kind: str
    stem: str
    explanation: str
    source_quote: str


def choice_problems(*, kind: str, choices: Sequence[ChoiceLike]) -> list[str]:
    """Problems with a question's set of choices for its kind (count and keys)."""
    problems: list[str] = []
    correct = sum(1 for choice in choices if choice.is_correct)
    wrong = len(choices) - correct
    if kind == QuestionKind.SINGLE and correct != 1:
        problems.append(
            "a single-best-answer question needs exactly one correct choice; "
            f"{correct} {'is' if correct == 1 else 'are'} marked"
        )
    elif kind == QuestionKind.MULTIPLE and (correct < 2 or wrong < 1):
        problems.append(
            "a select-all-that-apply question needs at least two correct choices and "
            f"at least one wrong one; {correct} correct and {wrong} wrong are marked"
        )
    elif kind == QuestionKind.TRUE_FALSE:
        texts = sorted(choice.text.strip().lower() for choice in choices)
        if len(choices) != 2 or set(texts) != TRUE_FALSE_TEXTS:
            problems.append(
                'a true/false question needs exactly two choices, "True" and "False"; '
                f"it has {len(choices)}"
            )
        elif correct != 1:
            problems.append(
                f"a true/false question needs exactly one correct choice; {correct} "
                f"{'is' if correct == 1 else 'are'} marked"
            )
    low, high = OPTION_COUNT.get(kind, (0, 0))
    if kind != QuestionKind.TRUE_FALSE and not low <= len(choices) <= high:
        problems.append(f"it needs {low} to {high} choices; it has {len(choices)}")
    texts = [choice.text.strip().lower() for choice in choices]
    if len(set(texts)) != len(texts):
        problems.append("two choices have the same text")
    for position, choice in enumerate(choices, start=1):
        if not choice.text.strip():
            problems.append(f"choice {position} has no text")
        if not choice.rationale.strip():
            problems.append(f"choice {position} has no rationale")
        if CATCH_ALL_OPTION.search(choice.text):
            problems.append(
                f"choice {position} is a catch-all option "
                f"(“{choice.text.strip()}”); write a specific option instead"
            )
    return problems


def starting_choice_texts(*, kind: str) -> list[str]:
    """The choice rows a new question of ``kind`` starts with, as their texts.

    As many blank rows as the kind's fewest choices, or "True" and "False"; an
    unknown kind starts as a single-best-answer question, the bank's norm.
    """
    if kind == QuestionKind.TRUE_FALSE:
        return list(TRUE_FALSE_CHOICES)
    low, _ = OPTION_COUNT.get(kind, OPTION_COUNT[QuestionKind.SINGLE])
    return [""] * low


def quote_problems(*, source_quote: str, section_text: str) -> list[str]:
    """Problems with a question's source quote against its section's text."""
    if not source_quote.strip():
        return ["the source quote is empty; quote the passage that supports the key"]
    if source_quote not in section_text:
        return [
            "the source quote does not appear verbatim in the section's text "
            "(check curly apostrophes, quotes and dashes): "
            f"“{_shorten(source_quote)}”"
        ]
    return []


def question_problems(
    *,
    question: QuestionLike,
    choices: Sequence[ChoiceLike],
    section_text: str,
) -> list[str]:
    """Every problem with one question: stem, explanation, choices and quote."""
    problems: list[str] = []
    if question.kind not in QuestionKind.values:
        problems.append(
            f"unknown kind “{question.kind}”; use one of {QuestionKind.values}"
        )
    if not question.stem.strip():
        problems.append("the stem is empty")
    elif match := UNMARKED_NEGATIVE.search(question.stem):
        word = match.group(1) or match.group(2)
        problems.append(
            f"the stem has an unmarked negative (“{word}”); rephrase it positively "
            f"or write it in capitals ({word.upper()})"
        )
    if not question.explanation.strip():
        problems.append("the explanation is empty")
    problems += choice_problems(kind=question.kind, choices=choices)
    problems += quote_problems(
        source_quote=question.source_quote, section_text=section_text
    )
    return problems


def bank_cue_problems(*, keyed_choices: Sequence[Sequence[ChoiceLike]]) -> list[str]:
    """Cues across a bank: the key always in one position, or mostly the longest.

    ``keyed_choices`` holds the ordered choices of each single/multiple question.
    """
    if len(keyed_choices) < MIN_QUESTIONS_FOR_CUE_CHECKS:
        return []
    problems: list[str] = []
    key_positions: Counter[int] = Counter()
    longest_is_key = 0
    for choices in keyed_choices:
        correct = [pos for pos, c in enumerate(choices, start=1) if c.is_correct]
        if len(correct) == 1:
            key_positions[correct[0]] += 1
        lengths = [len(choice.text.strip()) for choice in choices]
        if lengths and lengths.count(max(lengths)) == 1:
            longest_is_key += choices[lengths.index(max(lengths))].is_correct
    singles = sum(key_positions.values())
    if singles >= MIN_QUESTIONS_FOR_CUE_CHECKS:
        position, count = key_positions.most_common(1)[0]
        if count / singles > MAX_SAME_POSITION_SHARE:
            problems.append(
                f"the key is option {position} in {count} of {singles} single-answer "
                "questions; spread the keys over the positions"
            )
    if longest_is_key / len(keyed_choices) > MAX_LONGEST_KEY_SHARE:
        problems.append(
            f"the key is the longest option in {longest_is_key} of "
            f"{len(keyed_choices)} questions (at most {MAX_LONGEST_KEY_SHARE:.0%}); "
            "trainees learn to pick the longest option"
        )
    return problems


def minimum_questions(section_slug: str) -> int:
    """How many published questions a top-level section's bank needs."""
    if section_slug in SHORT_SECTION_SLUGS:
        return MIN_QUESTIONS_SHORT_SECTION
    return MIN_QUESTIONS_ARTICLE


def _shorten(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
