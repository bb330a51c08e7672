"""Learner progress in the admin: the trainee list, a trainee's page, the cohort.

The pages hang off the ``Trainee`` proxy's admin, so that ``view_trainee`` (which
instructors hold, and which says nothing about managing accounts) opens them.
The figures come from ``quizzes.progress``; the charts from ``quizzes.charts``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from quizzes.admin.documents import ADMIN_CSS
from quizzes.admin.formatting import duration_words
from quizzes.admin.overrides import recorded_text
from quizzes.charts import (
    MASTERY_BANDS,
    NO_DATA_COLOUR,
    TimePoint,
    heatmap_cell,
    histogram_svg,
    mastery_band,
    score_timeline_svg,
)
from quizzes.exports import (
    ATTEMPTS_HEADER,
    QUIZZES_HEADER,
    SECTIONS_HEADER,
    attempts_rows,
    csv_response,
    progress_quizzes_rows,
    progress_sections_rows,
)
from quizzes.models import Attempt, Quiz, Trainee
from quizzes.progress import (
    ProgressFilter,
    cohort_mastery,
    cohort_trainees,
    mastery_grid,
    personal_tests_summary,
    quiz_progress,
    quiz_progress_overridden,
    quiz_results,
    top_sections,
    trainee_mastery,
    trainee_overrides,
    trainee_score_points,
    trainee_summary,
    trainees_with_progress,
)
from quizzes.services.attempts import attempts_close_expired
from quizzes.statistics import assigned_q

HEATMAP_PAGE_SIZE = 50
THIN_EVIDENCE = 5  # fewer answers than this: the cell is marked as resting on little


class ProgressFilterForm(forms.Form):
    started_from = forms.DateField(
        required=False,
        label="Attempts started from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    started_to = forms.DateField(
        required=False,
        label="to (inclusive)",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    quiz = forms.ModelChoiceField(
        # Instructors' quizzes only: personal tests show apart, never filtered on.
        queryset=Quiz.objects.filter(owner__isnull=True)
        .order_by("title")
        .only("id", "title"),
        required=False,
        empty_label="All quizzes",
    )
    group = forms.ModelChoiceField(
        # A cohort: its members are listed even before they sit anything.
        queryset=Group.objects.order_by("name").only("id", "name"),
        required=False,
        empty_label="All trainees",
        label="Group",
    )
    order = forms.ChoiceField(
        required=False,
        choices=[("name", "by username"), ("weakest", "weakest first")],
        label="Order trainees",
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("started_from"), data.get("started_to")
        if start and end and end < start:
            raise forms.ValidationError("The range ends before it starts.")
        return data

    def progress_filter(self) -> ProgressFilter:
        """The filter the form asks for; an invalid form filters nothing."""
        if not self.is_valid():
            return ProgressFilter()
        data = self.cleaned_data
        return ProgressFilter(
            started_from=data.get("started_from"),
            started_to=data.get("started_to"),
            quiz_id=data["quiz"].pk if data.get("quiz") else None,
            group_id=data["group"].pk if data.get("group") else None,
        )


@admin.register(Trainee)
class TraineeAdmin(admin.ModelAdmin):
    """Trainees, with their progress at a glance; a row opens the trainee's page."""

    list_display = [
        "username",
        "full_name",
        "finished",
        "mean_score",
        "last_activity",
        "progress_link",
    ]
    list_display_links = None
    search_fields = ["username", "first_name", "last_name", "email"]
    list_filter = ["is_active", "groups"]

    class Media:
        css = ADMIN_CSS

    def get_queryset(self, request):
        return trainees_with_progress(super().get_queryset(request))

    def changelist_view(self, request, extra_context=None):
        close_due(filters=ProgressFilter())
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="name", ordering="last_name")
    def full_name(self, obj):
        return obj.get_full_name() or "—"

    @admin.display(description="finished attempts", ordering="finished")
    def finished(self, obj):
        return obj.finished

    @admin.display(description="mean score", ordering="mean_percent")
    def mean_score(self, obj):
        return "—" if obj.mean_percent is None else f"{obj.mean_percent:.1f} %"

    @admin.display(description="last activity", ordering="last_activity")
    def last_activity(self, obj):
        return obj.last_activity or "—"

    @admin.display(description="progress")
    def progress_link(self, obj):
        return format_html(
            '<a href="{}">Progress</a>',
            reverse("admin:quizzes_trainee_progress", args=[obj.pk]),
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:trainee_id>/progress/",
                view(self.progress_view),
                name="quizzes_trainee_progress",
            ),
            path("cohort/", view(self.cohort_view), name="quizzes_trainee_cohort"),
            path(
                "cohort/export/<str:kind>.csv",
                view(self.export_view),
                name="quizzes_trainee_export",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A trainee's row opens their progress page (nothing here is editable)."""
        return redirect("admin:quizzes_trainee_progress", object_id)

    def _check(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied

    def _context(self, request, title: str, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "media": self.media,
            **extra,
        }

    def progress_view(self, request, trainee_id: int):
        """One trainee: grade per quiz, time, mastery per section, scores over time."""
        self._check(request)
        trainee = get_object_or_404(Trainee.objects.all(), pk=trainee_id)
        form = ProgressFilterForm(request.GET or None)
        filters = form.progress_filter()
        close_due(filters=filters, trainee=trainee)
        sections = top_sections()
        overrides = trainee_overrides(trainee=trainee)
        rows = quiz_progress_overridden(
            rows=quiz_progress(filters=filters, trainee=trainee),
            overrides=overrides,
            trainee_id=trainee.pk,
        )
        points = trainee_score_points(trainee=trainee, filters=filters)
        personal = personal_tests_summary(trainee=trainee, filters=filters)
        pass_marks = {p.pass_mark for p in points}
        mastery = [
            {
                "section": section,
                "mastery": cell,
                "band": mastery_band(cell.percent),
                "answers_url": answers_url(
                    trainee=trainee, section_id=section.id, filters=filters
                ),
            }
            for section, cell in trainee_mastery(
                trainee=trainee, sections=sections, filters=filters
            )
        ]
        chart = score_timeline_svg(
            [
                TimePoint(
                    when=p.finished_at,
                    percent=p.percent,
                    label=f"{p.quiz_title}, attempt {p.number}",
                )
                for p in points
            ],
            chart_id="scores",
            title=f"Scores of {trainee} over time",
            desc=f"{len(points)} finished attempt(s), each a dot at its score (0 to "
            "100 %) on the date it finished, joined in time order. The same figures "
            "are in the table below the chart.",
            pass_mark=pass_marks.pop() if len(pass_marks) == 1 else None,
        )
        context = self._context(
            request,
            f"Progress: {trainee}",
            trainee=trainee,
            form=form,
            rows=[{"row": r, "time": duration_words(r.time_spent)} for r in rows],
            summary=trainee_summary(trainee=trainee, rows=rows, filters=filters),
            personal=personal,
            mastery=mastery,
            several_documents=len({s.document_title for s in sections}) > 1,
            points=points,
            chart=chart,
            bands=MASTERY_BANDS,
            no_data_colour=NO_DATA_COLOUR,
            thin=THIN_EVIDENCE,
            attempts_url=reverse("admin:quizzes_attempt_changelist")
            + "?"
            + urlencode({"trainee": trainee.username}),
            cohort_url=reverse("admin:quizzes_trainee_cohort"),
        )
        context["summary_time"] = duration_words(context["summary"].time_spent)
        context["overrides"] = [
            {
                "override": override,
                "changes": "; ".join(override.changes()),
                "recorded": recorded_text(override),
            }
            for override in overrides
        ]
        return TemplateResponse(request, "admin/quizzes/trainee/progress.html", context)

    def cohort_view(self, request):
        """Trainees × sections mastery heatmap, and per quiz a grade histogram."""
        self._check(request)
        form = ProgressFilterForm(request.GET or None)
        filters = form.progress_filter()
        close_due(filters=filters)
        order = form.cleaned_data.get("order") if form.is_valid() else None
        sections = top_sections()
        page = Paginator(
            cohort_trainees(filters=filters, order=order or "name"), HEATMAP_PAGE_SIZE
        ).get_page(request.GET.get("page"))
        trainees = list(page.object_list)
        grid = mastery_grid(
            trainee_ids=[t.pk for t in trainees], sections=sections, filters=filters
        )
        cohort = cohort_mastery(sections=sections, filters=filters)
        heatmap = [
            {
                "trainee": trainee,
                "progress_url": reverse(
                    "admin:quizzes_trainee_progress", args=[trainee.pk]
                ),
                "cells": [
                    _cell(grid.get((trainee.pk, s.id)), trainee, s, filters)
                    for s in sections
                ],
            }
            for trainee in trainees
        ]
        results = [
            {
                "result": result,
                "chart": histogram_svg(
                    result.bins,
                    chart_id=f"quiz-{result.quiz_id}",
                    title=f"Grades on “{result.title}”",
                    desc=f"How many trainees have a grade in each 10-point band, "
                    f"from 0 to 100 %; {result.graded} trainee(s) graded "
                    f"({result.grading_label.lower()}); the dashed line is the pass "
                    f"mark, {result.pass_mark} %.",
                    pass_mark=result.pass_mark,
                ),
                "bands": [
                    (f"{i * 10}–{i * 10 + 10}", count)
                    for i, count in enumerate(result.bins)
                ],
            }
            for result in quiz_results(filters=filters)
        ]
        query = request.GET.copy()
        query.pop("page", None)
        context = self._context(
            request,
            "Cohort progress",
            form=form,
            sections=sections,
            cohort_cells=[_cell(cohort.get(s.id), None, s, filters) for s in sections],
            heatmap=heatmap,
            page=page,
            query=query.urlencode(),
            results=sorted(results, key=lambda r: r["result"].title),
            bands=MASTERY_BANDS,
            no_data_colour=NO_DATA_COLOUR,
            thin=THIN_EVIDENCE,
            export_query=query.urlencode(),
        )
        return TemplateResponse(request, "admin/quizzes/trainee/cohort.html", context)

    def export_view(self, request, kind: str):
        """CSV of the cohort, with the page's filters: sections, quizzes, attempts."""
        self._check(request)
        filters = ProgressFilterForm(request.GET or None).progress_filter()
        close_due(filters=filters)
        stamp = f"{timezone.localdate():%Y-%m-%d}"
        if kind == "sections":
            return csv_response(
                filename=f"progress-sections-{stamp}.csv",
                header=SECTIONS_HEADER,
                rows=progress_sections_rows(
                    trainees=cohort_trainees(filters=filters),
                    sections=top_sections(),
                    filters=filters,
                ),
            )
        if kind == "quizzes":
            return csv_response(
                filename=f"progress-quizzes-{stamp}.csv",
                header=QUIZZES_HEADER,
                rows=progress_quizzes_rows(filters=filters),
            )
        if kind == "attempts":
            return csv_response(
                filename=f"attempts-{stamp}.csv",
                header=ATTEMPTS_HEADER,
                # Instructors' quizzes: personal tests are not graded work.
                rows=attempts_rows(
                    Attempt.objects.filter(filters.attempts() & assigned_q()),
                    now=timezone.now(),
                ),
            )
        raise Http404("No such export.")


def close_due(*, filters: ProgressFilter, trainee=None) -> None:
    """Close on read: the attempts a progress page or export covers whose time ran
    out are expired and scored first, so grades, mastery and counts include them
    before the scheduler's next run (one query when nothing is due)."""
    attempts = Attempt.objects.filter(filters.attempts())
    if trainee is not None:
        attempts = attempts.filter(trainee=trainee)
    attempts_close_expired(now=timezone.now(), attempts=attempts)


def answers_url(*, trainee, section_id: int, filters: ProgressFilter) -> str:
    """The answer list behind a mastery figure: the trainee's scored answers to the
    section's questions, with the same quiz and date range."""
    params = {"scored": "yes", "section": section_id}
    if trainee is not None:
        params["trainee"] = trainee.username
    if filters.quiz_id:
        params["attempt__quiz__id__exact"] = filters.quiz_id
    if filters.start:
        params["attempt__started_at__gte"] = filters.start.isoformat(sep=" ")
    if filters.end:
        params["attempt__started_at__lt"] = filters.end.isoformat(sep=" ")
    return reverse("admin:quizzes_answer_changelist") + "?" + urlencode(params)


def _cell(mastery, trainee, section, filters: ProgressFilter) -> SafeString:
    return heatmap_cell(
        label=section.title,
        percent=mastery.percent if mastery else None,
        answers=mastery.answers if mastery else 0,
        url=answers_url(trainee=trainee, section_id=section.id, filters=filters),
        thin=bool(mastery) and mastery.answers < THIN_EVIDENCE,
    )
