"""Attempts and answers, read-only; the two interventions an instructor may make.

Attempts are what trainees did: nobody edits them here. An instructor may close an
attempt whose time ran out (what the trainee's next request or the cron job would
do) and give one attempt in progress more time, which is logged with who and why.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from quizzes.admin.documents import ADMIN_CSS
from quizzes.admin.filters import (
    AnswerTraineeFilter,
    AttemptStateFilter,
    ScoredFilter,
    TopSectionFilter,
)
from quizzes.admin.filters import TraineeFilter as AttemptTraineeFilter
from quizzes.admin.formatting import (
    duration_text,
    flag_mark,
    moment_text,
    score_short,
    score_text,
)
from quizzes.exports import ATTEMPTS_HEADER, attempts_rows, csv_response
from quizzes.models import Answer, Attempt, DeadlineExtension, LateAnswer
from quizzes.models.attempts import OVERDUE, OVERDUE_LABEL
from quizzes.presenters import answers_feedback, attempt_questions, review_items
from quizzes.services.attempts import attempts_close_expired
from quizzes.services.attempts_admin import (
    MAX_EXTENSION_MINUTES,
    DeadlineNotExtended,
    attempt_deadline_extend,
    attempts_finish_expired,
)


class ReadOnlyMixin:
    """What trainees did is evidence: no one adds, edits or deletes it here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AnswerInline(ReadOnlyMixin, admin.TabularInline):
    model = Answer
    fields = [
        "position",
        "question_link",
        "chosen",
        "key",
        "score",
        "saved_at",
        "time_into_attempt",
        "locked_at",
        "flagged_mark",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        # Choices prefetched once for every answer, and the attempt's trainee and
        # quiz joined (a row's title names them): no query per row.
        return (
            super()
            .get_queryset(request)
            .select_related(
                "attempt__trainee", "attempt__quiz", "question", "question_version"
            )
            .prefetch_related("question__choices")
        )

    @admin.display(description="question")
    def question_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:quizzes_question_change", args=[obj.question_id]),
            obj.question,
        )

    @admin.display(description="chosen")
    def chosen(self, obj):
        texts = {c["id"]: c["text"] for c in _shown_choices(obj)}
        chosen = [texts.get(pk, f"#{pk}") for pk in obj.choice_ids]
        return "; ".join(chosen) or "— (not answered)"

    @admin.display(description="key")
    def key(self, obj):
        # The key of the version the attempt is pinned to: what it was scored with.
        return "; ".join(c["text"] for c in _shown_choices(obj) if c["is_correct"])

    @admin.display(description="saved after")
    def time_into_attempt(self, obj):
        if obj.saved_at is None:
            return "—"
        return duration_text(obj.saved_at - obj.attempt.started_at)

    @admin.display(description="flagged")
    def flagged_mark(self, obj):
        return flag_mark(obj.flagged)


def _shown_choices(answer: Answer) -> list[dict]:
    """The choices of the version the answer is pinned to (live for older ones)."""
    if answer.question_version_id:
        return answer.question_version.content["choices"]
    return [
        {"id": c.pk, "text": c.text, "is_correct": c.is_correct}
        for c in answer.question.choices.all()
    ]


class LateAnswerInline(ReadOnlyMixin, admin.TabularInline):
    """Changes refused because the time was up: evidence of what the page still
    sent, not counted in the score (the trainee's result lists them too)."""

    model = LateAnswer
    verbose_name = "change that arrived after the time was up (not counted)"
    verbose_name_plural = "changes that arrived after the time was up (not counted)"
    fields = ["question_position", "chosen", "flagged_mark", "seq", "received_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        position = Answer.objects.filter(
            attempt=OuterRef("attempt"), question=OuterRef("question")
        ).values("position")[:1]
        return (
            super()
            .get_queryset(request)
            .select_related("attempt__trainee", "attempt__quiz", "question")
            .prefetch_related("question__choices")
            .annotate(position=Subquery(position))
        )

    @admin.display(description="question", ordering="position")
    def question_position(self, obj):
        return obj.position

    @admin.display(description="choices sent")
    def chosen(self, obj):
        # The live texts: a late change is rare, and its ids are those of the
        # options, which an edit keeps.
        texts = {c.pk: c.text for c in obj.question.choices.all()}
        return "; ".join(texts.get(pk, f"#{pk}") for pk in obj.choice_ids) or "—"

    @admin.display(description="flagged")
    def flagged_mark(self, obj):
        return flag_mark(bool(obj.flagged))


class DeadlineExtensionInline(ReadOnlyMixin, admin.TabularInline):
    model = DeadlineExtension
    fields = ["extended_at", "extended_by", "old_deadline", "new_deadline", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("extended_by", "attempt__trainee", "attempt__quiz")
        )


