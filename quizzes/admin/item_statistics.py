"""A quiz's item analysis in the admin: the statistics page, its CSV, and the
question list's discrimination and flags columns.

The figures come from ``quizzes.services.item_analysis`` (cached per quiz); this
module only lays them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from quizzes.charts import histogram_svg
from quizzes.choices import ReportStatus
from quizzes.exports import csv_response
from quizzes.item_analysis import DASH, QUIZ_ROWS, QuestionStats
from quizzes.models import Question, Quiz
from quizzes.services.attempts import attempts_close_expired
from quizzes.services.item_analysis import (
    ItemReport,
    QuestionFigures,
    question_item_figures,
    quiz_item_report,
)

ATTEMPTS_CHOICES = {"first": False, "all": True}

# name, column heading, unit: "f" a fraction of the max mark (0–1), "%" percent.
QUESTION_COLUMNS = [
    ("facility", "Facility (0–1)", "f"),
    ("sd", "SD (0–1)", "f"),
    ("random_guess_score", "Random guess (0–1)", "f"),
    ("discrimination_index", "Discrimination index (%)", "%"),
    ("discriminative_efficiency", "Discriminative efficiency (%)", "%"),
    ("effective_weight", "Effective weight (%)", "%"),
]
UNIT_TEXT = {"n": "", "m": " marks", "%": " %", "f": ""}


@dataclass(frozen=True)
class Figure:
    """A number as the page shows it, or "—" and the reason it is missing."""

    text: str
    reason: str = ""

    @property
    def missing(self) -> bool:
        return self.text == DASH


def figure(value, *, unit: str, reason: str | None) -> Figure:
    if value is None:
        return Figure(DASH, reason or "not computed")
    if unit == "n" and isinstance(value, int):
        return Figure(str(value))
    # Percents to one decimal, as Moodle prints them; marks and fractions to two.
    digits = 1 if unit == "%" else 2
    return Figure(f"{value:.{digits}f}")


def statistics_view(model_admin, request, object_id: int):
    """The statistics page of a quiz; ``?format=csv`` its per-question table; a
    POST recomputes the cached analysis."""
    quiz = get_object_or_404(Quiz, pk=object_id)
    if not model_admin.has_view_permission(request, quiz):
        raise PermissionDenied
    # Close on read: the quiz's attempts whose time ran out count, scored.
    attempts_close_expired(now=timezone.now(), attempts=quiz.attempts.all())
    source = request.POST if request.method == "POST" else request.GET
    all_attempts = ATTEMPTS_CHOICES.get(source.get("attempts", "first"))
    if all_attempts is None:
        return HttpResponseBadRequest(
            "The “attempts” parameter must be “first” or “all”, not "
            f"“{source.get('attempts')}”.",
            content_type="text/plain; charset=utf-8",
        )
    mode = "all" if all_attempts else "first"
    here = reverse("admin:quizzes_quiz_statistics", args=[quiz.pk])
    if request.method == "POST":
        quiz_item_report(quiz=quiz, all_attempts=all_attempts, recompute=True)
        messages.success(request, "Statistics recomputed from the attempts as of now.")
        return redirect(f"{here}?attempts={mode}")
    output = request.GET.get("format", "html")
    if output not in ("html", "csv"):
        return HttpResponseBadRequest(
            f"The “format” parameter must be “html” or “csv”, not “{output}”.",
            content_type="text/plain; charset=utf-8",
        )
    report = quiz_item_report(quiz=quiz, all_attempts=all_attempts)
    stems = dict(
        Question.objects.filter(pk__in=report.question_ids).values_list("pk", "stem")
    )
    if output == "csv":
        return _csv(quiz=quiz, report=report, stems=stems, mode=mode)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Quiz._meta,
        "title": f"Statistics of “{quiz.title}”",
        "quiz": quiz,
        "report": report,
        "mode": mode,
        "here": here,
        "quiz_rows": _quiz_rows(report),
        "question_headings": [label for _, label, _ in QUESTION_COLUMNS],
        "question_rows": _question_rows(report, stems),
        "chart": histogram_svg(
            report.bins,
            chart_id="scores",
            title=f"Scores of the {mode} attempts at “{quiz.title}”",
            desc=_histogram_desc(report),
            pass_mark=quiz.pass_mark,
            x_label="Score (%)",
            y_label="Attempts",
        ),
        "bands": [
            (f"{10 * i} to {10 * (i + 1)} %", count)
            for i, count in enumerate(report.bins)
        ],
    }
    return TemplateResponse(request, "admin/quizzes/quiz/statistics.html", context)


def _histogram_desc(report: ItemReport) -> str:
    busiest = max(range(len(report.bins)), key=lambda i: report.bins[i], default=0)
    total = sum(report.bins)
    if not total:
        return "No finished attempt yet."
    return (
        f"{total} attempts in ten 10 % bands; the most, {report.bins[busiest]}, "
        f"scored {10 * busiest} to {10 * (busiest + 1)} %."
    )


def _quiz_rows(report: ItemReport) -> list[tuple[str, Figure, str]]:
    stats = report.analysis.quiz
    return [
        (
            label,
            figure(getattr(stats, name), unit=unit, reason=stats.reasons.get(name)),
            UNIT_TEXT[unit],
        )
        for name, label, unit in QUIZ_ROWS
    ]


@dataclass
class QuestionRow:
    id: int
    name: str
    stem: str
    change_url: str
    stats: QuestionStats
    figures: list[Figure]
    flags: list


def _question_rows(report: ItemReport, stems: dict[int, str]) -> list[QuestionRow]:
    rows = []
    for qid, stats, flags in zip(
        report.question_ids, report.analysis.questions, report.flags, strict=True
    ):
        rows.append(
            QuestionRow(
                id=qid,
                name=stats.question,
                stem=_shorten(stems.get(qid, ""), 90),
                change_url=reverse("admin:quizzes_question_change", args=[qid]),
                stats=stats,
                figures=[
                    figure(
                        getattr(stats, name),
                        unit=unit,
                        reason=stats.reasons.get(name),
                    )
                    for name, _, unit in QUESTION_COLUMNS
                ],
                flags=flags,
            )
        )
    return rows


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


CSV_HEADER = [
    "question id",
    "question",
    "stem",
    "attempts",
    "facility (0-1)",
    "sd (0-1)",
    "random guess score (0-1)",
    "discrimination index (%)",
    "discriminative efficiency (%)",
    "effective weight (%)",
    "flags",
]


def _csv(*, quiz: Quiz, report: ItemReport, stems: dict[int, str], mode: str):
    """The per-question table; ``csv_cell`` defuses a stem or ref read as a formula."""
    rows = (
        [
            qid,
            stats.question,
            stems.get(qid, ""),
            stats.attempts,
            *(getattr(stats, name) for name, _, _ in QUESTION_COLUMNS),
            "; ".join(flag.reason for flag in flags),
        ]
        for qid, stats, flags in zip(
            report.question_ids, report.analysis.questions, report.flags, strict=True
        )
    )
    return csv_response(
        filename=f"item-analysis-{quiz.slug}-{mode}.csv", header=CSV_HEADER, rows=rows
    )


# --- the question list ------------------------------------------------------------


def open_reports_html(*, question_id: int, count: int) -> str:
    """ "N open", linked to the question's open problem reports in the queue."""
    return format_html(
        '<a href="{}?question__id__exact={}&amp;status__exact={}">{}&nbsp;open '
        "report{}</a>",
        reverse("admin:quizzes_problemreport_changelist"),
        question_id,
        ReportStatus.OPEN,
        count,
        "" if count == 1 else "s",
    )


