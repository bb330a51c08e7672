"""The rules a question must meet before trainees see it.

Pure functions over plain values, so that the model's ``clean()``, the admin's forms,
the bank loader, ``audit_bank`` and ``quizzes.bankcheck`` all apply one and the same
rule set. Each problem is a sentence that tells the author what is wrong and what to
change, and carries a stable code and whether it is a warning (``Problem``).

Errors are never acceptable. Warnings come from detectors of item-writing flaws that
can misfire (a word the stem and the key share may be the right clinical term): an
instructor, or a bank file, acknowledges one per question with a reason, and an
acknowledged warning no longer fails the audit (``problems_blocking``).

The detectors follow the NBME item-writing guide (issue 13): per question, absolute
terms only in distractors, clang, the key as the union of the distractors and stems
that point at "the section"; per bank, the key's length rank, the true/false key
balance and the spread of the number correct; per document, near-duplicate items.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from rapidfuzz import fuzz

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
# Test-wise trainees rule out options with absolute words; when only distractors
# carry them, the key stands out without any knowledge.
ABSOLUTE_TERM = re.compile(
    r"\b(only|always|never|every|all|none|must|completely|entirely|guaranteed"
    r"|no longer|cannot)\b",
    re.I,
)
# A stem that points at the reading ("what does the section say") tests the recall
# of wording; in a mixed exam "the section" means nothing to the trainee.
REFERS_TO_TEXT = re.compile(
    r"\b(?:the\s+(?:section|text|passage|article|overview|authors?)|according\s+to)"
    r"\b",
    re.I,
)
# The key joins distractors: "Nausea and vomiting" next to "Nausea" and "Vomiting".
JOINING_WORD = re.compile(r"\b(and|or|both)\b", re.I)
WORD = re.compile(r"[a-z]+(?:['’][a-z]+)?")
# Words a stem and a key may share without cueing the key: function words and the
# scaffolding of a question. Clang looks at the stem's content words only.
STOP_WORDS = frozenset(
    """
        about above after again against also among because been before
        being below best between both but could does doing down
        during each either from further have having here most much
        must other over same should some such than that their
        them then there these they this those through under until
        very were what when where which while whom whose will
        with within without would your yours following statement statements option
        options true false correct describes describe likely least answer question
        choose select apply
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
CONTENT_WORD_MIN_LENGTH = 4
# Near-duplicates across a document: similar stems, or most options shared.
NEAR_DUPLICATE_STEM_RATIO = 85
NEAR_DUPLICATE_SHARED_OPTIONS = 3

# Bank-level cue limits. The key-position and key-length rules read the
# single/multiple questions of one bank, from MIN_QUESTIONS_FOR_CUE_CHECKS of them;
# the true/false and number-correct rules need MIN_ITEMS_FOR_BALANCE items of their
# kind, since below that no split can meet a 40–60 % band (1 of 3 is 33 %).
MAX_KEY_LENGTH_SHARE = 0.35
MAX_SAME_POSITION_SHARE = 0.5
MIN_QUESTIONS_FOR_CUE_CHECKS = 4
TRUE_SHARE_RANGE = (0.4, 0.6)
MAX_SAME_NUMBER_CORRECT_SHARE = 0.6
MIN_ITEMS_FOR_BALANCE = 5
# Published questions each top-level section needs: the untitled opening summary and
# the conclusion are short, the titled articles are not.
SHORT_SECTION_SLUGS = {"overview", "conclusion"}
MIN_QUESTIONS_SHORT_SECTION = 4
MIN_QUESTIONS_ARTICLE = 10

# The codes of the detectors that can misfire: the only ones that can be
# acknowledged, per question, with a reason.
WARNING_CODES = {
    "absolute-in-distractors": "Absolute terms only in distractors",
    "clang": "A word of the question repeated in the key only",
    "stem-refers-to-text": "Refers to the reading, not to a situation",
    "near-duplicate": "Nearly the same as another item",
}


class Problem(str):
    """A problem's sentence, with its stable ``code`` and whether it is a ``warning``.

    A ``str``, so that every caller that lists, joins or compares problems keeps
    working; the code lets the audit count problems by class and match an
    acknowledgement.
    """

    code: str
    warning: bool

    def __new__(cls, text: str, *, code: str, warning: bool = False) -> Problem:
        problem = super().__new__(cls, text)
        problem.code = code
        problem.warning = warning
        return problem

    def __getnewargs_ex__(self):
        # Copies and pickles (form errors are deep-copied) rebuild it whole.
        return (str(self),), {"code": self.code, "warning": self.warning}


