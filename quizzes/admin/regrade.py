"""Regrading in the admin: the "Regrade…" action, its dry-run page, and the log.

The page shows ``regrade_plan`` (a dry run: nothing is written by a GET) and
commits with ``regrade_commit`` on a POST that carries a reason. The log of every
score a regrade changed is a read-only list, with filters and a CSV export.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode

from quizzes.admin.documents import ADMIN_CSS
from quizzes.exports import csv_response
from quizzes.models import AttemptRegrade, Question, Quiz
from quizzes.services.regrade import RegradeError, regrade_commit, regrade_plan

REGRADES_HEADER = [
    "regraded_at",
    "regraded_by",
    "reason",
    "quiz",
    "question_id",
    "trainee",
    "attempt_id",
    "attempt_number",
    "old_score",
    "new_score",
    "max_score",
]


class RegradeForm(forms.Form):
    reason = forms.CharField(
        max_length=255,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text="Trainees see it with their new score, e.g. "
        "“Question 4's key was corrected”.",
    )


@admin.action(description="Regrade… (dry run first)", permissions=["change"])
def regrade_selected(modeladmin, request, queryset):
    """Opens the dry run of one question's or one quiz's regrade."""
    if queryset.count() != 1:
        messages.error(request, "Select exactly one to regrade.")
        return None
    scope = "question" if queryset.model is Question else "quiz"
    return redirect(f"admin:quizzes_attemptregrade_{scope}", queryset.get().pk)


@admin.register(AttemptRegrade)
class AttemptRegradeAdmin(admin.ModelAdmin):
    list_display = [
        "regraded_at",
        "trainee",
        "quiz",
        "question_id",
        "scores",
        "regraded_by",
        "reason",
    ]
    # Only the people who regraded: a plain related filter lists every account,
    # trainees included.
    list_filter = [
        "quiz",
        ("regraded_by", admin.RelatedOnlyFieldListFilter),
        "regraded_at",
    ]
    search_fields = ["attempt__trainee__username", "reason", "quiz__title"]
    search_help_text = "Searches the trainee's username, the reason and the quiz."
    date_hierarchy = "regraded_at"
    actions = ["export_csv"]
    list_select_related = ["attempt__trainee", "attempt__quiz", "quiz", "regraded_by"]

    class Media:
        css = ADMIN_CSS

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="trainee", ordering="attempt__trainee__username")
    def trainee(self, obj):
        return f"{obj.attempt.trainee.get_username()} #{obj.attempt.number}"

    @admin.display(description="score")
    def scores(self, obj):
        return (
            f"{obj.old_score.normalize():f} → {obj.new_score.normalize():f}"
            f" / {obj.max_score}"
        )

    @admin.action(description="Export the selected regrades as CSV")
    def export_csv(self, request, queryset):
        rows = (
            [
                r.regraded_at,
                r.regraded_by.get_username() if r.regraded_by else "",
                r.reason,
                r.quiz.title,
                r.question_id or "",
                r.attempt.trainee.get_username(),
                r.attempt_id,
                r.attempt.number,
                r.old_score,
                r.new_score,
                r.max_score,
            ]
            for r in queryset.select_related("attempt__trainee", "quiz", "regraded_by")
        )
        return csv_response(
            filename=f"regrades-{timezone.localdate():%Y-%m-%d}.csv",
            header=REGRADES_HEADER,
            rows=rows,
        )

    def get_urls(self):
        return [
            path(
                "question/<int:object_id>/",
                self.admin_site.admin_view(self.regrade_question_view),
                name="quizzes_attemptregrade_question",
            ),
            path(
                "quiz/<int:object_id>/",
                self.admin_site.admin_view(self.regrade_quiz_view),
                name="quizzes_attemptregrade_quiz",
            ),
            *super().get_urls(),
        ]

    def regrade_question_view(self, request, object_id: int):
        question = get_object_or_404(Question, pk=object_id)
        return self._regrade(request, question=question, perm="change_question")

    def regrade_quiz_view(self, request, object_id: int):
        quiz = get_object_or_404(Quiz, pk=object_id)
        return self._regrade(request, quiz=quiz, perm="change_quiz")

    def _regrade(self, request, *, perm: str, quiz=None, question=None):
        """GET: the dry run. POST with a reason: commit, then the log."""
        if not request.user.has_perm(f"quizzes.{perm}"):
            raise PermissionDenied
        now = timezone.now()
        form = RegradeForm(request.POST or None)
        status = 200
        if request.method == "POST":
            if form.is_valid():
                try:
                    result = regrade_commit(
                        quiz=quiz,
                        question=question,
                        by=request.user,
                        reason=form.cleaned_data["reason"],
                        now=now,
                    )
                except RegradeError as error:
                    form.add_error("reason", str(error))
                else:
                    messages.success(
                        request,
                        f"Regraded: {len(result.changes)} attempt(s) changed score; "
                        f"{result.answers_repinned} answer(s) now use the current "
                        "version.",
                    )
                    # The log, narrowed to what was just regraded.
                    query = urlencode(
                        {"quiz__id__exact": quiz.pk}
                        if quiz
                        else {"question__id__exact": question.pk}
                    )
                    url = reverse("admin:quizzes_attemptregrade_changelist")
                    return redirect(f"{url}?{query}")
            status = 400
        plan = regrade_plan(quiz=quiz, question=question, now=now)
        scope = f"question #{question.pk}" if question else f"quiz “{quiz}”"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Regrade {scope}",
            "scope": scope,
            "plan": plan,
            "form": form,
        }
        return TemplateResponse(
            request, "admin/quizzes/attemptregrade/regrade.html", context, status=status
        )
