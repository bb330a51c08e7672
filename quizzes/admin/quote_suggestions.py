"""Source quotes for drafts that lack one: suggestions, "Use this quote", the list.

An imported question arrives as a draft, often without a verbatim quote. Its change
page suggests the best-matching sentences of its section; the page "Drafts lacking
a source quote" lists every such draft with its best suggestion. Each suggestion
has a "Use this quote" button, a CSRF-protected POST to ``use_quote_view``, which
applies ``question_quote_set`` (the verbatim rule) and goes back where it came
from. ``QuestionAdmin`` hooks these in with its ``get_urls``, its change form's
context and its list filters.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from quizzes.choices import QuestionStatus
from quizzes.models import Question
from quizzes.services.quote_suggestions import (
    QuoteRefused,
    draft_quote_suggestions,
    drafts_without_quote,
    question_quote_set,
)

# Drafts per page of the list: ranking a draft's section costs about 1 ms (some 30
# sentences against a 400-character question on the seed banks; several times that
# on a busy machine), and a 5,000-question import must not make one page slow.
DRAFTS_PER_PAGE = 25
# Where "Use this quote" returns: the list of drafts, or (by default) the draft.
BACK_TO_LIST = "list"


class SourceQuoteFilter(admin.SimpleListFilter):
    """Drafts whose source quote is empty or not verbatim (``drafts_without_quote``),
    with a link to the page that suggests a quote for each."""

    title = "source quote"
    parameter_name = "source_quote"
    template = "admin/quizzes/question/source_quote_filter.html"
    MISSING = "missing"

    def lookups(self, request, model_admin):
        return [(self.MISSING, "Missing (drafts without a verbatim quote)")]

    def queryset(self, request, queryset):
        if self.value() != self.MISSING:
            return queryset
        ids = [gap.question.pk for gap in drafts_without_quote()]
        return queryset.filter(pk__in=ids)


def quote_suggestion_urls(model_admin: admin.ModelAdmin) -> list:
    """The two URLs, for ``QuestionAdmin.get_urls``."""
    site = model_admin.admin_site
    return [
        path(
            "quote-suggestions/",
            site.admin_view(lambda request: drafts_view(request, model_admin)),
            name="quizzes_question_quote_drafts",
        ),
        path(
            "<int:object_id>/use-quote/",
            site.admin_view(
                require_POST(
                    lambda request, object_id: use_quote_view(
                        request, model_admin, object_id
                    )
                )
            ),
            name="quizzes_question_use_quote",
        ),
    ]


def quote_panel_context(*, request, model_admin, question: Question | None) -> dict:
    """The change form's suggestions, for a saved draft without a verbatim quote.

    Read from the database, not from the form: a form sent back with errors (say,
    "publish" without a quote) shows the suggestions for the question as stored.
    No query on a GET of a question that is not a draft; three for a draft lacking
    a quote (the draft, its document's sections, its choices).
    """
    if question is None or question.pk is None:
        return {}
    if request.method == "GET" and question.status != QuestionStatus.DRAFT:
        # Just read from the database: no query needed to know it is no draft.
        return {}
    gaps = drafts_without_quote(questions=Question.objects.filter(pk=question.pk))
    if not gaps:
        return {}
    [draft] = draft_quote_suggestions(gaps=gaps)
    return {
        "quote_draft": draft,
        "quote_can_use": model_admin.has_change_permission(request, question),
    }


def drafts_view(request, model_admin: admin.ModelAdmin):
    """Every draft that lacks a verbatim quote, with its best suggestion (GET only:
    the buttons post to ``use_quote_view``)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    gaps = drafts_without_quote()
    page = Paginator(gaps, DRAFTS_PER_PAGE).get_page(request.GET.get("p"))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Question._meta,
        "title": "Drafts lacking a source quote",
        "page": page,
        "drafts": draft_quote_suggestions(gaps=page.object_list, limit=1),
        "can_use": model_admin.has_change_permission(request),
        "back": BACK_TO_LIST,
    }
    return TemplateResponse(
        request, "admin/quizzes/question/quote_drafts.html", context
    )


def use_quote_view(request, model_admin: admin.ModelAdmin, object_id: int):
    """Set the posted ``quote`` as the question's source quote, then go back to the
    draft (or to the list, ``back=list``) with a message saying what happened."""
    question = get_object_or_404(
        Question.objects.select_related("section"), pk=object_id
    )
    if not model_admin.has_change_permission(request, question):
        raise PermissionDenied
    try:
        question_quote_set(
            question=question, quote=request.POST.get("quote", ""), user=request.user
        )
    except QuoteRefused as refusal:
        messages.error(
            request, f"Quote not saved for “{question}”: {'; '.join(refusal.problems)}"
        )
    else:
        messages.success(
            request,
            format_html(
                "Source quote saved for “{}”. Check it supports the key, then publish.",
                question,
            ),
        )
    if request.POST.get("back") == BACK_TO_LIST:
        url = reverse("admin:quizzes_question_quote_drafts")
        page = request.POST.get("p", "")
        return redirect(f"{url}?p={page}" if page.isdigit() else url)
    return redirect("admin:quizzes_question_change", question.pk)
