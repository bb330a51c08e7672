"""Spaced review: every final answer is an FSRS review of the trainee's card.

Where answers become final, the attempt services call in here: ``attempt_finish``
reviews each answered question of the attempt (omitted ones are not reviews), and
in tutor mode ``answer_confirm`` reviews the confirmed answer at once (the finish
then leaves it alone). Personal tests are attempts too, so they count the same way.
A regrade does not re-review: the review happened when the trainee answered, with
what they knew then; rewriting the schedule later would invent a second review.

The scheduling rules are ``quizzes.spaced``; this module only reads and writes
``ReviewCard`` rows, in a constant number of queries whatever the number of answers.
What is due, for one trainee, is a read scoped to them: ``quizzes.selectors``
(``reviews_due``, ``review_due_count``, ``review_next_due``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fsrs import Rating

from quizzes.models import ReviewCard
from quizzes.spaced import CardState, card_review, rating_for

_SCHEDULE_FIELDS = [
    "due",
    "stability",
    "difficulty",
    "state",
    "step",
    "last_review",
    "reps",
    "lapses",
]


@dataclass(frozen=True)
class ReviewOutcome:
    """One final answer: right (full marks) or not, and the tutor-mode confidence."""

    question_id: int
    correct: bool
    confidence: str | None = None


def review_record(
    *,
    trainee,
    question_id: int,
    correct: bool,
    confidence: str | None,
    now: datetime,
) -> ReviewCard:
    """Review the trainee's card for the question at ``now``; a first answer creates
    the card and reviews it. Returns the card as stored.

    ``correct`` is full marks (``spaced.answer_is_correct``); ``confidence``
    ("unsure", "sure" or None) only changes a right answer (``spaced.rating_for``).
    """
    outcome = ReviewOutcome(question_id, correct, confidence)
    return reviews_record(trainee_id=trainee.pk, outcomes=[outcome], now=now)[0]


def reviews_record(
    *, trainee_id: int, outcomes: list[ReviewOutcome], now: datetime
) -> list[ReviewCard]:
    """Review one trainee's cards for several answers at ``now``, in two queries.

    One read of the existing cards, then one upsert (INSERT … ON CONFLICT DO UPDATE
    on the unique trainee and question): a card created meanwhile by another request
    is updated, not a duplicate nor an error. Nothing is read or written when there
    are no outcomes. Outcomes for the same question are applied in order.
    The cards are built without ids, so that the upsert's only conflict target is
    the trainee and question.
    """
    if not outcomes:
        return []
    cards = {
        card.question_id: card
        for card in ReviewCard.objects.filter(
            trainee_id=trainee_id,
            question_id__in={outcome.question_id for outcome in outcomes},
        )
    }
    for outcome in outcomes:
        card = cards.get(outcome.question_id)
        cards[outcome.question_id] = _reviewed(
            card=card, trainee_id=trainee_id, outcome=outcome, now=now
        )
    # In question order: two upserts of overlapping cards (two attempts of one
    # trainee finishing at once) then lock their rows in the same order, and
    # PostgreSQL cannot deadlock them.
    written = [cards[q] for q in sorted({o.question_id for o in outcomes})]
    return ReviewCard.objects.bulk_create(
        written,
        update_conflicts=True,
        unique_fields=["trainee", "question"],
        update_fields=_SCHEDULE_FIELDS,
    )


def _reviewed(
    *, card: ReviewCard | None, trainee_id: int, outcome: ReviewOutcome, now: datetime
) -> ReviewCard:
    rating = rating_for(correct=outcome.correct, confidence=outcome.confidence)
    before = None
    if card is not None:
        before = CardState(
            due=card.due,
            stability=card.stability,
            difficulty=card.difficulty,
            state=card.state,
            step=card.step,
            last_review=card.last_review,
        )
        # An attempt closed late by the clock is reviewed at its deadline, which may
        # come before a review made since: a schedule never goes back in time.
        now = max(now, card.last_review)
    after = card_review(card=before, rating=rating, now=now)
    return ReviewCard(
        trainee_id=trainee_id,
        question_id=outcome.question_id,
        due=after.due,
        stability=after.stability,
        difficulty=after.difficulty,
        state=after.state,
        step=after.step,
        last_review=after.last_review,
        reps=card.reps + 1 if card else 1,
        # A lapse is forgetting what had been reviewed before; a first wrong answer
        # is not one.
        lapses=(card.lapses if card else 0)
        + int(card is not None and rating == Rating.Again),
    )