class ExtendDeadlineForm(forms.Form):
    minutes = forms.IntegerField(
        min_value=1,
        max_value=MAX_EXTENSION_MINUTES,
        help_text="Added to the current deadline.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded with your name, e.g. “fire alarm during the exam”.",
    )


def state_now_text(attempt: Attempt) -> str:
    """The ``state_now`` annotation in words: an overdue attempt reads as expired."""
    if attempt.state_now == OVERDUE:
        return OVERDUE_LABEL
    return attempt.get_state_display()


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "trainee",
        "quiz",
        "number",
        "state_now",
        "started",
        "deadline_short",
        "finished_short",
        "score_short",
        "time_used",
        "review_link",
    ]
    list_filter = ["quiz", AttemptStateFilter, AttemptTraineeFilter]
    search_fields = ["trainee__username", "trainee__last_name", "quiz__title"]
    list_select_related = ["trainee", "quiz"]
    date_hierarchy = "started_at"
    show_full_result_count = False
    fields = [
        "trainee",
        "quiz",
        "number",
        "state_now",
        "started_at",
        "deadline",
        "finished_at",
        "score_display",
        "time_used",
    ]
    readonly_fields = fields
    inlines = [AnswerInline, LateAnswerInline, DeadlineExtensionInline]
    actions = ["finish_expired_now", "extend_deadline", "export_csv"]
    # The site's attempt page is the trainee's own (a 404 for anyone else): the
    # change page links to the review below instead (change_form.html).
    view_on_site = False
    change_form_template = "admin/quizzes/attempt/change_form.html"

    class Media:
        css = ADMIN_CSS

    def get_queryset(self, request):
        # The change page shows the trainee and the quiz: joined, not fetched. The
        # state is as of this request: an attempt past its deadline shows as expired
        # before anything has closed it.
        return (
            super()
            .get_queryset(request)
            .select_related("trainee", "quiz")
            .with_state_as_of(timezone.now())
        )

    def get_urls(self):
        return [
            path(
                "<int:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="quizzes_attempt_review",
            ),
            *super().get_urls(),
        ]

    def review_view(self, request, object_id: int):
        """The attempt as its trainee reviews it, with the key whatever the quiz's
        review policy: questions and choices in their frozen order, what was chosen,
        rationales, explanation and source. Needs the view permission on attempts."""
        attempt = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_permission(request, attempt):
            raise PermissionDenied
        answers = list(attempt.answers.select_related("question", "question_version"))
        context = {
            "attempt": attempt,
            "state": state_now_text(attempt),
            "score": score_text(attempt.score, attempt.max_score),
            "items": review_items(
                answers=answers,
                questions=attempt_questions(attempt, answers=answers),
                feedback=answers_feedback(answers),
            ),
            "change_url": reverse("admin:quizzes_attempt_change", args=[attempt.pk]),
        }
        return TemplateResponse(request, "admin/quizzes/attempt/review.html", context)

    @admin.display(description="state", ordering="state_now")
    def state_now(self, obj):
        return state_now_text(obj)

    # Compact moments, so that the list fits 1280 px: the deadline and the finish
    # drop their date when it is the start's.
    @admin.display(description="started", ordering="started_at")
    def started(self, obj):
        return moment_text(obj.started_at)

    @admin.display(description="deadline", ordering="deadline")
    def deadline_short(self, obj):
        return moment_text(obj.deadline, since=obj.started_at)

    @admin.display(description="finished", ordering="finished_at")
    def finished_short(self, obj):
        return moment_text(obj.finished_at, since=obj.started_at)

    @admin.display(description="score", ordering="score")
    def score_short(self, obj):
        return score_short(obj.score, obj.max_score)

    @admin.display(description="score")
    def score_display(self, obj):
        return score_text(obj.score, obj.max_score)

    @admin.display(description="review")
    def review_link(self, obj):
        return format_html(
            '<a href="{}" title="As the trainee saw it, with the key">Review</a>',
            reverse("admin:quizzes_attempt_review", args=[obj.pk]),
        )

    @admin.display(description="time used")
    def time_used(self, obj):
        if obj.finished_at is None:
            return "—"
        return duration_text(obj.finished_at - obj.started_at)

    def has_extend_permission(self, request):
        return request.user.has_perm("quizzes.add_deadlineextension")

    # Closing an attempt whose time is up is what the trainee's next request or the
    # cron job does anyway; it changes no rule, so reading attempts is enough.
    @admin.action(
        description="Finish now the selected attempts whose time is up",
        permissions=["view"],
    )
    def finish_expired_now(self, request, queryset):
        result = attempts_finish_expired(attempts=queryset, now=timezone.now())
        if result.finished:
            messages.success(
                request,
                f"{len(result.finished)} attempt(s) closed at their deadline and "
                "scored with the answers saved before it.",
            )
        if result.not_due:
            messages.warning(
                request,
                f"{len(result.not_due)} attempt(s) still have time left and were "
                "left alone: " + ", ".join(str(a) for a in result.not_due),
            )
        if result.already_finished:
            messages.info(
                request,
                f"{len(result.already_finished)} attempt(s) were already finished.",
            )

    @admin.action(
        description="Extend the deadline of the selected attempt (one)…",
        permissions=["extend"],
    )
    def extend_deadline(self, request, queryset):
        attempts = list(queryset.select_related("trainee", "quiz")[:2])
        if len(attempts) != 1:
            messages.error(
                request, "Select exactly one attempt to extend its deadline."
            )
            return None
        attempt = attempts[0]
        form = ExtendDeadlineForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                extension = attempt_deadline_extend(
                    attempt=attempt,
                    by=request.user,
                    minutes=form.cleaned_data["minutes"],
                    reason=form.cleaned_data["reason"],
                    now=timezone.now(),
                )
            except DeadlineNotExtended as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(
                    request,
                    f"{attempt}: deadline moved from "
                    f"{timezone.localtime(extension.old_deadline):%H:%M} to "
                    f"{timezone.localtime(extension.new_deadline):%H:%M %Z}.",
                )
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Extend the deadline",
            "opts": self.opts,
            "attempt": attempt,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(
            request, "admin/quizzes/attempt/extend_deadline.html", context
        )

    @admin.action(description="Export the selected attempts as CSV")
    def export_csv(self, request, queryset):
        # Close on read: a selected attempt whose time ran out is exported expired
        # and scored, as the scheduler would have left it.
        now = timezone.now()
        attempts_close_expired(now=now, attempts=queryset)
        return csv_response(
            filename=f"attempts-{timezone.localdate():%Y-%m-%d}.csv",
            header=ATTEMPTS_HEADER,
            rows=attempts_rows(queryset, now=now),
        )


