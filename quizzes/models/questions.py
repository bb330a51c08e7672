"""Questions written from a section, and their choices."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from quizzes.choices import QuestionKind, QuestionStatus
from quizzes.rules import acknowledgement_problems, quote_problems


class Question(models.Model):
    """One item of a section's bank.

    The rules that involve the choices (how many are correct for the kind) are checked
    by ``quizzes.rules`` wherever a question and its choices are saved together: the
    bank loader, the admin's inline formset and ``audit_bank``.
    """

    section = models.ForeignKey(
        "quizzes.Section", on_delete=models.PROTECT, related_name="questions"
    )
    ref = models.CharField(
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text="Stable id of a question loaded from a bank file; blank otherwise.",
    )
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    status = models.CharField(
        max_length=20, choices=QuestionStatus.choices, default=QuestionStatus.DRAFT
    )
    name = models.CharField(
        max_length=255,
        blank=True,
        help_text="The title an imported file gave it (GIFT ::name::, Moodle "
        "<name>); written back on export.",
    )
    stem = models.TextField()
    explanation = models.TextField(
        help_text="The teaching point: why the key is right."
    )
    source_quote = models.TextField(
        blank=True,
        help_text="The passage of the section that supports the key, verbatim. "
        "Required to publish; an imported draft may lack one.",
    )
    acknowledged_warnings = models.JSONField(
        default=dict,
        blank=True,
        help_text="The item-writing warnings judged not to apply to this question, "
        "as {code: reason} (quizzes.rules.WARNING_CODES). An acknowledged warning "
        "does not fail the audit; errors cannot be acknowledged.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Every change is kept, with who and when, so a wrong edit of a key can be seen
    # and reverted (quizzes.services.question_history).
    history = HistoricalRecords()

    class Meta:
        ordering = ["section__document", "section__order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=QuestionKind.values), name="question_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=QuestionStatus.values),
                name="question_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(stem=""), name="question_stem_not_empty"
            ),
            # Imported questions arrive as drafts without a quote (and may be
            # retired as they are); a question reaches trainees only once it cites
            # its passage.
            models.CheckConstraint(
                condition=~Q(source_quote="") | ~Q(status=QuestionStatus.PUBLISHED),
                name="question_published_has_source_quote",
            ),
        ]

    def __str__(self):
        stem = " ".join(self.stem.split())
        return stem if len(stem) <= 80 else stem[:79] + "…"

    def clean(self):
        if not isinstance(self.acknowledged_warnings, dict):
            raise ValidationError(
                {"acknowledged_warnings": "Write them as {code: reason}."}
            )
        if problems := acknowledgement_problems(self.acknowledged_warnings):
            raise ValidationError({"acknowledged_warnings": problems})
        if not self.source_quote.strip() and self.status == QuestionStatus.PUBLISHED:
            raise ValidationError(
                {
                    "source_quote": "Quote the passage of the section that supports "
                    "the key before publishing this question."
                }
            )
        if self.section_id and self.source_quote:
            problems = quote_problems(
                source_quote=self.source_quote, section_text=self.section.full_text()
            )
            if problems:
                raise ValidationError({"source_quote": problems})


class Choice(models.Model):
    """An option of a question, with why it is right or wrong."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="choices"
    )
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    is_correct = models.BooleanField(default=False)
    rationale = models.TextField(help_text="Why this option is right or wrong.")
    fraction = models.FloatField(
        null=True,
        blank=True,
        help_text="The weight an imported file gave this option (1.0 = 100%), kept "
        "for export; blank for options written here (quizzes.formats.weights).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["question_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "order"], name="choice_unique_order"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="choice_text_not_empty"),
        ]

    def __str__(self):
        return self.text


class QuestionVersion(models.Model):
    """A question as trainees saw it: stem, choices, key, rationales, explanation.

    Made when an attempt starts on a question whose content differs from every
    version kept (``services.question_versions``), never by editing alone: so
    editing a draft, or a question nobody attempts, makes no version. Each answer
    points to the version its attempt started with; its review shows that version
    and its attempt is scored with that version's key until a regrade re-pins it.
    A version is never changed; one content is one version (a revert to an earlier
    content points attempts back to that earlier version).
    """

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(help_text="1 for the first version…")
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of the content (quizzes.versions)."
    )
    content = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["question", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "fingerprint"], name="questionversion_unique"
            ),
        ]

    def __str__(self):
        return f"{self.question_id} v{self.number}"

    @property
    def kind(self) -> str:
        return self.content["kind"]
