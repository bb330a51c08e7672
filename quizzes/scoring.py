"""The scoring rules, as pure functions (documented in the README).

- ``single`` and ``true_false``: 1 if the chosen set is exactly the key, else 0.
- ``multiple``: ``max(0, (correct chosen − wrong chosen) / number correct)``.
- Unanswered: 0.
- A quiz grade over a trainee's finished attempts: highest, latest, first or the
  average of their percentages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from quizzes.choices import GradingMethod, QuestionKind

SCORE_PLACES = Decimal("0.0001")


def answer_score(
    *, kind: str, correct_ids: Iterable[int], chosen_ids: Iterable[int]
) -> Decimal:
    """The score of one answer, between 0 and 1, to four decimal places."""
    correct, chosen = set(correct_ids), set(chosen_ids)
    if not chosen or not correct:
        return Decimal(0)
    if kind == QuestionKind.MULTIPLE:
        right = len(chosen & correct)
        wrong = len(chosen - correct)
        fraction = max(Fraction(0), Fraction(right - wrong, len(correct)))
    else:
        fraction = Fraction(int(chosen == correct))
    return (Decimal(fraction.numerator) / Decimal(fraction.denominator)).quantize(
        SCORE_PLACES, rounding=ROUND_HALF_UP
    )


def quiz_grade(*, percents: Sequence[float], method: str) -> float | None:
    """A trainee's grade for a quiz from their finished attempts' percentages.

    ``percents`` is in the order the attempts were started; None if there are none.
    """
    if not percents:
        return None
    if method == GradingMethod.HIGHEST:
        return max(percents)
    if method == GradingMethod.LATEST:
        return percents[-1]
    if method == GradingMethod.FIRST:
        return percents[0]
    return round(sum(percents) / len(percents), 1)
