"""A trainee's attempt at a quiz, and the answer to each of its questions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from quizzes.choices import AttemptState


class Attempt(models.Model):
    """One sitting of a quiz, frozen at start: its questions, their order, its deadline.

    ``deadline`` is computed once, at start; an attempt the clock closes is ``expired``
    and finished at its deadline. ``score``/``max_score`` are stored at finish, so a
    later edit of a question never changes them.
    """

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    quiz = models.ForeignKey(
        "quizzes.Quiz", on_delete=models.PROTECT, related_name="attempts"
    )
    number = models.PositiveSmallIntegerField(help_text="1 for the first attempt…")
    state = models.CharField(
        max_length=12, choices=AttemptState.choices, default=AttemptState.IN_PROGRESS
    )
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    max_score = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            # Two concurrent starts can never both succeed: one in-progress attempt
            # per trainee and quiz, and attempt numbers are unique.
            models.UniqueConstraint(
                fields=["trainee", "quiz"],
                condition=Q(state=AttemptState.IN_PROGRESS),
                name="attempt_one_in_progress",
            ),
            models.UniqueConstraint(
                fields=["trainee", "quiz", "number"], name="attempt_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(state__in=AttemptState.values), name="attempt_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(state=AttemptState.IN_PROGRESS, finished_at__isnull=True)
                | (
                    ~Q(state=AttemptState.IN_PROGRESS)
                    & Q(finished_at__isnull=False, score__isnull=False)
                ),
                name="attempt_finished_has_score",
            ),
        ]
        indexes = [models.Index(fields=["state", "deadline"])]

    def __str__(self):
        return f"{self.trainee} · {self.quiz} #{self.number}"

    def get_absolute_url(self):
        return reverse("attempt", args=[self.pk])

    @property
    def is_in_progress(self) -> bool:
        return self.state == AttemptState.IN_PROGRESS

    @property
    def percent(self) -> float | None:
        if self.score is None or not self.max_score:
            return None
        return round(float(self.score) * 100 / self.max_score, 1)

    def seconds_left(self, now) -> int | None:
        """Whole seconds until the deadline (0 once past it); None if untimed."""
        if self.deadline is None:
            return None
        return max(0, int((self.deadline - now).total_seconds()))


class Answer(models.Model):
    """A question of an attempt, in its frozen position, and what the trainee chose.

    A row exists for every question from the start, so a save is one UPDATE and the
    navigator needs no outer join. ``choice_order`` freezes the order the choices are
    shown in, and is the set of valid choice ids for this question.
    """

    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey("quizzes.Question", on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField()
    choice_order = models.JSONField(default=list)
    choice_ids = models.JSONField(default=list, blank=True)
    flagged = models.BooleanField(default=False)
    saved_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(
        null=True, blank=True, help_text="Tutor mode: when the answer was confirmed."
    )
    score = models.DecimalField(max_digits=6, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question"], name="answer_unique_question"
            ),
            models.UniqueConstraint(
                fields=["attempt", "position"], name="answer_unique_position"
            ),
        ]
        indexes = [
            # The admin's item statistics (responses, facility) read every scored
            # answer of a question: covered by this index, without the table.
            models.Index(fields=["question", "score"], name="answer_question_score"),
        ]

    def __str__(self):
        return f"{self.attempt} · Q{self.position}"

    @property
    def is_answered(self) -> bool:
        return bool(self.choice_ids)
