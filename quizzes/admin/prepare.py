"""The quiz's "Prepare attempts…" page: a preview, then a confirmed POST.

Before a scheduled exam opens, an instructor creates the attempts of a group, or of
every active trainee, so that at the opening each start is one UPDATE
(``services.attempts.attempts_prepare``, which this page only calls). The GET is a
dry run: who would get an attempt, how many are already prepared or started.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from quizzes.choices import AttemptState
from quizzes.models import Quiz, Trainee
from quizzes.services.attempts import QuizUnavailable, attempts_prepare, quiz_roster

# The preview names this many trainees, then says how many more.
NAMES_SHOWN = 50


class PrepareForm(forms.Form):
    group = forms.ModelChoiceField(
        queryset=Group.objects.order_by("name"),
        required=False,
        empty_label="Everyone (every active trainee)",
        help_text="The trainees expected to sit the quiz.",
    )


def prepare_view(model_admin, request, object_id: int):
    """GET (``?group=``): the dry run for that roster. POST: prepare, then the
    attempt list narrowed to this quiz's prepared attempts."""
    quiz = get_object_or_404(Quiz, pk=object_id)
    if not model_admin.has_change_permission(request, quiz):
        raise PermissionDenied
    form = PrepareForm(request.POST if request.method == "POST" else request.GET)
    status = 200
    if not form.is_valid():
        # An unknown group: say so, and preview nobody's attempts.
        return _page(model_admin, request, quiz, form, report=None, status=400)
    group = form.cleaned_data["group"]
    trainees = quiz_roster(quiz=quiz, group=group)
    now = timezone.now()
    if request.method == "POST":
        try:
            report = attempts_prepare(quiz=quiz, trainees=trainees, now=now)
        except QuizUnavailable as error:
            form.add_error(None, str(error))
            return _page(model_admin, request, quiz, form, report=None, status=400)
        messages.success(
            request,
            f"Prepared {report.created} attempt(s); "
            f"{report.already_prepared} were already prepared, "
            f"{report.already_started} already started, "
            f"{report.no_attempts_left} had no attempts left.",
        )
        query = urlencode({"quiz__id__exact": quiz.pk, "state": AttemptState.PREPARED})
        return redirect(f"{reverse('admin:quizzes_attempt_changelist')}?{query}")
    try:
        report = attempts_prepare(quiz=quiz, trainees=trainees, now=now, dry_run=True)
    except QuizUnavailable as error:
        form.add_error(None, str(error))
        report, status = None, 400
    return _page(model_admin, request, quiz, form, report=report, status=status)


def _page(model_admin, request, quiz, form, *, report, status):
    names = []
    if report is not None:
        shown = report.trainee_ids[:NAMES_SHOWN]
        names = [str(t) for t in Trainee.objects.filter(pk__in=shown)]
    # Bound and checked by the caller: the valid part of what was asked.
    group = form.cleaned_data.get("group")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": quiz._meta,
        "title": f"Prepare attempts of “{quiz}”",
        "quiz": quiz,
        "form": form,
        "group": group,
        "report": report,
        "names": names,
        "more": report.created - len(names) if report else 0,
    }
    return TemplateResponse(
        request, "admin/quizzes/quiz/prepare.html", context, status=status
    )
