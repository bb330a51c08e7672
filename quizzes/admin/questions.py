"""The question bank: list with item statistics, inline choices, actions, preview."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from quizzes.admin.documents import ADMIN_CSS
from quizzes.admin.filters import SectionTreeFilter
from quizzes.admin.item_statistics import (
    FlaggedFilter,
    QuestionFiguresColumns,
    open_reports_html,
)
from quizzes.admin.question_files import export_selected, question_file_urls
from quizzes.admin.quote_suggestions import (
    SourceQuoteFilter,
    quote_panel_context,
    quote_suggestion_urls,
)
from quizzes.admin.regrade import regrade_selected
from quizzes.choices import QuestionKind, QuestionStatus
from quizzes.models import Choice, Question, Section
from quizzes.previews import question_preview
from quizzes.rules import (
    WARNING_CODES,
    choice_problems,
    problems_blocking,
    quote_problems,
    starting_choice_texts,
)
from quizzes.services.audit import question_audit, question_warnings
from quizzes.services.question_history import (
    ORDER_OFFSET,
    QuestionRevertError,
    question_revert,
    question_versions,
)
from quizzes.services.questions import (
    question_duplicate,
    questions_publish,
    questions_retire,
)
from quizzes.statistics import questions_with_open_reports, questions_with_stats

KIND_SHORT = {
    QuestionKind.SINGLE: "single",
    QuestionKind.MULTIPLE: "select all",
    QuestionKind.TRUE_FALSE: "true/false",
}


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class PositionField(forms.IntegerField):
    """Where a choice stands on the page; the formset turns it into ``order``.

    Never a change by itself: a blank row carries its number too, and Django skips
    an extra row only while it is unchanged. A choice that only moved is saved by
    ``ChoiceInlineFormSet.save_existing_objects``.
    """

    def has_changed(self, initial, data):
        return False


class ChoiceForm(forms.ModelForm):
    """A choice row. Its position is a form field, not the model's ``order``, so
    neither the form nor the formset checks (question, order) for uniqueness:
    the formset numbers the rows itself, 1 to n down the page."""

    position = PositionField(
        label="Order",
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"class": "choice-position"}),
        help_text="Numbered by the rows' places on the page; move a row to change it.",
    )

    class Meta:
        model = Choice
        fields = ["text", "is_correct", "rationale"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The order stored before this POST, to tell which choices move.
        self.stored_order = self.instance.order if self.instance.pk else None
        if self.instance.pk:
            self.initial.setdefault("position", self.instance.order)


class ChoiceInlineFormSet(forms.BaseInlineFormSet):
    """Numbers the choices and applies ``quizzes.rules`` to them as a whole.

    Always the kind's rules (how many options, how many correct); for a question
    saved as published, every rule ``audit_bank`` applies to one question, the
    item-writing warnings included: a warning blocks unless the question's form
    acknowledges it with a reason (``acknowledged`` lists those, for a message).
    The source quote is left to ``Question.clean``, which reports it on its own
    field. The rules run even when a row has an error of its own, so that "2 are
    marked" is never hidden behind a "This field is required".
    """

    acknowledged: list[str] = []

    def clean(self):
        super().clean()
        kept = self._number_kept_forms()
        question = self.instance
        if question.kind not in QuestionKind.values:
            return  # the kind field carries the error
        choices = [form.instance for form in kept]
        problems = choice_problems(kind=question.kind, choices=choices)
        if question.status == QuestionStatus.PUBLISHED and question.section_id:
            section_text = question.section.full_text()
            quote = quote_problems(
                source_quote=question.source_quote, section_text=section_text
            )
            found = [
                problem
                for problem in question_audit(
                    question=question, choices=choices, section_text=section_text
                )
                if problem not in quote
            ]
            problems = problems_blocking(
                found, acknowledged=question.acknowledged_warnings
            )
            self.acknowledged = [p for p in found if p not in problems]
            problems = [_with_code(problem) for problem in problems]
        if problems:
            raise ValidationError(problems)

    def _number_kept_forms(self) -> list[forms.ModelForm]:
        """Give the rows that will be saved the orders 1..n, in their page order.

        The page (its script) posts each row's place as ``position``; a blank or 0
        place, as without the script, keeps the row where it stands in the form.
        """
        kept = [
            (index, form)
            for index, form in enumerate(self.forms)
            if (form.has_changed() or not form.empty_permitted)
            and not (form.cleaned_data or {}).get("DELETE")
        ]
        kept.sort(
            key=lambda item: (
                (item[1].cleaned_data or {}).get("position") or item[0] + 1,
                item[0],
            )
        )
        for order, (_, form) in enumerate(kept, start=1):
            form.instance.order = order
        return [form for _, form in kept]

    def save_existing_objects(self, commit=True):
        """Save every choice whose order changed, even if nothing else did.

        The choices that move, and those deleted, are first parked at
        ``ORDER_OFFSET`` beyond their order, with an update that leaves no history
        record, so that no save meets the (question, order) constraint midway.
        """
        moved = [
            form
            for form in self.initial_forms
            if form.instance.pk is not None
            and form not in self.deleted_forms
            and form.instance.order != form.stored_order
        ]
        if commit:
            parked = [form.instance.pk for form in moved + self.deleted_forms]
            Choice.objects.filter(pk__in=parked).update(order=F("order") + ORDER_OFFSET)
        saved = super().save_existing_objects(commit)
        for form in moved:
            if not form.has_changed():
                self.changed_objects.append((form.instance, ["position"]))
                saved.append(self.save_existing(form, form.instance, commit=commit))
        return saved


def _with_code(problem: str) -> str:
    """A warning's message says that it can be acknowledged, and where."""
    if not getattr(problem, "warning", False):
        return problem
    return (
        f"{problem} [warning “{problem.code}”: if it does not apply to this "
        "question, acknowledge it with a reason under “Item-writing warnings”]"
    )


