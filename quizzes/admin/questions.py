"""The question bank: list with item statistics, inline choices, actions, preview."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from quizzes.admin.documents import ADMIN_CSS
from quizzes.admin.filters import SectionTreeFilter
from quizzes.choices import QuestionKind, QuestionStatus
from quizzes.models import Choice, Question, Section
from quizzes.previews import question_preview
from quizzes.rules import choice_problems, question_problems, quote_problems
from quizzes.services.question_history import (
    QuestionRevertError,
    question_revert,
    question_versions,
)
from quizzes.services.questions import (
    question_duplicate,
    questions_publish,
    questions_retire,
)
from quizzes.statistics import questions_with_stats

KIND_SHORT = {
    QuestionKind.SINGLE: "single",
    QuestionKind.MULTIPLE: "select all",
    QuestionKind.TRUE_FALSE: "true/false",
}


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ChoiceInlineFormSet(forms.BaseInlineFormSet):
    """Applies ``quizzes.rules`` to the choices as a whole, one message per problem.

    Always the kind's rules (how many options, how many correct); for a question
    saved as published, every rule ``audit_bank`` applies. The source quote is left
    to ``Question.clean``, which reports it on its own field.
    """

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        question = self.instance
        if question.kind not in QuestionKind.values:
            return  # the kind field carries the error
        kept = [
            form.instance
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        kept.sort(key=lambda choice: choice.order or 0)
        problems = choice_problems(kind=question.kind, choices=kept)
        if question.status == QuestionStatus.PUBLISHED and question.section_id:
            section_text = question.section.full_text()
            quote = quote_problems(
                source_quote=question.source_quote, section_text=section_text
            )
            problems = [
                problem
                for problem in question_problems(
                    question=question, choices=kept, section_text=section_text
                )
                if problem not in quote
            ]
        if problems:
            raise ValidationError(problems)


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceInlineFormSet
    fields = ["order", "text", "is_correct", "rationale"]
    extra = 0
    # Short text areas, so the five columns fit a laptop screen without scrolling.
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 36})}
    }


class SectionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        indent = "— " * (obj.level - 1)
        return f"{obj.document.title} · {indent}{obj.title}"


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = [
        "stem_short",
        "section_short",
        "kind_short",
        "status_tag",
        "responses",
        "facility",
        "preview_link",
    ]
    list_display_links = ["stem_short"]
    list_filter = ["section__document", "kind", "status", SectionTreeFilter]
    search_fields = ["stem", "choices__text", "ref"]
    list_select_related = ["section"]
    inlines = [ChoiceInline]
    fieldsets = [
        (None, {"fields": ["section", "kind", "status", "stem"]}),
        ("Teaching", {"fields": ["explanation", "source_quote"]}),
        (
            "Record",
            {
                "fields": [
                    "preview_link",
                    "versions_link",
                    "responses",
                    "facility",
                    "ref",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]
    readonly_fields = [
        "preview_link",
        "versions_link",
        "responses",
        "facility",
        "ref",
        "created_at",
        "updated_at",
    ]
    actions = ["publish", "retire", "duplicate_as_draft"]

    class Media:
        css = ADMIN_CSS

    def get_queryset(self, request):
        return questions_with_stats(super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":
            kwargs["queryset"] = Section.objects.select_related("document").order_by(
                "document__title", "order"
            )
            kwargs["form_class"] = SectionChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="question", ordering="stem")
    def stem_short(self, obj):
        return _shorten(obj.stem, 110)

    @admin.display(description="section", ordering="section__order")
    def section_short(self, obj):
        return _shorten(obj.section.title, 42)

    @admin.display(description="kind", ordering="kind")
    def kind_short(self, obj):
        return KIND_SHORT.get(obj.kind, obj.kind)

    @admin.display(description="status", ordering="status")
    def status_tag(self, obj):
        return format_html(
            '<span class="tag tag-{}">{}</span>', obj.status, obj.get_status_display()
        )

    @admin.display(description="responses", ordering="responses")
    def responses(self, obj):
        return getattr(obj, "responses", 0)

    @admin.display(description="facility", ordering="facility")
    def facility(self, obj):
        """Mean mark over the answers in finished attempts, as a percent."""
        value = getattr(obj, "facility", None)
        return "—" if value is None else f"{value:.0f} %"

    @admin.display(description="preview")
    def preview_link(self, obj):
        if obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">Preview</a>',
            reverse("admin:quizzes_question_preview", args=[obj.pk]),
        )

    @admin.display(description="versions")
    def versions_link(self, obj):
        if obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">Every change, and reverting to an earlier version</a>',
            reverse("admin:quizzes_question_versions", args=[obj.pk]),
        )

    @admin.action(
        description="Publish the selected questions (those that pass the rules)",
        permissions=["change"],
    )
    def publish(self, request, queryset):
        result = questions_publish(questions=queryset.select_related("section"))
        if result.changed:
            messages.success(request, f"{len(result.changed)} question(s) published.")
        if result.unchanged:
            messages.info(
                request, f"{len(result.unchanged)} question(s) were already published."
            )
        for refusal in result.refused:
            messages.error(
                request,
                format_html(
                    "Not published: “{}” — {}",
                    refusal.question,
                    "; ".join(refusal.problems),
                ),
            )

    @admin.action(description="Retire the selected questions", permissions=["change"])
    def retire(self, request, queryset):
        result = questions_retire(questions=queryset)
        if result.changed:
            messages.success(request, f"{len(result.changed)} question(s) retired.")
        if result.unchanged:
            messages.info(
                request, f"{len(result.unchanged)} question(s) were already retired."
            )
        if result.still_fixed:
            messages.warning(
                request,
                "Still fixed in a quiz (a fixed question is served whatever its "
                "status; remove it from the quiz's composition): "
                + "; ".join(f"“{q}”" for q in result.still_fixed),
            )

    @admin.action(
        description="Duplicate the selected questions as drafts", permissions=["add"]
    )
    def duplicate_as_draft(self, request, queryset):
        copies = [question_duplicate(question=q) for q in queryset]
        if len(copies) == 1:
            messages.success(request, "Duplicated as a draft: edit it, then publish.")
            return redirect("admin:quizzes_question_change", copies[0].pk)
        messages.success(
            request,
            format_html(
                "{} draft(s) created: {}",
                len(copies),
                format_html_join(
                    ", ",
                    '<a href="{}">#{}</a>',
                    (
                        (reverse("admin:quizzes_question_change", args=[c.pk]), c.pk)
                        for c in copies
                    ),
                ),
            ),
        )
        return None

    def get_urls(self):
        return [
            path(
                "<int:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="quizzes_question_preview",
            ),
            path(
                "<int:object_id>/versions/",
                self.admin_site.admin_view(self.versions_view),
                name="quizzes_question_versions",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, object_id: int):
        """The question as a trainee sees it, then with its key and rationales."""
        question = get_object_or_404(
            Question.objects.select_related("section__document"), pk=object_id
        )
        if not self.has_view_permission(request, question):
            raise PermissionDenied
        context = {
            "preview": question_preview(question=question),
            "change_url": reverse("admin:quizzes_question_change", args=[question.pk]),
        }
        return TemplateResponse(request, "admin/quizzes/question/preview.html", context)

    def versions_view(self, request, object_id: int):
        """Every change to the question and its choices; POST reverts to one."""
        question = get_object_or_404(
            Question.objects.select_related("section"), pk=object_id
        )
        if not self.has_view_permission(request, question):
            raise PermissionDenied
        if request.method == "POST":
            if not self.has_change_permission(request, question):
                raise PermissionDenied
            form = RevertForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Choose a version to revert to.")
            else:
                as_of = form.cleaned_data["as_of"]
                try:
                    question_revert(question=question, as_of=as_of)
                except QuestionRevertError as error:
                    messages.error(request, f"Not reverted: {error}")
                else:
                    messages.success(
                        request,
                        f"Reverted to the version of {as_of:%Y-%m-%d %H:%M:%S} UTC. "
                        "Finished attempts keep the scores they were given.",
                    )
                    return redirect("admin:quizzes_question_change", question.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Versions of question #{question.pk}",
            "question": question,
            "versions": question_versions(question=question),
            "can_revert": self.has_change_permission(request, question),
        }
        return TemplateResponse(
            request, "admin/quizzes/question/versions.html", context
        )


class RevertForm(forms.Form):
    as_of = forms.DateTimeField(input_formats=["%Y-%m-%dT%H:%M:%S.%f%z"])
