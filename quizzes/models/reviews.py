"""Spaced review: one FSRS card per trainee and answered question."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from quizzes.choices import ReviewState


class ReviewCard(models.Model):
    """A trainee's schedule for one question, as FSRS last left it.

    Written by ``services.reviews`` only, from the rules in ``quizzes.spaced``: every
    final answer is a review. The FSRS fields are columns (not one JSON blob) so that
    "what is due" is an indexed range query on ``(trainee, due)``.
    """

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="review_cards",
    )
    # Derived data: a deleted question takes its cards with it.
    question = models.ForeignKey(
        "quizzes.Question", on_delete=models.CASCADE, related_name="review_cards"
    )
    due = models.DateTimeField()
    stability = models.FloatField(help_text="Days until recall falls to 90 %.")
    difficulty = models.FloatField(help_text="From 1 (easy) to 10 (hard).")
    state = models.PositiveSmallIntegerField(
        choices=ReviewState.choices, default=ReviewState.REVIEW
    )
    # The learning or relearning step; blank in the review state (always, while
    # the scheduler has no same-day steps).
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    last_review = models.DateTimeField()
    reps = models.PositiveIntegerField(default=1, help_text="Reviews so far.")
    lapses = models.PositiveIntegerField(
        default=0, help_text="Wrong answers after the first review."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["trainee", "question"], name="reviewcard_unique_question"
            ),
            models.CheckConstraint(
                condition=Q(difficulty__gte=1, difficulty__lte=10),
                name="reviewcard_difficulty_range",
            ),
            models.CheckConstraint(
                condition=Q(stability__gt=0), name="reviewcard_stability_positive"
            ),
            models.CheckConstraint(
                condition=Q(reps__gte=1) & Q(lapses__lt=models.F("reps")),
                name="reviewcard_reps_counts",
            ),
        ]
        indexes = [
            # reviews_due and review_due_count: one trainee's cards by due date.
            models.Index(fields=["trainee", "due"], name="reviewcard_trainee_due"),
        ]

    def __str__(self):
        return f"{self.trainee} · question {self.question_id} · due {self.due:%Y-%m-%d}"