def acknowledgement_field_name(code: str) -> str:
    return "acknowledge_" + code.replace("-", "_")


def _reason_field(code: str) -> forms.CharField:
    return forms.CharField(
        # The label avoids the words of the question's own fields ("stem"), so
        # that each field keeps a label of its own.
        label=f"Acknowledge: {WARNING_CODES[code]}",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=f"Warning “{code}”. Write why it does not apply to this question "
        "to acknowledge it; blank lets the warning stand.",
    )


class QuestionForm(forms.ModelForm):
    """The question, and one reason field per warning code: a reason acknowledges
    that warning for this question, a blank one withdraws the acknowledgement.

    The reasons are kept in ``Question.acknowledged_warnings``, and so in the
    question's history with who and when (``QuestionAdmin.save_model`` adds why).
    """

    acknowledge_absolute_in_distractors = _reason_field("absolute-in-distractors")
    acknowledge_clang = _reason_field("clang")
    acknowledge_stem_refers_to_text = _reason_field("stem-refers-to-text")
    acknowledge_near_duplicate = _reason_field("near-duplicate")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.acknowledged_warnings or {}
        self.acknowledgements_before = dict(stored)
        for code in WARNING_CODES:
            name = acknowledgement_field_name(code)
            if name in self.fields:
                self.fields[name].initial = stored.get(code, "")

    def clean(self):
        cleaned = super().clean()
        acknowledged = {}
        for code in WARNING_CODES:
            reason = (cleaned.get(acknowledgement_field_name(code)) or "").strip()
            if reason:
                acknowledged[code] = reason
        if any(
            acknowledgement_field_name(code) in self.fields for code in WARNING_CODES
        ):
            # Set before the choices' formset runs: it reads them from the instance.
            self.instance.acknowledged_warnings = acknowledged
        return cleaned


class ChoiceInline(admin.TabularInline):
    model = Choice
    form = ChoiceForm
    formset = ChoiceInlineFormSet
    fields = ["position", "text", "is_correct", "rationale"]
    extra = 0
    # Three lines where the browser cannot size a text box to its text; where it
    # can (``field-sizing`` in question_form.css), the box grows with the text.
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3})}
    }

    class Media:
        js = ["quizzes/admin/question_form.js"]

    @admin.display(description="order")
    def position(self, choice):
        """The stored order, where the row is read-only (view permission only)."""
        return choice.order

    def get_extra(self, request, obj=None, **kwargs):
        """A new question starts with its kind's rows (``starting_choice_texts``)."""
        if obj is not None and obj.pk is not None:
            return 0
        return len(starting_choice_texts(kind=question_kind_asked(request)))