def warning(text: str, *, code: str) -> Problem:
    assert code in WARNING_CODES, code
    return Problem(text, code=code, warning=True)


class ChoiceLike(Protocol):
    text: str
    is_correct: bool
    rationale: str


class QuestionLike(Protocol):
    kind: str
    stem: str
    explanation: str
    source_quote: str


@dataclass(frozen=True)
class Item:
    """One question as the document-wide detectors see it: a label and its text."""

    label: str
    kind: str
    stem: str
    choices: Sequence[ChoiceLike]


def problems_blocking(
    problems: Sequence[str], *, acknowledged: Mapping[str, str] | None = None
) -> list[str]:
    """The problems that stand: every error, and each warning not acknowledged.

    A plain string counts as an error. An acknowledgement needs a reason.
    """
    acknowledged = acknowledged or {}
    return [
        problem
        for problem in problems
        if not (
            getattr(problem, "warning", False)
            and str(acknowledged.get(problem.code, "")).strip()
        )
    ]


def acknowledgement_problems(acknowledged: Mapping[str, object]) -> list[str]:
    """What is wrong with a set of acknowledgements ({code: reason})."""
    problems = []
    for code, reason in acknowledged.items():
        if code not in WARNING_CODES:
            problems.append(
                f"“{code}” cannot be acknowledged: only warnings can "
                f"({', '.join(WARNING_CODES)})"
            )
        elif not isinstance(reason, str) or not reason.strip():
            problems.append(f"the acknowledgement of “{code}” needs a reason")
    return problems


