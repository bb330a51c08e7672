"""Quizzes: their settings, their composition, per-trainee extra time and overrides."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from quizzes.choices import GradingMethod, QuizMode, ReviewFrom, ReviewShows
from quizzes.seb import parse_keys


class Quiz(models.Model):
    """A quiz: fixed questions and/or N questions drawn from each chosen section.

    Its dates, time limit and attempts are the defaults: what applies to a trainee
    (overrides included) is ``selectors.quiz_settings_for``, so there is no
    ``is_open`` here to be asked by mistake.
    """

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
    # A trainee's own test (the custom test builder): null for an instructor's
    # quiz. A personal test is only ever seen by its owner and never counts
    # towards an instructor's grades or item statistics (``quizzes.progress``).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="personal_tests",
        # Set by ``services.personal_tests`` only: never turned into an
        # instructor's quiz, or the reverse, by a form.
        editable=False,
        help_text="The trainee who built this test; blank for an assigned quiz.",
    )
    # Safe Exam Browser (``quizzes.seb``): when required, every request to the
    # quiz's attempt pages and API must prove it comes from SEB with one of these
    # keys. Stored as entered (one a line), validated by ``clean()``.
    seb_required = models.BooleanField(
        "require Safe Exam Browser",
        default=False,
        help_text="Trainees can start and sit this quiz only in Safe Exam Browser "
        "run with one of the keys below (or the uploaded .seb file).",
    )
    seb_config_keys = models.TextField(
        "allowed Config Keys",
        blank=True,
        help_text="One a line, 64 hexadecimal digits each: SEB shows a "
        "configuration's Config Key in its settings (Exam → Config Key).",
    )
    seb_browser_exam_keys = models.TextField(
        "allowed Browser Exam Keys",
        blank=True,
        help_text="One a line, 64 hexadecimal digits each: a Browser Exam Key also "
        "pins SEB's version and build (Exam → Browser Exam Key).",
    )
    # The Config Key computed from the uploaded .seb file (``QuizSebFile``), also
    # allowed: kept apart from the keys entered, so that a new file replaces it.
    seb_file_config_key = models.CharField(
        "Config Key of the .seb file", max_length=64, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "quizzes"
        constraints = [
            # A quiz that requires SEB with no key would refuse every trainee.
            models.CheckConstraint(
                condition=Q(seb_required=False)
                | ~Q(seb_config_keys="")
                | ~Q(seb_browser_exam_keys="")
                | ~Q(seb_file_config_key=""),
                name="quiz_seb_required_has_key",
            ),
            # A personal test is sat once, reviewed at once, and has no dates
            # that an override could open to anyone else. (Fixed questions and
            # no draws are kept by ``services.personal_tests``, the one writer.)
            models.CheckConstraint(
                condition=Q(owner__isnull=True)
                | Q(
                    attempts_allowed=1,
                    opens_at__isnull=True,
                    closes_at__isnull=True,
                    review_from=ReviewFrom.IMMEDIATELY,
                    review_shows=ReviewShows.FULL,
                ),
                name="quiz_personal_test_settings",
            ),
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

    @property
    def is_personal(self) -> bool:
        return self.owner_id is not None

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": "The quiz must close after it opens."})
        if self.owner_id is not None and (
            self.attempts_allowed != 1
            or self.opens_at
            or self.closes_at
            or self.review_from != ReviewFrom.IMMEDIATELY
            or self.review_shows != ReviewShows.FULL
        ):
            raise ValidationError(
                "A personal test allows one attempt, has no dates, and shows its "
                "full review at once."
            )
        if self.owner_id is not None and self.pk and self.draws.exists():
            raise ValidationError("A personal test has fixed questions, no draws.")
        self._clean_seb()

    def _clean_seb(self):
        errors = {}
        for field in ("seb_config_keys", "seb_browser_exam_keys"):
            try:
                parse_keys(getattr(self, field))
            except ValueError as error:
                errors[field] = str(error)
        if errors:
            raise ValidationError(errors)
        if self.seb_required and not (
            self.seb_config_keys.strip()
            or self.seb_browser_exam_keys.strip()
            or self.seb_file_config_key
        ):
            raise ValidationError(
                {
                    "seb_required": "A quiz that requires Safe Exam Browser needs "
                    "at least one Config Key or Browser Exam Key, or a .seb file."
                }
            )


class QuizSebFile(models.Model):
    """The .seb file of a quiz that requires Safe Exam Browser, as uploaded.

    Trainees download it to open the quiz in SEB. Kept apart from ``Quiz`` so that
    the many reads of a quiz never carry the file; its Config Key is on the quiz
    (``Quiz.seb_file_config_key``). In the database rather than on disk, so that
    every application node serves it.
    """

    quiz = models.OneToOneField(
        Quiz, on_delete=models.CASCADE, primary_key=True, related_name="seb_file"
    )
    name = models.CharField(max_length=255)
    content = models.BinaryField()
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = ".seb file"

    def __str__(self):
        return self.name


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


class QuizOverride(models.Model):
    """One trainee's, or one group's, own dates, time limit or attempts on a quiz.

    Each setting left blank keeps what applies otherwise. The effective settings of a
    trainee on a quiz (``selectors.quiz_settings_for``, the one statement of the
    rule) are found in this order, as Moodle does:

    1. the trainee's own override, field by field;
    2. else the overrides of the trainee's groups, the most lenient value of those
       that set it: the earliest open, the latest close, the longest time limit,
       the most attempts (0, unlimited, beats any number);
    3. else the quiz's own setting;
    4. then the trainee's accommodation (``Accommodation.apply``) stretches the
       effective time limit;
    5. and an attempt's deadline never passes the effective close.

    Who created and last changed it, when and why are kept on the row; every
    version is in its history (django-simple-history), and each save is logged.
    """

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="overrides")
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="quiz_overrides",
        help_text="One trainee, or blank for a group.",
    )
    group = models.ForeignKey(
        "auth.Group",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="quiz_overrides",
        help_text="A group (cohort) of trainees, or blank for one trainee.",
    )
    opens_at = models.DateTimeField(
        null=True, blank=True, help_text="Blank: the quiz's own opening."
    )
    closes_at = models.DateTimeField(
        null=True, blank=True, help_text="Blank: the quiz's own close."
    )
    time_limit = models.DurationField(
        null=True, blank=True, help_text="Blank: the quiz's own time limit."
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Blank: the quiz's own number. 0: unlimited.",
    )
    reason = models.CharField(
        max_length=255, help_text="Why, e.g. “Sick on the exam day; resit agreed”."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["quiz", "trainee", "group"]
        constraints = [
            models.CheckConstraint(
                condition=Q(trainee__isnull=False, group__isnull=True)
                | Q(trainee__isnull=True, group__isnull=False),
                name="quizoverride_trainee_xor_group",
            ),
            models.UniqueConstraint(
                fields=["quiz", "trainee"], name="quizoverride_unique_trainee"
            ),
            models.UniqueConstraint(
                fields=["quiz", "group"], name="quizoverride_unique_group"
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=False)
                | Q(closes_at__isnull=False)
                | Q(time_limit__isnull=False)
                | Q(attempts_allowed__isnull=False),
                name="quizoverride_changes_something",
            ),
            models.CheckConstraint(
                condition=Q(time_limit__isnull=True) | Q(time_limit__gt=timedelta(0)),
                name="quizoverride_time_limit_positive",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="quizoverride_closes_after_opening",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="quizoverride_reason"),
        ]

    def __str__(self):
        return f"{self.quiz} · {self.who}"

    @property
    def who(self) -> str:
        """The trainee's username, or "group Name"."""
        if self.trainee_id:
            return str(self.trainee)
        return f"group {self.group}"

    def clean(self):
        if bool(self.trainee_id) == bool(self.group_id):
            raise ValidationError("Choose either one trainee or one group, not both.")
        if not any(
            value is not None
            for value in (
                self.opens_at,
                self.closes_at,
                self.time_limit,
                self.attempts_allowed,
            )
        ):
            raise ValidationError(
                "Set at least one of the dates, the time limit or the attempts: an "
                "override that changes nothing is not saved."
            )
        # The quiz may be unsaved (an inline on the quiz's add page), not missing.
        quiz = self.quiz if self.quiz_id or "quiz" in self._state.fields_cache else None
        if quiz is not None and quiz.owner_id is not None:
            raise ValidationError(
                "This is a trainee's personal test: it has no overrides, and is "
                "never opened to anyone else."
            )
        if quiz is not None:
            opens = self.opens_at or quiz.opens_at
            closes = self.closes_at or quiz.closes_at
            if opens and closes and closes <= opens:
                raise ValidationError(
                    {
                        "closes_at": f"The close ({closes:%Y-%m-%d %H:%M} UTC) must "
                        f"come after the opening ({opens:%Y-%m-%d %H:%M} UTC), the "
                        "quiz's own where this override leaves it blank."
                    }
                )

    def changes(self) -> list[str]:
        """What it changes, in words: ["closes 2026-12-01 17:00 UTC", "3 attempts"]."""
        parts = []
        if self.opens_at:
            parts.append(f"opens {self.opens_at:%Y-%m-%d %H:%M} UTC")
        if self.closes_at:
            parts.append(f"closes {self.closes_at:%Y-%m-%d %H:%M} UTC")
        if self.time_limit:
            parts.append(f"time limit {self.time_limit.total_seconds() / 60:g} min")
        if self.attempts_allowed is not None:
            parts.append(
                "unlimited attempts"
                if self.attempts_allowed == 0
                else f"{self.attempts_allowed} attempt"
                f"{'' if self.attempts_allowed == 1 else 's'}"
            )
        return parts