def question_kind_asked(request) -> str:
    """The kind a new question's form is for: ``?kind=``, posted, or single."""
    kind = request.POST.get("kind") or request.GET.get("kind")
    return kind if kind in QuestionKind.values else QuestionKind.SINGLE


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
    list_filter = [
        "section__document",
        "kind",
        "status",
        SectionTreeFilter,
        FlaggedFilter,
        SourceQuoteFilter,
    ]
    search_fields = ["stem", "choices__text", "ref", "name"]
    list_select_related = ["section"]
    form = QuestionForm
    inlines = [ChoiceInline]
    fieldsets = [
        (None, {"fields": ["section", "kind", "status", "stem"]}),
        ("Teaching", {"fields": ["explanation", "source_quote"]}),
        (
            "Item-writing warnings",
            {
                "fields": [
                    "item_warnings",
                    *(acknowledgement_field_name(code) for code in WARNING_CODES),
                ],
                "description": "Flaws a machine can detect but may misjudge. A "
                "published question needs each one fixed or acknowledged with a "
                "reason; the reason is kept in the question's history.",
            },
        ),
        (
            "Record",
            {
                "fields": [
                    "preview_link",
                    "versions_link",
                    "responses",
                    "facility",
                    "open_reports_link",
                    "name",
                    "ref",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]
    readonly_fields = [
        "item_warnings",
        "preview_link",
        "versions_link",
        "responses",
        "facility",
        "open_reports_link",
        "ref",
        "created_at",
        "updated_at",
    ]
    actions = [
        "publish",
        "retire",
        "duplicate_as_draft",
        regrade_selected,
        export_selected,
    ]

    class Media:
        css = {"all": [*ADMIN_CSS["all"], "quizzes/admin/question_form.css"]}

    def get_queryset(self, request):
        return questions_with_open_reports(
            questions_with_stats(super().get_queryset(request))
        )

    def get_list_display(self, request):
        # The item-analysis columns go before "preview"; they read the cached
        # statistics once per page (``QuestionFiguresColumns``), not once per row.
        columns = list(super().get_list_display(request))
        at = columns.index("preview_link") if "preview_link" in columns else None
        extra = QuestionFiguresColumns(request).columns()
        if at is None:
            return [*columns, *extra]
        return [*columns[:at], *extra, *columns[at:]]

    def get_changeform_initial_data(self, request):
        return {
            "kind": question_kind_asked(request)
        } | super().get_changeform_initial_data(request)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None and "kind" in form.base_fields:
            # The page's script sets the choice rows to suit the kind chosen.
            kind = form.base_fields["kind"]
            kind.widget.attrs["data-starting-choices"] = json.dumps(
                {value: starting_choice_texts(kind=value) for value in QuestionKind}
            )
            kind.help_text = format_html(
                "The choices below follow the kind. (Without JavaScript, open "
                '<a href="?kind={}">a new true/false question</a> instead.)',
                QuestionKind.TRUE_FALSE,
            )
        return form

    def render_change_form(
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        # A draft without a verbatim quote shows its suggested quotes.
        context.update(
            quote_panel_context(request=request, model_admin=self, question=obj)
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        # Prefilled only when the form is shown: a posted row is then compared
        # with blank, so "True" and "False" count as typed and are saved (Django
        # skips an extra row whose data equals its initial data).
        shown = request.method != "POST"
        if isinstance(inline, ChoiceInline) and obj.pk is None and shown:
            kwargs["initial"] = [
                {"text": text}
                for text in starting_choice_texts(kind=question_kind_asked(request))
            ]
        return kwargs

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

    @admin.display(description="reports", ordering="open_reports")
    def open_reports_link(self, obj):
        """Trainees' problem reports awaiting an outcome (open), linked to the queue."""
        count = getattr(obj, "open_reports", 0)
        if not count:
            return "—"
        return open_reports_html(question_id=obj.pk, count=count)

    @admin.display(description="warnings now")
    def item_warnings(self, obj):
        """The warnings the audit finds in the stored question, acknowledged or not."""
        if obj is None or obj.pk is None:
            return "—"
        warnings = question_warnings(
            question=obj, choices=list(obj.choices.order_by("order", "id"))
        )
        if not warnings:
            return "None."
        acknowledged = obj.acknowledged_warnings or {}
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><strong>{}</strong>{}: {}</li>",
                (
                    (
                        p.code,
                        " (acknowledged)" if acknowledged.get(p.code) else "",
                        p,
                    )
                    for p in warnings
                ),
            ),
        )

    def save_model(self, request, obj, form, change):
        """Says why in the history record when the acknowledgements change."""
        before = getattr(form, "acknowledgements_before", None)
        if before is not None and before != obj.acknowledged_warnings:
            obj._change_reason = acknowledgement_change_reason(
                before=before, after=obj.acknowledged_warnings
            )
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        acknowledged = getattr(formset, "acknowledged", [])
        if acknowledged:
            messages.warning(
                request,
                "Saved with acknowledged warnings: "
                + "; ".join(f"{p.code} — {p}" for p in acknowledged),
            )

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
            # Import from a file (upload → preview → confirm) and export to one.
            *question_file_urls(self),
            *quote_suggestion_urls(self),
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


def acknowledgement_change_reason(*, before: dict, after: dict) -> str:
    """The history's "why" for a change of acknowledgements: each one given,
    changed or withdrawn, with its reason."""
    parts = []
    for code in sorted(before.keys() | after.keys()):
        if code not in after:
            parts.append(f"withdrew the acknowledgement of {code}")
        elif before.get(code) != after[code]:
            parts.append(f"acknowledged {code}: “{after[code]}”")
    return "; ".join(parts)[:100]


class RevertForm(forms.Form):
    as_of = forms.DateTimeField(input_formats=["%Y-%m-%dT%H:%M:%S.%f%z"])