def choice_problems(*, kind: str, choices: Sequence[ChoiceLike]) -> list[str]:
    """Problems with a question's set of choices for its kind (count and keys)."""
    problems: list[str] = []
    correct = sum(1 for choice in choices if choice.is_correct)
    wrong = len(choices) - correct
    if kind == QuestionKind.SINGLE and correct != 1:
        problems.append(
            Problem(
                "a single-best-answer question needs exactly one correct choice; "
                f"{correct} {'is' if correct == 1 else 'are'} marked",
                code="key-count",
            )
        )
    elif kind == QuestionKind.MULTIPLE and (correct < 2 or wrong < 1):
        problems.append(
            Problem(
                "a select-all-that-apply question needs at least two correct choices "
                f"and at least one wrong one; {correct} correct and {wrong} wrong are "
                "marked",
                code="key-count",
            )
        )
    elif kind == QuestionKind.TRUE_FALSE:
        texts = sorted(choice.text.strip().lower() for choice in choices)
        if len(choices) != 2 or set(texts) != TRUE_FALSE_TEXTS:
            problems.append(
                Problem(
                    "a true/false question needs exactly two choices, "
                    f'"True" and "False"; it has {len(choices)}',
                    code="option-count",
                )
            )
        elif correct != 1:
            problems.append(
                Problem(
                    "a true/false question needs exactly one correct choice; "
                    f"{correct} {'is' if correct == 1 else 'are'} marked",
                    code="key-count",
                )
            )
    low, high = OPTION_COUNT.get(kind, (0, 0))
    if kind != QuestionKind.TRUE_FALSE and not low <= len(choices) <= high:
        problems.append(
            Problem(
                f"it needs {low} to {high} choices; it has {len(choices)}",
                code="option-count",
            )
        )
    texts = [choice.text.strip().lower() for choice in choices]
    if len(set(texts)) != len(texts):
        problems.append(Problem("two choices have the same text", code="same-text"))
    for position, choice in enumerate(choices, start=1):
        if not choice.text.strip():
            problems.append(
                Problem(f"choice {position} has no text", code="choice-empty")
            )
        if not choice.rationale.strip():
            problems.append(
                Problem(f"choice {position} has no rationale", code="no-rationale")
            )
        if CATCH_ALL_OPTION.search(choice.text):
            problems.append(
                Problem(
                    f"choice {position} is a catch-all option "
                    f"(“{choice.text.strip()}”); write a specific option instead",
                    code="catch-all",
                )
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
        return [
            Problem(
                "the source quote is empty; quote the passage that supports the key",
                code="quote-empty",
            )
        ]
    if source_quote not in section_text:
        return [
            Problem(
                "the source quote does not appear verbatim in the section's text "
                "(check curly apostrophes, quotes and dashes): "
                f"“{_shorten(source_quote)}”",
                code="quote-not-verbatim",
            )
        ]
    return []


def question_problems(
    *,
    question: QuestionLike,
    choices: Sequence[ChoiceLike],
    section_text: str,
) -> list[str]:
    """Every problem with one question: stem, explanation, choices, quote and the
    item-writing flaws (``item_flaw_problems``)."""
    problems: list[str] = []
    if question.kind not in QuestionKind.values:
        problems.append(
            Problem(
                f"unknown kind “{question.kind}”; use one of {QuestionKind.values}",
                code="unknown-kind",
            )
        )
    if not question.stem.strip():
        problems.append(Problem("the stem is empty", code="stem-empty"))
    elif match := UNMARKED_NEGATIVE.search(question.stem):
        word = match.group(1) or match.group(2)
        problems.append(
            Problem(
                f"the stem has an unmarked negative (“{word}”); rephrase it "
                f"positively or write it in capitals ({word.upper()})",
                code="unmarked-negative",
            )
        )
    if not question.explanation.strip():
        problems.append(Problem("the explanation is empty", code="explanation-empty"))
    problems += choice_problems(kind=question.kind, choices=choices)
    problems += quote_problems(
        source_quote=question.source_quote, section_text=section_text
    )
    problems += item_flaw_problems(
        kind=question.kind, stem=question.stem, choices=choices
    )
    return problems


# --- Item-writing flaws of one question ----------------------------------------


def item_flaw_problems(
    *, kind: str, stem: str, choices: Sequence[ChoiceLike]
) -> list[str]:
    """The item-writing flaws of one question: the detectors that need no other
    question. Each returns at most one problem."""
    return [
        problem
        for problem in (
            absolute_in_distractors(kind=kind, choices=choices),
            clang(kind=kind, stem=stem, choices=choices),
            key_union(kind=kind, choices=choices),
            stem_refers_to_text(stem=stem),
        )
        if problem is not None
    ]


def absolute_in_distractors(
    *, kind: str, choices: Sequence[ChoiceLike]
) -> Problem | None:
    """An absolute term (only, always, never…) in a distractor and in no key."""
    if kind == QuestionKind.TRUE_FALSE:
        return None
    if any(ABSOLUTE_TERM.search(c.text) for c in choices if c.is_correct):
        return None
    for position, choice in enumerate(choices, start=1):
        if not choice.is_correct and (match := ABSOLUTE_TERM.search(choice.text)):
            return warning(
                f"an absolute term (“{_words(match.group(0))}”) is in distractor "
                f"{position} and in no key: test-wise trainees rule such options "
                "out; qualify the distractors, or use absolute terms in keys too",
                code="absolute-in-distractors",
            )
    return None


def clang(*, kind: str, stem: str, choices: Sequence[ChoiceLike]) -> Problem | None:
    """A content word of the stem repeated in a key and in no distractor."""
    # Without a distractor there is no cue to compare with (and the key-count rule
    # already reports such a question).
    if kind == QuestionKind.TRUE_FALSE or all(c.is_correct for c in choices):
        return None
    stem_words = _content_words(stem)
    in_distractors = set().union(
        *(_content_stems(c.text) for c in choices if not c.is_correct)
    )
    for choice in choices:
        if not choice.is_correct:
            continue
        shared = sorted(
            (_content_stems(choice.text) & stem_words.keys()) - in_distractors
        )
        if shared:
            words = ", ".join(f"“{stem_words[word]}”" for word in shared)
            return warning(
                f"clang: the stem's {words} is repeated in the key and in no "
                "distractor, which points at the key; reword the key or use the word "
                "in distractors too",
                code="clang",
            )
    return None


def key_union(*, kind: str, choices: Sequence[ChoiceLike]) -> Problem | None:
    """A key that contains every distractor, or joins two or more of them."""
    if kind == QuestionKind.TRUE_FALSE:
        return None
    distractors = [_normal(c.text) for c in choices if not c.is_correct]
    distractors = [text for text in distractors if text]
    for position, choice in enumerate(choices, start=1):
        if not choice.is_correct:
            continue
        key = _normal(choice.text)
        inside = [d for d in distractors if d != key and _contains_words(key, d)]
        joins = len(inside) >= 2 and JOINING_WORD.search(key)
        if len(distractors) >= 2 and (len(inside) == len(distractors) or joins):
            return Problem(
                f"the key (choice {position}) is the union of distractors it "
                f"contains ({len(inside)} of {len(distractors)}): trainees pick the "
                "option that covers the others; write a key of its own",
                code="key-union",
            )
    return None


def stem_refers_to_text(*, stem: str) -> Problem | None:
    """A stem that asks what "the section" (text, passage, authors…) says."""
    match = REFERS_TO_TEXT.search(stem)
    if match is None:
        return None
    return warning(
        f"the stem refers to the reading (“{_words(match.group(0))}”): in a mixed "
        "exam that means nothing to the trainee; put the fact in a patient, a "
        "decision or a monitoring step",
        code="stem-refers-to-text",
    )


# --- Across a bank ----------------------------------------------------------------


def bank_cue_problems(*, keyed_choices: Sequence[Sequence[ChoiceLike]]) -> list[str]:
    """Cues across a bank: the key always in one position, or mostly the longest
    or the shortest option.

    ``keyed_choices`` holds the ordered choices of each single/multiple question.
    """
    if len(keyed_choices) < MIN_QUESTIONS_FOR_CUE_CHECKS:
        return []
    problems: list[str] = []
    key_positions: Counter[int] = Counter()
    for choices in keyed_choices:
        correct = [pos for pos, c in enumerate(choices, start=1) if c.is_correct]
        if len(correct) == 1:
            key_positions[correct[0]] += 1
    singles = sum(key_positions.values())
    if singles >= MIN_QUESTIONS_FOR_CUE_CHECKS:
        position, count = key_positions.most_common(1)[0]
        if count / singles > MAX_SAME_POSITION_SHARE:
            problems.append(
                Problem(
                    f"the key is option {position} in {count} of {singles} "
                    "single-answer questions; spread the keys over the positions",
                    code="key-position",
                )
            )
    return problems + key_length_problems(keyed_choices=keyed_choices)


def key_length_problems(*, keyed_choices: Sequence[Sequence[ChoiceLike]]) -> list[str]:
    """The key strictly the longest, or strictly the shortest, option in more than
    35 % of the single/multiple questions (from four of them)."""
    total = len(keyed_choices)
    if total < MIN_QUESTIONS_FOR_CUE_CHECKS:
        return []
    problems: list[str] = []
    for code, word, pick in (
        ("key-longest-share", "longest", max),
        ("key-shortest-share", "shortest", min),
    ):
        count = sum(_extreme_is_key(choices, pick) for choices in keyed_choices)
        if count / total > MAX_KEY_LENGTH_SHARE:
            problems.append(
                Problem(
                    f"the key is the {word} option in {count} of {total} questions "
                    f"(at most {MAX_KEY_LENGTH_SHARE:.0%}); trainees learn to pick "
                    f"the {word} option",
                    code=code,
                )
            )
    return problems


def true_false_balance_problems(
    *, true_false_choices: Sequence[Sequence[ChoiceLike]]
) -> list[str]:
    """Between 40 % and 60 % of the true/false items keyed True (from five items)."""
    total = len(true_false_choices)
    if total < MIN_ITEMS_FOR_BALANCE:
        return []
    keyed_true = sum(
        any(c.is_correct and c.text.strip().lower() == "true" for c in choices)
        for choices in true_false_choices
    )
    low, high = TRUE_SHARE_RANGE
    if low <= keyed_true / total <= high:
        return []
    return [
        Problem(
            f"{keyed_true} of {total} true/false items are keyed True "
            f"(between {low:.0%} and {high:.0%}): trainees who guess the majority "
            "key score without knowing",
            code="true-false-balance",
        )
    ]


def multiple_count_problems(
    *, multiple_choices: Sequence[Sequence[ChoiceLike]]
) -> list[str]:
    """No single number of correct options in more than 60 % of the select-all
    items (from five items)."""
    total = len(multiple_choices)
    if total < MIN_ITEMS_FOR_BALANCE:
        return []
    counts = Counter(sum(c.is_correct for c in choices) for choices in multiple_choices)
    number, count = counts.most_common(1)[0]
    if count / total <= MAX_SAME_NUMBER_CORRECT_SHARE:
        return []
    return [
        Problem(
            f"{count} of {total} select-all items have exactly {number} correct "
            f"options (at most {MAX_SAME_NUMBER_CORRECT_SHARE:.0%}): trainees learn "
            "how many to tick",
            code="multiple-count-spread",
        )
    ]


def bank_problems(*, items: Sequence[Item]) -> list[str]:
    """Every rule over a bank (or a document's items taken together): key position,
    key length, true/false balance and the spread of the number correct."""
    keyed = [i.choices for i in items if i.kind != QuestionKind.TRUE_FALSE]
    return [*bank_cue_problems(keyed_choices=keyed), *_key_count_problems(items)]


def document_balance_problems(*, items: Sequence[Item]) -> list[str]:
    """The length, true/false and number-correct rules over a whole document, which
    catch what banks too small for their own check hide."""
    keyed = [i.choices for i in items if i.kind != QuestionKind.TRUE_FALSE]
    return [*key_length_problems(keyed_choices=keyed), *_key_count_problems(items)]


def _key_count_problems(items: Sequence[Item]) -> list[str]:
    """The true/false balance and the spread of the number correct."""
    return [
        *true_false_balance_problems(
            true_false_choices=[
                i.choices for i in items if i.kind == QuestionKind.TRUE_FALSE
            ]
        ),
        *multiple_count_problems(
            multiple_choices=[
                i.choices for i in items if i.kind == QuestionKind.MULTIPLE
            ]
        ),
    ]


# --- Across a document ------------------------------------------------------------


def near_duplicate_problems(
    *, items: Sequence[Item], first_only: bool = False
) -> dict[int, list[str]]:
    """Pairs of items with similar stems (token-set ratio ≥ 85) or at least three
    option texts in common, reported on both: ``{index in items: problems}``.

    ``first_only`` compares the first item with the others only (one question
    being edited against its document).
    """
    found: dict[int, list[str]] = {}
    options = [{_normal(c.text) for c in item.choices} - {""} for item in items]
    stems = [" ".join(item.stem.lower().split()) for item in items]
    for i in range(1 if first_only else len(items)):
        for j in range(i + 1, len(items)):
            shared = len(options[i] & options[j])
            ratio = fuzz.token_set_ratio(stems[i], stems[j])
            if shared < NEAR_DUPLICATE_SHARED_OPTIONS and (
                ratio < NEAR_DUPLICATE_STEM_RATIO
            ):
                continue
            why = (
                f"{shared} option texts in common"
                if shared >= NEAR_DUPLICATE_SHARED_OPTIONS
                else f"stems {ratio:.0f}% alike"
            )
            for this, other in ((i, j), (j, i)):
                found.setdefault(this, []).append(
                    warning(
                        f"near-duplicate of {items[other].label} ({why}): two items "
                        "that test one concept; merge them or make them differ",
                        code="near-duplicate",
                    )
                )
    return found


def minimum_questions(section_slug: str) -> int:
    """How many published questions a top-level section's bank needs."""
    if section_slug in SHORT_SECTION_SLUGS:
        return MIN_QUESTIONS_SHORT_SECTION
    return MIN_QUESTIONS_ARTICLE


def _extreme_is_key(choices: Sequence[ChoiceLike], pick) -> bool:
    """Whether the strictly longest (``max``) or shortest (``min``) option is a key."""
    lengths = [len(choice.text.strip()) for choice in choices]
    if not lengths:
        return False
    target = pick(lengths)
    if lengths.count(target) != 1:
        return False
    return bool(choices[lengths.index(target)].is_correct)


def _word_stem(word: str) -> str:
    """A crude stem: "routes", "routed", "routing" → "rout"; enough to match forms."""
    for suffix in ("ing", "es", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _content_words(text: str) -> dict[str, str]:
    """The content words of ``text`` by their stem: {"infusion": "infusions"}."""
    words: dict[str, str] = {}
    for word in WORD.findall(text.lower()):
        if len(word) >= CONTENT_WORD_MIN_LENGTH and word not in STOP_WORDS:
            words.setdefault(_word_stem(word), word)
    return words


def _content_stems(text: str) -> set[str]:
    return {
        _word_stem(word)
        for word in WORD.findall(text.lower())
        if len(word) >= CONTENT_WORD_MIN_LENGTH and word not in STOP_WORDS
    }


def _normal(text: str) -> str:
    """An option's text compared across options: lower case, single spaces, no
    closing punctuation."""
    return " ".join(text.lower().split()).strip(" .;:,")


def _contains_words(text: str, part: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(part)}(?!\w)", text) is not None


def _words(text: str) -> str:
    return " ".join(text.split())


def _shorten(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
