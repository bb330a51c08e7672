"""Quiz overrides: an inline on the quiz's page, and their own list."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group
from django.utils import timezone

from quizzes.admin.documents import ADMIN_CSS
from quizzes.admin.fields import MinutesField, TraineeChoiceField, trainee_choices
from quizzes.exports import csv_response
from quizzes.models import QuizOverride
from quizzes.services.instructors import INSTRUCTORS_GROUP
from quizzes.services.overrides import quiz_override_delete, quiz_override_save

OVERRIDE_HELP = (
    "For one trainee or one group: blank settings keep the quiz's own. A trainee's "
    "own override wins over their groups'; among groups the most lenient value "
    "wins; the trainee's accommodation then stretches the time limit."
)


class QuizOverrideForm(forms.ModelForm):
    trainee = TraineeChoiceField(
        queryset=trainee_choices(),
        required=False,
        help_text="One trainee, or blank for a group.",
    )
    group = forms.ModelChoiceField(
        queryset=Group.objects.exclude(name=INSTRUCTORS_GROUP).order_by("name"),
        required=False,
        help_text="A group (cohort), or blank for one trainee.",
    )
    time_limit = MinutesField(
        required=False,
        label="Time limit (minutes)",
        help_text="Blank: the quiz's own.",
    )

    class Meta:
        model = QuizOverride
        fields = [
            "quiz",
            "trainee",
            "group",
            "opens_at",
            "closes_at",
            "time_limit",
            "attempts_allowed",
            "reason",
        ]


class QuizOverrideInline(admin.StackedInline):
    model = QuizOverride
    form = QuizOverrideForm
    extra = 0
    fields = [
        ("trainee", "group"),
        ("opens_at", "closes_at"),
        ("time_limit", "attempts_allowed"),
        "reason",
        "recorded",
    ]
    readonly_fields = ["recorded"]
    verbose_name = "override for a trainee or a group"
    verbose_name_plural = (
        "overrides: a trainee's or a group's own dates, time limit or attempts"
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("trainee", "group", "created_by", "updated_by")
        )

    @admin.display(description="recorded")
    def recorded(self, obj):
        return recorded_text(obj)


def recorded_text(obj) -> str:
    """ "Created by ida, 1 Dec 2026 09:00; changed by ben, …" (who and when)."""
    if obj is None or obj.pk is None:
        return "—"
    text = f"created by {obj.created_by or '?'}, {_when(obj.created_at)}"
    # auto_now_add and auto_now read the clock apart: a new row differs by a hair.
    if obj.updated_at and obj.updated_at - obj.created_at >= timedelta(seconds=1):
        text += f"; changed by {obj.updated_by or '?'}, {_when(obj.updated_at)}"
    return text


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%d %b %Y %H:%M}"


def save_override_formset(request, formset) -> bool:
    """Save an override inline through the service; False for any other formset."""
    if formset.model is not QuizOverride:
        return False
    for override in formset.save(commit=False):
        quiz_override_save(override=override, by=request.user)
    for override in formset.deleted_objects:
        quiz_override_delete(override=override, by=request.user)
    return True


class KindFilter(admin.SimpleListFilter):
    title = "for"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [("trainee", "one trainee"), ("group", "a group")]

    def queryset(self, request, queryset):
        if self.value() == "trainee":
            return queryset.filter(trainee__isnull=False)
        if self.value() == "group":
            return queryset.filter(group__isnull=False)
        return queryset


OVERRIDES_HEADER = [
    "quiz",
    "trainee",
    "group",
    "opens at",
    "closes at",
    "time limit (min)",
    "attempts allowed (0 = unlimited)",
    "reason",
    "created by",
    "created at",
    "updated by",
    "updated at",
]


@admin.register(QuizOverride)
class QuizOverrideAdmin(admin.ModelAdmin):
    form = QuizOverrideForm
    list_display = [
        "quiz",
        "who",
        "changes_text",
        "reason",
        "updated_by",
        "updated_at",
    ]
    list_filter = ["quiz", KindFilter]
    list_select_related = ["quiz", "trainee", "group", "updated_by"]
    search_fields = [
        "quiz__title",
        "trainee__username",
        "trainee__first_name",
        "trainee__last_name",
        "group__name",
        "reason",
    ]
    search_help_text = (
        "Searches the quiz, the trainee's name, the group and the reason."
    )
    autocomplete_fields = ["quiz"]
    actions = ["export_csv"]
    fieldsets = [
        (None, {"fields": ["quiz"], "description": OVERRIDE_HELP}),
        ("For", {"fields": [("trainee", "group")]}),
        (
            "Settings",
            {
                "fields": [
                    ("opens_at", "closes_at"),
                    ("time_limit", "attempts_allowed"),
                ]
            },
        ),
        ("Why", {"fields": ["reason", "recorded"]}),
    ]
    readonly_fields = ["recorded"]

    class Media:
        css = ADMIN_CSS

    @admin.display(description="for", ordering="trainee__username")
    def who(self, obj):
        return obj.who

    @admin.display(description="changes")
    def changes_text(self, obj):
        return "; ".join(obj.changes())

    @admin.display(description="recorded")
    def recorded(self, obj):
        return recorded_text(obj)

    def save_model(self, request, obj, form, change):
        quiz_override_save(override=obj, by=request.user)

    def delete_model(self, request, obj):
        quiz_override_delete(override=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for override in queryset.select_related("quiz", "trainee", "group"):
            quiz_override_delete(override=override, by=request.user)

    @admin.action(description="Export the selected overrides as CSV")
    def export_csv(self, request, queryset):
        rows = (
            [
                o.quiz.title,
                o.trainee.username if o.trainee else "",
                o.group.name if o.group else "",
                o.opens_at,
                o.closes_at,
                o.time_limit,
                o.attempts_allowed,
                o.reason,
                o.created_by.username if o.created_by else "",
                o.created_at,
                o.updated_by.username if o.updated_by else "",
                o.updated_at,
            ]
            for o in queryset.select_related(
                "quiz", "trainee", "group", "created_by", "updated_by"
            )
        )
        return csv_response(
            filename=f"quiz-overrides-{timezone.localdate():%Y-%m-%d}.csv",
            header=OVERRIDES_HEADER,
            rows=rows,
        )
