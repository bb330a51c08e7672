"""The FSRS scheduling rules (quizzes.spaced), checked against hand computations.

Every expected number below comes from the FSRS-6 formulas (as published with the
algorithm and implemented in fsrs 6.x) and the default parameters w0…w20
(``fsrs.scheduler.DEFAULT_PARAMETERS``), with desired retention 0.9, fuzzing off and
no learning steps:

- initial stability S0(G) = w[G-1]; initial difficulty D0(G) = w4 − e^(w5·(G−1)) + 1;
- the interval at retention 0.9 is S days, rounded, at least 1 (the forgetting
  curve R(t) = (1 + F·t/S)^(−w20), F = 0.9^(−1/w20) − 1, gives R(S) = 0.9);
- after a lapse S' = min(w11·D^(−w12)·((S+1)^w13 − 1)·e^(w14·(1−R)), S/e^(w17·w18));
- after a recall S' = S·(1 + e^w8·(11−D)·S^(−w9)·(e^(w10·(1−R)) − 1));
- D' = w7·D0(4) + (1−w7)·(D + (10−D)·(−w6·(G−3))/9), clamped to [1, 10].
"""

import math
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from fsrs import Rating
from fsrs.scheduler import DEFAULT_PARAMETERS as W

from quizzes.spaced import (
    SCHEDULER,
    CardState,
    answer_is_correct,
    card_review,
    rating_for,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
PLUS_TWO = timezone(timedelta(hours=2))


def d0(grade: int) -> float:
    return min(max(W[4] - math.e ** (W[5] * (grade - 1)) + 1, 1.0), 10.0)


def recall(elapsed_days: float, stability: float) -> float:
    factor = 0.9 ** (1 / -W[20]) - 1
    return (1 + factor * elapsed_days / stability) ** -W[20]


def next_difficulty(d: float, grade: int) -> float:
    damped = d + (10 - d) * (-W[6] * (grade - 3)) / 9
    return min(
        max(W[7] * (W[4] - math.e ** (W[5] * 3) + 1) + (1 - W[7]) * damped, 1), 10
    )


def test_scheduler_is_deterministic_with_library_defaults():
    """Fuzzing is off, the parameters and retention are the library's defaults, and
    there are no same-day learning steps."""
    assert SCHEDULER.enable_fuzzing is False
    assert SCHEDULER.parameters == tuple(W)
    assert SCHEDULER.desired_retention == 0.9
    assert SCHEDULER.learning_steps == () and SCHEDULER.relearning_steps == ()


def test_first_good_is_due_in_two_days():
    """A first right answer: S0(Good) = w2 = 2.3065 days, so due in round(2.3065) =
    2 days; D0(3) = 6.4133 − e^1.6668 + 1 ≈ 2.1181."""
    card = card_review(card=None, rating=Rating.Good, now=T0)
    assert card.stability == pytest.approx(2.3065)
    assert card.difficulty == pytest.approx(d0(3)) == pytest.approx(2.1181, abs=1e-4)
    assert card.due == T0 + 2 * DAY
    assert card.last_review == T0
    assert (card.state, card.step) == (2, None)


def test_first_again_is_due_in_one_day():
    """A first wrong answer: S0(Again) = w0 = 0.212 days, rounded to 0 and raised to
    the 1-day minimum; D0(1) = w4 = 6.4133."""
    card = card_review(card=None, rating=Rating.Again, now=T0)
    assert card.stability == pytest.approx(0.212)
    assert card.difficulty == pytest.approx(6.4133)
    assert card.due == T0 + DAY


@pytest.mark.parametrize(
    ("confidence", "rating", "stability", "days"),
    [("unsure", Rating.Hard, 1.2931, 1), ("sure", Rating.Easy, 8.2956, 8)],
)
def test_confidence_turns_a_right_answer_into_hard_or_easy(
    confidence, rating, stability, days
):
    """Unsure → Hard: S0 = w1 = 1.2931, due in 1 day; sure → Easy: S0 = w3 = 8.2956,
    due in 8 days."""
    assert rating_for(correct=True, confidence=confidence) == rating
    card = card_review(card=None, rating=rating, now=T0)
    assert card.stability == pytest.approx(stability)
    assert card.difficulty == pytest.approx(d0(int(rating)))
    assert card.due == T0 + days * DAY


@pytest.mark.parametrize("confidence", [None, "unsure", "sure"])
def test_wrong_answer_is_again_whatever_the_confidence(confidence):
    """A wrong answer is a lapse, however sure the trainee was."""
    assert rating_for(correct=False, confidence=confidence) == Rating.Again


def test_right_answer_without_confidence_is_good():
    """Exam mode, or tutor mode without a confidence: a right answer is Good."""
    assert rating_for(correct=True) == Rating.Good


def test_unknown_confidence_is_refused():
    """Only "unsure" and "sure" are confidences."""
    with pytest.raises(ValueError, match="confidence"):
        rating_for(correct=True, confidence="maybe")


@pytest.mark.parametrize(
    ("score", "correct"),
    [(Decimal("1"), True), (Decimal("0.5000"), False), (Decimal("0"), False)],
)
def test_partial_credit_counts_as_wrong(score, correct):
    """Only full marks are a right answer; half a multiple-answer key is Again."""
    assert answer_is_correct(score) is correct
    rating = rating_for(correct=answer_is_correct(score))
    assert rating == (Rating.Good if correct else Rating.Again)


def test_good_then_again_on_the_due_day_is_a_lapse():
    """Good at T0 (S = 2.3065, D ≈ 2.1181), then Again 2 days later when due:
    R = (1 + F·2/2.3065)^(−w20) ≈ 0.9; S' = min(long-term ≈ 0.6076, S/e^(w17·w18)
    ≈ 2.2) ≈ 0.6076, so due 1 day later; D' ≈ 7.3945."""
    first = card_review(card=None, rating=Rating.Good, now=T0)
    lapse_at = first.due
    r = recall(2, 2.3065)
    long_term = W[11] * d0(3) ** -W[12] * ((2.3065 + 1) ** W[13] - 1)
    long_term *= math.e ** (W[14] * (1 - r))
    expected = min(long_term, 2.3065 / math.e ** (W[17] * W[18]))
    assert expected == pytest.approx(0.6076, abs=1e-4)

    lapsed = card_review(card=first, rating=Rating.Again, now=lapse_at)

    assert lapsed.stability == pytest.approx(expected)
    assert lapsed.difficulty == pytest.approx(next_difficulty(d0(3), 1))
    assert lapsed.difficulty == pytest.approx(7.3945, abs=1e-4)
    assert lapsed.due == lapse_at + DAY
    assert lapsed.last_review == lapse_at


def test_good_then_good_on_the_due_day_is_due_in_eleven_days():
    """Good at T0, Good again when due 2 days later: S' = S·(1 + e^w8·(11−D)·
    S^(−w9)·(e^(w10·(1−R)) − 1)) ≈ 10.9643, so due in 11 days."""
    first = card_review(card=None, rating=Rating.Good, now=T0)
    r = recall(2, 2.3065)
    expected = 2.3065 * (
        1
        + math.e ** W[8]
        * (11 - d0(3))
        * 2.3065 ** -W[9]
        * (math.e ** (W[10] * (1 - r)) - 1)
    )
    assert expected == pytest.approx(10.9643, abs=1e-4)

    second = card_review(card=first, rating=Rating.Good, now=first.due)

    assert second.stability == pytest.approx(expected)
    assert second.due == first.due + 11 * DAY


def test_review_accepts_any_aware_clock():
    """A card stored and read back in another zone schedules the same."""
    first = card_review(card=None, rating=Rating.Good, now=T0)
    shifted = CardState(
        due=first.due.astimezone(PLUS_TWO),
        stability=first.stability,
        difficulty=first.difficulty,
        state=first.state,
        step=first.step,
        last_review=first.last_review.astimezone(PLUS_TWO),
    )
    later = (T0 + 2 * DAY).astimezone(PLUS_TWO)
    assert card_review(card=shifted, rating=Rating.Good, now=later) == card_review(
        card=first, rating=Rating.Good, now=T0 + 2 * DAY
    )
