"""A trainee's attempt at a quiz, and the answer to each of its questions."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse

from quizzes.choices import AttemptState

# Network latency: an answer sent just before the deadline may arrive just after it.
# The one definition of "past the deadline": the services refuse and close with it,
# the admin shows and filters with it.
GRACE = timedelta(seconds=2)

# The page's countdown starts after the server computed seconds_left, so its zero
# falls at or after the deadline; a little slack for a clock that ran fast.
AUTO_SUBMIT_SLACK = timedelta(seconds=5)

# Every state but ``prepared``: an attempt the trainee has started.
STARTED_STATES = [
    state for state in AttemptState.values if state != AttemptState.PREPARED
]

# Not a stored state (the clock has closed the attempt but nothing has finished it
# yet): the value the admin shows and filters by, from ``with_state_as_of``.
OVERDUE = "overdue"
OVERDUE_LABEL = "Expired (not yet closed)"


def started_q(prefix: str = "") -> Q:
    """Attempts (reached through ``prefix``, e.g. "attempts__") that were started:
    a prepared attempt is not one yet (``AttemptQuerySet.started``).

    A positive ``state__in``, not an exclusion: through a to-many relation an
    exclusion would become "has no prepared attempt" instead of a row condition.
    """
    return Q(**{f"{prefix}state__in": STARTED_STATES})


def past_deadline_q(now: datetime) -> Q:
    """The database's side of ``Attempt.is_past_deadline``: deadline plus ``GRACE``
    before ``now`` (an untimed attempt never is)."""
    return Q(deadline__lt=now - GRACE)


def overdue_q(now: datetime) -> Q:
    """In progress, yet past the deadline: expired, though nothing has closed it."""
    return Q(state=AttemptState.IN_PROGRESS) & past_deadline_q(now)


class AttemptQuerySet(models.QuerySet):
    def past_deadline(self, now: datetime) -> AttemptQuerySet:
        """Attempts past their deadline plus ``GRACE``, whatever their state."""
        return self.filter(past_deadline_q(now))

    def overdue(self, now: datetime) -> AttemptQuerySet:
        """In progress but past the deadline: expired, not yet closed."""
        return self.filter(overdue_q(now))

    def started(self) -> AttemptQuerySet:
        """Attempts the trainee has started: not the ones only prepared ahead of an
        exam, which count nowhere (grades, progress, limits…) until started."""
        return self.filter(started_q())

    def with_time_left(self, now: datetime) -> AttemptQuerySet:
        """In progress and not past the deadline (or untimed)."""
        return self.filter(state=AttemptState.IN_PROGRESS).exclude(past_deadline_q(now))

    def expired_as_of(self, now: datetime) -> AttemptQuerySet:
        """Closed by the clock, or past the deadline and not closed yet."""
        return self.filter(Q(state=AttemptState.EXPIRED) | overdue_q(now))

    def with_state_as_of(self, now: datetime) -> AttemptQuerySet:
        """Annotate ``state_now``: the stored state, or ``OVERDUE`` for an attempt
        still in progress after its deadline plus ``GRACE``.

        An attempt is closed only when its trainee comes back or the cron job runs;
        until then the stored state says "in progress" although the clock has ended
        it, and an instructor must not read it as a trainee still at work.
        """
        return self.annotate(
            state_now=Case(
                When(overdue_q(now), then=Value(OVERDUE)),
                default=F("state"),
                output_field=models.CharField(),
            )
        )


class Attempt(models.Model):
    """One sitting of a quiz, frozen at start: its questions, their order, its deadline.

    ``deadline`` is computed once, at start; an attempt the clock closes is ``expired``
    and finished at its deadline. ``score``/``max_score`` are stored at finish, so a
    later edit of a question never changes them.
    """

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    # RESTRICT, not PROTECT: a quiz with attempts still cannot be deleted, but
    # deleting a trainee takes their personal tests (Quiz.owner) along with their
    # attempts at them, in the same cascade.
    quiz = models.ForeignKey(
        "quizzes.Quiz", on_delete=models.RESTRICT, related_name="attempts"
    )
    number = models.PositiveSmallIntegerField(help_text="1 for the first attempt…")
    state = models.CharField(
        max_length=12, choices=AttemptState.choices, default=AttemptState.IN_PROGRESS
    )
    # Blank only while ``prepared``: the clock starts when the trainee does.
    started_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    max_score = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = AttemptQuerySet.as_manager()

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
                condition=Q(
                    state__in=[AttemptState.PREPARED, AttemptState.IN_PROGRESS],
                    finished_at__isnull=True,
                )
                | (
                    ~Q(state__in=[AttemptState.PREPARED, AttemptState.IN_PROGRESS])
                    & Q(finished_at__isnull=False, score__isnull=False)
                ),
                name="attempt_finished_has_score",
            ),
            # A prepared attempt holds its questions and nothing else: no clock, no
            # score. Every other state has started.
            models.CheckConstraint(
                condition=Q(
                    state=AttemptState.PREPARED,
                    started_at__isnull=True,
                    deadline__isnull=True,
                    score__isnull=True,
                    max_score__isnull=True,
                )
                | (~Q(state=AttemptState.PREPARED) & Q(started_at__isnull=False)),
                name="attempt_prepared_not_started",
            ),
            # Preparing again is a no-op: at most one prepared attempt per trainee
            # and quiz (``attempts_prepare`` relies on it).
            models.UniqueConstraint(
                fields=["trainee", "quiz"],
                condition=Q(state=AttemptState.PREPARED),
                name="attempt_one_prepared",
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

    def is_past_deadline(self, now: datetime) -> bool:
        """Whether ``now`` is past the deadline plus ``GRACE`` (never, if untimed)."""
        return self.deadline is not None and now > self.deadline + GRACE

    def is_overdue(self, now: datetime) -> bool:
        """In progress, yet past its deadline: expired, though not closed yet."""
        return self.is_in_progress and self.is_past_deadline(now)

    def state_label_as_of(self, now: datetime) -> str:
        """The state in words as of ``now``: an overdue attempt reads as expired."""
        return OVERDUE_LABEL if self.is_overdue(now) else self.get_state_display()

    @property
    def submitted_at_deadline(self) -> bool:
        """Whether the trainee's submit came at the deadline (within
        ``AUTO_SUBMIT_SLACK`` before it): the only case in which the result believes
        the page's word (``?auto=1``) that it submitted by itself at 00:00.

        Only the page knows it submitted by itself; the server can only check the
        time. An attempt the clock closed (expired) is not one: its result already
        says so.
        """
        return (
            self.state == AttemptState.FINISHED
            and self.deadline is not None
            and self.finished_at >= self.deadline - AUTO_SUBMIT_SLACK
        )

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
    # The version of the question this attempt started with: shown in its review,
    # and the key it is scored with until a regrade re-pins it. Blank only for
    # answers older than versions, which show and score the live question.
    question_version = models.ForeignKey(
        "quizzes.QuestionVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField()
    choice_order = models.JSONField(default=list)
    choice_ids = models.JSONField(default=list, blank=True)
    # The options the trainee struck out as wrong, a study aid: shown on the page
    # and in the review, never scored. A struck option may still be chosen.
    struck = models.JSONField(
        default=list, blank=True, help_text="Options struck out; never scored."
    )
    flagged = models.BooleanField(default=False)
    saved_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(
        null=True, blank=True, help_text="Tutor mode: when the answer was confirmed."
    )
    score = models.DecimalField(max_digits=6, decimal_places=4, null=True, blank=True)
    # The page's number for the last change stored (0: none numbered yet). A save
    # with a number not above it is an older change replayed late, and is ignored:
    # a plain integer, so that "newer" can become the WHERE clause of one UPDATE.
    seq = models.PositiveIntegerField(default=0)

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

    def clean(self):
        """Chosen and struck ids must be options of this question (``choice_order``)."""
        super().clean()
        options = set(self.choice_order or [])
        errors = {
            field: f"{field}: {sorted(set(ids) - options)} are not options of "
            f"question {self.question_id}."
            for field, ids in (("choice_ids", self.choice_ids), ("struck", self.struck))
            if set(ids or []) - options
        }
        if errors:
            raise ValidationError(errors)

    @property
    def is_answered(self) -> bool:
        return bool(self.choice_ids)

    @property
    def kind(self) -> str:
        """The kind of the pinned version (select_related ``question_version``)."""
        if self.question_version_id:
            return self.question_version.kind
        return self.question.kind


class LateAnswer(models.Model):
    """A change that reached the server after the deadline plus ``GRACE``: refused,
    not counted, and listed on the trainee's result so that it is not lost silently.

    Written by ``services.attempts.answer_save`` only. A change the page replays
    again is stored once (unique per attempt, question and ``seq``; a change sent
    without a number, by the no-JS form, has none and is stored each time).
    """

    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="late_answers"
    )
    question = models.ForeignKey(
        "quizzes.Question", on_delete=models.CASCADE, related_name="+"
    )
    choice_ids = models.JSONField(default=list, blank=True)
    flagged = models.BooleanField(null=True, blank=True)
    seq = models.PositiveIntegerField(null=True, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["attempt", "received_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question", "seq"], name="lateanswer_unique_seq"
            ),
        ]

    def __str__(self):
        return f"{self.attempt} · late change of question {self.question_id}"


class AttemptRegrade(models.Model):
    """One attempt's score changed by a regrade: who, when, why, old and new.

    Written by ``services.regrade.regrade_commit`` only, one row per attempt whose
    score changed; the trainee's notice reads the latest. ``regraded_at`` is also
    the signal that scores of the quiz changed (a statistics cache keys on it).
    """

    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="regrades"
    )
    quiz = models.ForeignKey(
        "quizzes.Quiz", on_delete=models.CASCADE, related_name="regrades"
    )
    question = models.ForeignKey(
        "quizzes.Question",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="regrades",
        help_text="The question regraded; blank when the whole quiz was.",
    )
    regraded_at = models.DateTimeField()
    regraded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    reason = models.CharField(max_length=255)
    old_score = models.DecimalField(max_digits=8, decimal_places=4)
    new_score = models.DecimalField(max_digits=8, decimal_places=4)
    max_score = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-regraded_at", "-id"]
        indexes = [models.Index(fields=["quiz", "regraded_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""), name="attemptregrade_reason_not_empty"
            ),
        ]

    def __str__(self):
        return f"{self.attempt} · {self.old_score} → {self.new_score}"

    def notice(self, position: int | None = None) -> str:
        """The trainee's notice, e.g. "Regraded on 30 Nov 2026 (question 4): the
        key was corrected. Score 6/10 → 7/10." ``position``: where the regraded
        question stands in this attempt."""
        where = f" (question {position})" if position else ""
        return (
            f"Regraded on {self.regraded_at:%-d %b %Y}{where}: "
            f"{self.reason.rstrip('.')}. "
            f"Score {_marks(self.old_score)}/{self.max_score} → "
            f"{_marks(self.new_score)}/{self.max_score}."
        )


def _marks(score) -> str:
    return f"{float(score):g}"
