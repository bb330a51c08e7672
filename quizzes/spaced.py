"""Spaced review: the FSRS scheduling rules, as pure functions (no database).

The one module that talks to the ``fsrs`` package (pinned to major 6 in
requirements.txt). Each answered question is a card per trainee; each final answer
is a review of it, rated by ``rating_for``, and ``card_review`` gives the card's
next state, which ``quizzes.services.reviews`` stores in a ``ReviewCard`` row.

Scheduler settings, chosen once here:

- the library's default FSRS-6 parameters (``fsrs.scheduler.DEFAULT_PARAMETERS``)
  and its default desired retention, 0.9. At 0.9 the interval in days is the
  stability rounded (at least 1 day), since FSRS's forgetting curve is fitted so
  that recall falls to 90 % after ``stability`` days; tests check that by hand;
- fuzzing off, so intervals are deterministic (the library's fuzz spreads due dates
  at random; ``random`` would make a trainee's due list and the tests unstable);
- no learning or relearning steps (the library's default is 1 and 10 minutes, made
  for flashcards turned over again in the same sitting). A question is answered in
  a quiz, not flipped in a deck: a due date 10 minutes after a finished exam would
  only fill "Review due" with what was just seen. Without steps every review
  schedules whole days: a first Good is due in 2 days, a first Again in 1 day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from fsrs import Card, Rating, Scheduler, State
from fsrs.scheduler import DEFAULT_PARAMETERS

# The tutor-mode confidence a trainee may give with a confirmed answer.
UNSURE = "unsure"
SURE = "sure"
CONFIDENCES = (UNSURE, SURE)

SCHEDULER = Scheduler(
    parameters=DEFAULT_PARAMETERS,
    desired_retention=0.9,
    learning_steps=(),
    relearning_steps=(),
    enable_fuzzing=False,
)


@dataclass(frozen=True)
class CardState:
    """A card's schedule, field for field as ``ReviewCard`` stores it.

    ``state`` is ``fsrs.State`` as an int (1 learning, 2 review, 3 relearning);
    ``step`` is the learning step, None in the review state. ``stability`` (days)
    and ``difficulty`` (1–10) are None only before the first review.
    """

    due: datetime
    stability: float | None
    difficulty: float | None
    state: int
    step: int | None
    last_review: datetime | None


def answer_is_correct(score: Decimal | float | int) -> bool:
    """True only for full marks.

    Partial credit (a multiple-answer question half right) counts as wrong: FSRS
    rates recall of the whole item, and a trainee who missed part of the key did
    not recall it. Rating it Again brings it back soon; rating it Hard would stretch
    the interval as if it had been known.
    """
    return Decimal(score) >= 1


def rating_for(*, correct: bool, confidence: str | None = None) -> Rating:
    """The FSRS rating of an answer: Again when wrong, Good when right.

    In tutor mode a confidence given with a right answer turns it into Hard
    ("unsure") or Easy ("sure"). A wrong answer stays Again whatever the confidence:
    a confident mistake is still a lapse of memory.
    """
    if confidence is not None and confidence not in CONFIDENCES:
        raise ValueError(f"confidence must be one of {CONFIDENCES}, not {confidence!r}")
    if not correct:
        return Rating.Again
    return {UNSURE: Rating.Hard, SURE: Rating.Easy}.get(confidence, Rating.Good)


def card_review(*, card: CardState | None, rating: Rating, now: datetime) -> CardState:
    """The card's state after a review rated ``rating`` at ``now``.

    ``card`` None is a question answered for the first time: a new card, reviewed
    at ``now``. ``now`` must be timezone-aware; it is converted to UTC, as the
    library requires.
    """
    now = now.astimezone(UTC)
    # card_id is given: without one the library stamps the clock and sleeps 1 ms
    # per card. The id plays no part in the schedule.
    if card is None:
        fsrs_card = Card(card_id=0, due=now)
    else:
        fsrs_card = Card(
            card_id=0,
            state=State(card.state),
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=card.due.astimezone(UTC),
            last_review=card.last_review.astimezone(UTC) if card.last_review else None,
        )
    reviewed, _log = SCHEDULER.review_card(fsrs_card, rating, review_datetime=now)
    return CardState(
        due=reviewed.due,
        stability=reviewed.stability,
        difficulty=reviewed.difficulty,
        state=int(reviewed.state),
        step=reviewed.step,
        last_review=reviewed.last_review,
    )
