"""Quizzes: their settings, their composition, and per-trainee extra time."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from quizzes.choices import GradingMethod, QuizMode, ReviewFrom, ReviewShows


class Quiz(models.Model):
    """A quiz: fixed questions and/or N questions drawn from each chosen section."""

    title = models.CharField(max_length=255)
    slug = models.SlugField(max_length=255, unique=True)
    description = models.TextField(blank=True)
    mode = models.CharField(
        max_length=10, choices=QuizMode.choices, default=QuizMode.EXAM
    )
    time_limit = models.DurationField(
        null=True, blank=True, help_text="Blank for an untimed quiz."
    )
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    attempts_allowed = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Blank for unlimited attempts."
    )
    grading_method = models.CharField(
        max_length=10, choices=GradingMethod.choices, default=GradingMethod.HIGHEST
    )
    pass_mark = models.PositiveSmallIntegerField(
        default=70,
        validators=[MaxValueValidator(100)],
        help_text="Percent needed to pass.",
    )
    shuffle_questions = models.BooleanField(default=True)
    shuffle_choices = models.BooleanField(default=True)
    review_shows = models.CharField(
        max_length=12, choices=ReviewShows.choices, default=ReviewShows.FULL
    )
    review_from = models.CharField(
        max_length=12, choices=ReviewFrom.choices, default=ReviewFrom.IMMEDIATELY
    )
    questions = models.ManyToManyField(
        "quizzes.Question", through="QuizQuestion", blank=True, related_name="quizzes"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "quizzes"
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark__lte=100), name="quiz_pass_mark_lte_100"
            ),
            models.CheckConstraint(
                condition=Q(time_limit__isnull=True) | Q(time_limit__gt=timedelta(0)),
                name="quiz_time_limit_positive",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="quiz_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(attempts_allowed__isnull=True) | Q(attempts_allowed__gte=1),
                name="quiz_attempts_allowed_gte_1",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("quiz_detail", args=[self.slug])

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": "The quiz must close after it opens."})

    def is_open(self, now) -> bool:
        """Whether an attempt may be started at ``now``."""
        if self.opens_at and now < self.opens_at:
            return False
        return not (self.closes_at and now >= self.closes_at)


class QuizQuestion(models.Model):
    """A question fixed in a quiz's composition, at a position."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="fixed")
    question = models.ForeignKey("quizzes.Question", on_delete=models.PROTECT)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["quiz", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "question"], name="quizquestion_unique_question"
            ),
        ]

    def __str__(self):
        return f"{self.quiz} · {self.question}"


class QuizDraw(models.Model):
    """Draw ``count`` questions at random from a section's published bank."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="draws")
    section = models.ForeignKey("quizzes.Section", on_delete=models.PROTECT)
    count = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["quiz", "section__order"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "section"], name="quizdraw_unique"),
            models.CheckConstraint(
                condition=Q(count__gte=1), name="quizdraw_count_gte_1"
            ),
        ]

    def __str__(self):
        return f"{self.count} from {self.section}"


class Accommodation(models.Model):
    """Extra time for a trainee, on one quiz or (quiz blank) on all of them.

    The time limit becomes ``limit × time_factor + extra_minutes``. A quiz-specific
    accommodation takes precedence over the trainee's general one.
    """

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="accommodations",
    )
    quiz = models.ForeignKey(
        Quiz,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text="Blank: applies to every quiz.",
    )
    time_factor = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("1.00"))],
        help_text="Multiplies the time limit, e.g. 1.5.",
    )
    extra_minutes = models.PositiveSmallIntegerField(default=0)
    reason = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["trainee", "quiz"], name="accommodation_unique_per_quiz"
            ),
            models.UniqueConstraint(
                fields=["trainee"],
                condition=Q(quiz__isnull=True),
                name="accommodation_unique_general",
            ),
            models.CheckConstraint(
                condition=Q(time_factor__gte=1), name="accommodation_factor_gte_1"
            ),
        ]

    def __str__(self):
        scope = self.quiz or "all quizzes"
        return (
            f"{self.trainee} · ×{self.time_factor} +{self.extra_minutes} min · {scope}"
        )

    def apply(self, limit: timedelta) -> timedelta:
        """The time limit with this accommodation."""
        seconds = Decimal(limit.total_seconds()) * self.time_factor
        return timedelta(seconds=float(seconds)) + timedelta(minutes=self.extra_minutes)