FLAG_LABELS = {
    "beats-key": "key beaten",
    "hard": "too hard",
    "easy": "too easy",
    "weak": "weak",
    "unused": "unused option",
}


class QuestionFiguresColumns:
    """The question list's "discrimination" and "flags" columns, for one request.

    The figures are read once, on the first row (``question_item_figures``: one
    query and one cache read, whatever the number of rows), and shared with the
    "flagged" filter through the request.
    """

    def __init__(self, request):
        self.request = request

    @cached_property
    def figures(self) -> dict[int, QuestionFigures]:
        return request_question_figures(self.request)

    def columns(self) -> list:
        def discrimination(obj):
            found = self.figures.get(obj.pk)
            if found is None:
                return format_html(
                    '<span title="{}">{}</span>',
                    "no cached statistics: open a quiz's statistics page",
                    DASH,
                )
            value = found.discrimination_index
            return DASH if value is None else f"{value:.1f}"

        discrimination.short_description = "discr. (%)"

        def flags(obj):
            # Trainees' open problem reports are flags too: one column for both
            # keeps the list within 1280 px.
            count = getattr(obj, "open_reports", 0)
            reports = (
                open_reports_html(question_id=obj.pk, count=count) if count else ""
            )
            found = self.figures.get(obj.pk)
            if found is None or not found.flags:
                return reports
            url = reverse("admin:quizzes_quiz_statistics", args=[found.quiz_id])
            # Short labels keep the column narrow; the reasons are the link's
            # title and, for a screen reader, hidden text.
            labels = dict.fromkeys(FLAG_LABELS.get(f.code, f.code) for f in found.flags)
            reasons = "; ".join(f.reason for f in found.flags)
            links = format_html(
                '<a href="{}#q-{}" title="{} (in “{}”)">{}<span '
                'class="visually-hidden">: {} (in “{}”)</span></a>',
                url,
                obj.pk,
                reasons,
                found.quiz_title,
                ", ".join(labels),
                reasons,
                found.quiz_title,
            )
            if reports:
                links = format_html("{} · {}", links, reports)
            return links

        flags.short_description = "flags"
        return [discrimination, flags]


def request_question_figures(request) -> dict[int, QuestionFigures]:
    """``question_item_figures``, read once per request."""
    if not hasattr(request, "_question_item_figures"):
        request._question_item_figures = question_item_figures()
    return request._question_item_figures


class FlaggedFilter(admin.SimpleListFilter):
    """Questions flagged (or not) by the cached statistics of a quiz."""

    title = "item analysis"
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", "flagged"), ("no", "not flagged")]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        flagged = [
            qid
            for qid, found in request_question_figures(request).items()
            if found.flags
        ]
        if self.value() == "yes":
            return queryset.filter(pk__in=flagged)
        return queryset.exclude(pk__in=flagged)


def statistics_link(quiz: Quiz) -> str:
    return format_html(
        '<a href="{}">Statistics</a>',
        reverse("admin:quizzes_quiz_statistics", args=[quiz.pk]),
    )
