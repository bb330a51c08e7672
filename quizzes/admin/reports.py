"""Trainees' problem reports: the instructors' queue, and resolving one with a note.

Reports come from trainees (``views.question_report``); nobody adds one here. An
instructor reads a report beside its question's key, statistics and versions, then
resolves or dismisses it with a note the trainee reads on their review. Every
outcome goes through ``services.reports``.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from quizzes.admin.documents import ADMIN_CSS
from quizzes.admin.filters import SectionTreeFilter
from quizzes.choices import ReportStatus
from quizzes.exports import csv_response
from quizzes.models import ProblemReport
from quizzes.services.reports import (
    OUTCOMES,
    ReportError,
    report_outcome_problems,
    report_resolve,
)
from quizzes.statistics import reports_with_question_stats

REPORTS_HEADER = [
    "reported at",
    "trainee",
    "quiz",
    "attempt",
    "question id",
    "question",
    "category",
    "text",
    "status",
    "resolved by",
    "resolved at",
    "note",
]


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ReportSectionFilter(SectionTreeFilter):
    """Reports on the questions of a section and of its subsections."""

    def queryset(self, request, queryset):
        section = self.sections.get(self.value() or "")
        if section is None:
            return queryset
        return queryset.filter(question__section_id__in=section.member_ids)


class ReportOutcomeForm(forms.ModelForm):
    """Resolve or dismiss, with the note the trainee will read."""

    status = forms.ChoiceField(
        label="Outcome",
        choices=[(s.value, s.label) for s in OUTCOMES],
        widget=forms.RadioSelect,
        help_text="Resolved: the question was fixed (or needs nothing more). "
        "Dismissed: the question stands as it is.",
    )
    resolution_note = forms.CharField(
        label="Note to the trainee",
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="Shown on the trainee's review: what was done, or why nothing was.",
    )

    class Meta:
        model = ProblemReport
        fields = ["status", "resolution_note"]

    def clean(self):
        data = super().clean()
        problems = report_outcome_problems(
            status=data.get("status", ""), note=data.get("resolution_note", "")
        )
        if problems and not self.errors:
            raise ValidationError(problems)
        return data


class DismissForm(forms.Form):
    note = forms.CharField(
        label="Note to the trainees",
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="Shown on each trainee's review, under their report.",
    )


@admin.register(ProblemReport)
class ProblemReportAdmin(admin.ModelAdmin):
    form = ReportOutcomeForm
    list_display = [
        "reported_at",
        "question_short",
        "category",
        "status_tag",
        "trainee",
        "text_short",
        "responses",
        "facility",
        "question_links",
    ]
    list_display_links = ["reported_at"]
    list_filter = [
        "status",
        "category",
        "attempt__quiz",
        "question__section__document",
        ReportSectionFilter,
    ]
    search_fields = [
        "question__stem",
        "text",
        "trainee__username",
        "trainee__first_name",
        "trainee__last_name",
    ]
    search_help_text = "Searches the question's stem, the report and the trainee."
    date_hierarchy = "created_at"
    actions = ["dismiss_selected", "export_csv"]
    fieldsets = [
        (
            "Report",
            {
                "fields": [
                    ("trainee", "attempt_link"),
                    ("category", "created_at"),
                    "text",
                ]
            },
        ),
        (
            "Question",
            {
                "fields": [
                    "question_with_key",
                    ("responses", "facility"),
                    "question_links",
                ]
            },
        ),
        ("Outcome", {"fields": ["status", "resolution_note", "resolved"]}),
    ]
    REPORT_FIELDS = [
        "trainee",
        "attempt_link",
        "category",
        "created_at",
        "text",
        "question_with_key",
        "responses",
        "facility",
        "question_links",
        "resolved",
    ]

    class Media:
        css = ADMIN_CSS

    def get_queryset(self, request):
        return reports_with_question_stats(
            super()
            .get_queryset(request)
            .select_related("trainee", "question", "attempt__quiz", "resolved_by")
        )

    def has_add_permission(self, request):
        return False  # trainees report from their review

    def get_object(self, request, object_id, from_field=None):
        report = super().get_object(request, object_id, from_field)
        if report is not None:
            # The posted form writes its outcome on the instance before the page
            # is shown again with its errors: remember what is stored.
            report.stored_status = report.status
        return report

    def get_readonly_fields(self, request, obj=None):
        stored = getattr(obj, "stored_status", ReportStatus.OPEN)
        if stored != ReportStatus.OPEN:
            return [*self.REPORT_FIELDS, "status", "resolution_note"]
        return self.REPORT_FIELDS

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, object_id)
        closed = report is not None and not report.is_open
        extra_context = (extra_context or {}) | (
            {"show_save": False, "show_save_and_continue": False} if closed else {}
        )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if getattr(obj, "stored_status", ReportStatus.OPEN) != ReportStatus.OPEN:
            # Closed: no outcome field at all (the declared ones would stay,
            # required, behind their read-only display).
            kwargs["form"] = forms.ModelForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        status = form.cleaned_data.get("status")
        try:
            if status is None:
                # A stale page posted after someone else closed the report.
                raise ReportError("This report was already closed.")
            report_resolve(
                report=obj,
                by=request.user,
                status=status,
                note=form.cleaned_data["resolution_note"],
                now=timezone.now(),
            )
        except ReportError as error:
            obj.not_saved = True
            messages.error(request, f"Nothing changed: {error}")

    def response_change(self, request, obj):
        if getattr(obj, "not_saved", False):
            return redirect("admin:quizzes_problemreport_change", obj.pk)
        return super().response_change(request, obj)

    @admin.display(description="reported", ordering="created_at")
    def reported_at(self, obj):
        return f"{timezone.localtime(obj.created_at):%d %b %Y %H:%M}"

    @admin.display(description="question", ordering="question__stem")
    def question_short(self, obj):
        return _shorten(obj.question.stem, 70)

    @admin.display(description="status", ordering="status")
    def status_tag(self, obj):
        return format_html(
            '<span class="tag tag-report-{}">{}</span>',
            obj.status,
            obj.get_status_display(),
        )

    @admin.display(description="report", ordering="text")
    def text_short(self, obj):
        return _shorten(obj.text, 60)

    @admin.display(description="responses", ordering="responses")
    def responses(self, obj):
        return getattr(obj, "responses", 0)

    @admin.display(description="facility", ordering="facility")
    def facility(self, obj):
        """The question's mean mark over the answers in finished attempts."""
        value = getattr(obj, "facility", None)
        return "—" if value is None else f"{value:.0f} %"

    @admin.display(description="the question's pages")
    def question_links(self, obj):
        pk = obj.question_id
        return format_html(
            '<a href="{}">Edit</a> · <a href="{}">Versions</a> · '
            '<a href="{}">Preview</a>',
            reverse("admin:quizzes_question_change", args=[pk]),
            reverse("admin:quizzes_question_versions", args=[pk]),
            reverse("admin:quizzes_question_preview", args=[pk]),
        )

    @admin.display(description="attempt")
    def attempt_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:quizzes_attempt_review", args=[obj.attempt_id]),
            obj.attempt,
        )

    @admin.display(description="question and its key")
    def question_with_key(self, obj):
        """The stem, each choice marked key or not, and the explanation."""
        choices = format_html_join(
            "",
            "<li>{}{}</li>",
            (
                (
                    mark_safe("<strong>✓ key:</strong> ") if c.is_correct else "",
                    c.text,
                )
                for c in obj.question.choices.all()
            ),
        )
        return format_html(
            "<p>{}</p><ul>{}</ul><p><em>Explanation:</em> {}</p>",
            obj.question.stem,
            choices,
            obj.question.explanation,
        )

    @admin.display(description="recorded")
    def resolved(self, obj):
        if obj.resolved_at is None:
            return "Open: no outcome yet."
        return (
            f"{obj.get_status_display()} by {obj.resolved_by or '?'}, "
            f"{timezone.localtime(obj.resolved_at):%d %b %Y %H:%M}"
        )

    @admin.action(
        description="Dismiss the selected open reports (with a note)",
        permissions=["change"],
    )
    def dismiss_selected(self, request, queryset):
        """An intermediate page asks for the note; POSTed with it, each open report
        is dismissed through the service. Closed ones are left as they are."""
        reports = list(queryset.filter(status=ReportStatus.OPEN))
        form = DismissForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = 0
            for report in reports:
                try:
                    report_resolve(
                        report=report,
                        by=request.user,
                        status=ReportStatus.DISMISSED,
                        note=form.cleaned_data["note"],
                        now=timezone.now(),
                    )
                except ReportError:
                    continue  # closed meanwhile by someone else: theirs stands
                done += 1
            messages.success(request, f"{done} report(s) dismissed.")
            return None
        if not reports:
            messages.info(request, "None of the selected reports is open.")
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Dismiss problem reports",
            "reports": reports,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/quizzes/problemreport/dismiss.html", context
        )

    @admin.action(description="Export the selected reports as CSV")
    def export_csv(self, request, queryset):
        rows = (
            [
                r.created_at,
                r.trainee.username,
                r.attempt.quiz.title,
                r.attempt.number,
                r.question_id,
                r.question.stem,
                r.get_category_display(),
                r.text,
                r.get_status_display(),
                r.resolved_by.username if r.resolved_by else "",
                r.resolved_at,
                r.resolution_note,
            ]
            for r in queryset.select_related(
                "trainee", "question", "attempt__quiz", "resolved_by"
            )
        )
        return csv_response(
            filename=f"problem-reports-{timezone.localdate():%Y-%m-%d}.csv",
            header=REPORTS_HEADER,
            rows=rows,
        )
