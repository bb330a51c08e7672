"""A trainee's report of a problem with a question, and an instructor's outcome."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from quizzes.choices import ReportCategory, ReportStatus

# Long enough for a paragraph and a reference; short enough to read in the queue.
REPORT_TEXT_MAX = 2000


class ProblemReport(models.Model):
    """A trainee's "this question is wrong / unclear / …", from one attempt.

    Who may report what, and when, is ``services.reports``; the model holds what
    the database can: one report per question and attempt, and an outcome that
    always carries its date and note.
    """

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="problem_reports",
    )
    question = models.ForeignKey(
        "quizzes.Question", on_delete=models.PROTECT, related_name="problem_reports"
    )
    attempt = models.ForeignKey(
        "quizzes.Attempt", on_delete=models.CASCADE, related_name="problem_reports"
    )
    answer = models.ForeignKey(
        "quizzes.Answer", on_delete=models.CASCADE, related_name="problem_reports"
    )
    category = models.CharField(max_length=20, choices=ReportCategory.choices)
    text = models.TextField(
        max_length=REPORT_TEXT_MAX, help_text="What is wrong, in the trainee's words."
    )
    created_at = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(
        blank=True, help_text="What was done, or why nothing was: the trainee sees it."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question"], name="report_once_per_attempt"
            ),
            models.CheckConstraint(
                condition=Q(category__in=ReportCategory.values),
                name="report_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values), name="report_status_valid"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="report_text_not_empty"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), REPORT_TEXT_MAX),
                name="report_text_length",
            ),
            # An outcome is dated and explained; an open report has neither.
            models.CheckConstraint(
                condition=Q(
                    status=ReportStatus.OPEN,
                    resolved_at__isnull=True,
                    resolution_note="",
                )
                | (
                    ~Q(status=ReportStatus.OPEN)
                    & Q(resolved_at__isnull=False)
                    & ~Q(resolution_note="")
                ),
                name="report_outcome_has_note",
            ),
        ]
        indexes = [
            # The question list counts each question's open reports.
            models.Index(fields=["question", "status"], name="report_question_status")
        ]

    def __str__(self):
        return f"{self.get_category_display()} · question {self.question_id}"

    @property
    def is_open(self) -> bool:
        return self.status == ReportStatus.OPEN
