"""The custom test builder's pure rules: pools, bounds and the draw. No database.

A trainee builds a test from the published questions of some top-level sections,
taking those in the pools they tick (combinable, their union is drawn from):

- **unused**: never answered (no choice saved) in any of their attempts;
- **incorrect**: their last scored answer to it was not fully correct;
- **flagged**: flagged in their latest answer to it, whatever the attempt's state;
- **all**: every published question of the sections.

"Last" and "latest" follow the attempts' start, then their id: one trainee's
attempts never overlap on a question in any other order that matters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

COUNT_MIN, COUNT_MAX = 1, 100
SECONDS_MIN, SECONDS_MAX = 10, 600
SECONDS_DEFAULT = 90

MODE_TUTOR, MODE_TIMED = "tutor", "timed"
MODES = (MODE_TUTOR, MODE_TIMED)

POOL_UNUSED, POOL_INCORRECT, POOL_FLAGGED, POOL_ALL = (
    "unused",
    "incorrect",
    "flagged",
    "all",
)
POOLS = (POOL_UNUSED, POOL_INCORRECT, POOL_FLAGGED, POOL_ALL)

FULL_MARK = Decimal(1)


@dataclass(frozen=True)
class AnswerRow:
    """One of the trainee's answers, as read for the pools, in history order."""

    question_id: int
    answered: bool
    score: Decimal | None
    flagged: bool


@dataclass
class QuestionHistory:
    """What the trainee's answers to one question add up to."""

    answered: bool = False
    last_score: Decimal | None = None
    last_flagged: bool = False

    @property
    def incorrect(self) -> bool:
        return self.last_score is not None and self.last_score < FULL_MARK


@dataclass(frozen=True)
class PoolCounts:
    """A section's published questions, and how many fall in each pool."""

    unused: int = 0
    incorrect: int = 0
    flagged: int = 0
    total: int = 0

    def text(self) -> str:
        """ "12 unused · 3 incorrect · 1 flagged" for the form."""
        return (
            f"{self.unused} unused · {self.incorrect} incorrect · "
            f"{self.flagged} flagged"
        )


def question_histories(rows: Iterable[AnswerRow]) -> dict[int, QuestionHistory]:
    """Fold the trainee's answers, oldest first, into one state per question."""
    histories: dict[int, QuestionHistory] = {}
    for row in rows:
        history = histories.setdefault(row.question_id, QuestionHistory())
        history.answered = history.answered or row.answered
        history.last_flagged = row.flagged
        if row.score is not None:
            history.last_score = row.score
    return histories


@dataclass(frozen=True)
class QuestionState:
    """A question's pools for the trainee, as the database folds their answers."""

    answered: bool
    incorrect: bool
    last_flagged: bool


def question_state(
    *, answered: bool, last_wrong, last_right, last_flagged, last_unflagged
) -> QuestionState:
    """The same state as ``question_histories`` folds, from per-question maxima.

    ``last_wrong`` / ``last_right``: the latest start of an attempt in which the
    answer was scored below / at full marks; ``last_flagged`` / ``last_unflagged``:
    the latest start of one in which it was / was not flagged (None: no such
    answer). The later of each pair is the last answer's: one trainee's attempts
    never start at the same instant.
    """
    return QuestionState(
        answered=answered,
        incorrect=last_wrong is not None
        and (last_right is None or last_wrong > last_right),
        last_flagged=last_flagged is not None
        and (last_unflagged is None or last_flagged > last_unflagged),
    )


def in_pools(
    question_id: int, pools: Iterable[str], histories: dict[int, QuestionHistory]
) -> bool:
    """Whether a published question belongs to the union of ``pools``."""
    history = histories.get(question_id) or QuestionHistory()
    for pool in pools:
        if pool == POOL_ALL:
            return True
        if pool == POOL_UNUSED and not history.answered:
            return True
        if pool == POOL_INCORRECT and history.incorrect:
            return True
        if pool == POOL_FLAGGED and history.last_flagged:
            return True
    return False


def pool_counts(
    question_ids: Iterable[int],
    histories: dict[int, QuestionHistory] | dict[int, QuestionState],
) -> PoolCounts:
    """How many of ``question_ids`` (published ones) fall in each pool."""
    unused = incorrect = flagged = total = 0
    for question_id in question_ids:
        history = histories.get(question_id) or QuestionHistory()
        total += 1
        unused += not history.answered
        incorrect += history.incorrect
        flagged += history.last_flagged
    return PoolCounts(unused=unused, incorrect=incorrect, flagged=flagged, total=total)


def build_request_problems(
    *,
    section_ids: list[int],
    known_section_ids: Iterable[int],
    count: int | None,
    mode: str,
    pools: list[str],
    seconds_per_question: int | None,
) -> dict[str, str]:
    """What is wrong with a builder request, by form field (empty: nothing)."""
    problems = {}
    known = set(known_section_ids)
    if not section_ids:
        problems["sections"] = "Choose at least one section."
    elif not set(section_ids) <= known:
        problems["sections"] = "Choose among the sections listed."
    if count is None or not COUNT_MIN <= count <= COUNT_MAX:
        problems["count"] = f"Ask for {COUNT_MIN} to {COUNT_MAX} questions."
    if mode not in MODES:
        problems["mode"] = "Choose tutor or timed."
    if not pools:
        problems["pools"] = "Choose at least one pool of questions."
    elif not set(pools) <= set(POOLS):
        problems["pools"] = "Choose among unused, incorrect, flagged and all."
    if mode == MODE_TIMED and (
        seconds_per_question is None
        or not SECONDS_MIN <= seconds_per_question <= SECONDS_MAX
    ):
        problems["seconds_per_question"] = (
            f"Allow {SECONDS_MIN} to {SECONDS_MAX} seconds per question."
        )
    return problems


def draw(pool: list[int], count: int, rng) -> list[int]:
    """``count`` distinct ids drawn from ``pool`` by ``rng`` (all if fewer).

    The pool is sorted first so that one seed always draws the same test.
    """
    pool = sorted(set(pool))
    return rng.sample(pool, min(count, len(pool)))


def shortfall_text(*, asked: int, found: int) -> str:
    """The notice when the pool holds fewer questions than asked."""
    noun = "question matches" if found == 1 else "questions match"
    return f"Only {found} {noun}: your test has {found}."