@admin.register(Answer)
class AnswerAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Every answer, for drilling down from a progress figure to what was chosen."""

    list_display = [
        "trainee",
        "attempt_link",
        "position",
        "question",
        "section",
        "score",
        "saved",
    ]
    list_filter = [
        AnswerTraineeFilter,
        TopSectionFilter,
        ScoredFilter,
        "attempt__quiz",
        ("attempt__started_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["attempt__trainee", "attempt__quiz", "question__section"]
    search_fields = ["question__stem", "attempt__trainee__username"]
    show_full_result_count = False
    fields = [
        "attempt",
        "question",
        "position",
        "choice_ids",
        "score",
        "saved_at",
        "locked_at",
        "flagged_mark",
    ]
    readonly_fields = fields

    class Media:
        css = ADMIN_CSS

    @admin.display(description="flagged")
    def flagged_mark(self, obj):
        return flag_mark(obj.flagged)

    @admin.display(description="saved", ordering="saved_at")
    def saved(self, obj):
        return moment_text(obj.saved_at)

    @admin.display(description="trainee", ordering="attempt__trainee__username")
    def trainee(self, obj):
        return obj.attempt.trainee

    @admin.display(description="attempt")
    def attempt_link(self, obj):
        return format_html(
            '<a href="{}">{} #{}</a>',
            reverse("admin:quizzes_attempt_change", args=[obj.attempt_id]),
            obj.attempt.quiz,
            obj.attempt.number,
        )

    @admin.display(description="section", ordering="question__section__title")
    def section(self, obj):
        return obj.question.section


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The log of deadline extensions; rows are added by the attempts' action."""

    list_display = [
        "extended",
        "attempt",
        "extended_by",
        "old_deadline_short",
        "new_deadline_short",
        "reason",
    ]
    list_select_related = ["attempt__trainee", "attempt__quiz", "extended_by"]
    search_fields = ["attempt__trainee__username", "reason"]
    list_filter = ["attempt__quiz"]

    class Media:
        css = ADMIN_CSS

    @admin.display(description="extended at", ordering="extended_at")
    def extended(self, obj):
        return moment_text(obj.extended_at)

    @admin.display(description="old deadline", ordering="old_deadline")
    def old_deadline_short(self, obj):
        return moment_text(obj.old_deadline, since=obj.extended_at)

    @admin.display(description="new deadline", ordering="new_deadline")
    def new_deadline_short(self, obj):
        return moment_text(obj.new_deadline, since=obj.extended_at)
