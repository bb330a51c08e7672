"""Where a trainee stands after an attempt: answer counts, time per question and
the percentile among peers. Pure arithmetic, no database.

The percentile compares first attempts only: a trainee's later attempts at a quiz
they have seen before would flatter the comparison.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

# Fewer peers than this and the percentile is not shown at all: with a handful of
# colleagues a rank says too much about each of them.
MIN_PEERS = 10


@dataclass(frozen=True)
class AnswerCounts:
    """How the questions of an attempt went. A question scored between 0 and 1
    point is ``partly_correct``, counted apart from correct and incorrect."""

    correct: int
    partly_correct: int
    incorrect: int
    omitted: int


def answer_counts(*, answers: Sequence[tuple[bool, float | None]]) -> AnswerCounts:
    """Count ``answers``, each ``(answered, score)``: unanswered is omitted, whatever
    its score; a score of 1 or more is correct, above 0 partly correct, else
    incorrect."""
    correct = partly = incorrect = omitted = 0
    for answered, score in answers:
        if not answered:
            omitted += 1
        elif (score or 0) >= 1:
            correct += 1
        elif (score or 0) > 0:
            partly += 1
        else:
            incorrect += 1
    return AnswerCounts(correct, partly, incorrect, omitted)


def time_per_question(*, used: timedelta, questions: int) -> timedelta | None:
    """The attempt's time divided evenly by its questions (None without questions).

    An average, not a measure: the attempt does not record when each question was
    opened, only when its answer was last saved."""
    if questions <= 0:
        return None
    return used / questions


def percentile_rank(*, own: float, peers: Sequence[float]) -> float | None:
    """The percent of ``peers`` who scored strictly lower than ``own``, plus half of
    those who scored the same, rounded to a whole number; None (not shown) when
    there are fewer than ``MIN_PEERS`` peers.

    ``own`` is the trainee's percent on their first finished attempt; ``peers`` the
    percents of the other trainees' first finished attempts. Examples: above all
    10 peers is 100; tied with all of them is 50; above 3 of 10 and tied with 2 is
    (3 + 1) / 10 = 40.
    """
    if len(peers) < MIN_PEERS:
        return None
    lower = sum(1 for p in peers if p < own)
    tied = sum(1 for p in peers if p == own)
    return round(100 * (lower + tied / 2) / len(peers))
