"""Quizzes (settings, composition, attempt statistics) and accommodations."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from quizzes.admin.documents import ADMIN_CSS
from quizzes.admin.fields import MinutesField, TraineeChoiceField, trainee_choices
from quizzes.admin.item_statistics import statistics_link, statistics_view
from quizzes.admin.overrides import QuizOverrideInline, save_override_formset
from quizzes.admin.prepare import prepare_view
from quizzes.admin.regrade import regrade_selected
from quizzes.models import Accommodation, Quiz, QuizDraw, QuizQuestion, Section
from quizzes.models.documents import SECTION_PATH_RELATED
from quizzes.seb import SEB_FILE_MAX_BYTES, config_key_from_seb_file
from quizzes.services.seb import quiz_seb_file_remove, quiz_seb_file_set
from quizzes.statistics import draw_pool_sizes, quizzes_with_stats


def time_limit_field(**kwargs) -> MinutesField:
    """The quiz's time limit in minutes (the model keeps a ``DurationField``)."""
    return MinutesField(
        required=False,
        label="Time limit (minutes)",
        help_text="In minutes, e.g. 20. Blank for an untimed quiz.",
        **kwargs,
    )


def minutes_text(limit) -> str:
    """A limit as the list shows it: "20 min"; "—" when untimed."""
    if limit is None:
        return "—"
    minutes = limit.total_seconds() / 60
    return f"{minutes:g} min"


class QuizDrawFormSet(forms.BaseInlineFormSet):
    """Refuses a draw of more questions than the section's published bank holds."""

    def clean(self):
        super().clean()
        wanted = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("section")
            and form.cleaned_data.get("count")
        ]
        pools = draw_pool_sizes(
            section_ids=[form.cleaned_data["section"].pk for form in wanted]
        )
        for form in wanted:
            section, count = form.cleaned_data["section"], form.cleaned_data["count"]
            available = pools.get(section.pk, 0)
            if count > available:
                form.add_error(
                    "count",
                    f"“{section}” has {available} published question"
                    f"{'' if available == 1 else 's'} (subsections included); a "
                    f"draw can take at most {available}, not {count}.",
                )


class SectionPathChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.path()


class QuizDrawInline(admin.TabularInline):
    model = QuizDraw
    formset = QuizDrawFormSet
    extra = 0
    autocomplete_fields = ["section"]
    verbose_name = "draw from a section"
    verbose_name_plural = (
        "composition: questions drawn at random from a section's published bank"
    )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A chosen section reads as the picker showed it: "Document › … › Section".
        if db_field.name == "section":
            kwargs["queryset"] = Section.objects.select_related(*SECTION_PATH_RELATED)
            kwargs["form_class"] = SectionPathChoiceField
            # Wide enough for a path; select2 otherwise copies the bare select's
            # width and cuts "Document › Parent › Section" to "Document › Par…".
            kwargs["widget"] = AutocompleteSelect(
                db_field, self.admin_site, attrs={"data-width": "min(36em, 60vw)"}
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class QuizQuestionInline(admin.TabularInline):
    model = QuizQuestion
    extra = 0
    autocomplete_fields = ["question"]
    verbose_name = "fixed question"
    verbose_name_plural = "composition: fixed questions, in order"


class QuizKindFilter(admin.SimpleListFilter):
    """Instructors' quizzes apart from the tests trainees built for themselves."""

    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [("assigned", "Assigned"), ("personal", "Personal")]

    def queryset(self, request, queryset):
        if self.value() == "assigned":
            return queryset.filter(owner__isnull=True)
        if self.value() == "personal":
            return queryset.filter(owner__isnull=False)
        return queryset


class QuizAdminForm(forms.ModelForm):
    """The quiz's settings, with its Safe Exam Browser file: an upload whose
    Config Key is computed at once (``quizzes.seb``), or the removal of the file."""

    seb_file = forms.FileField(
        label=".seb file",
        required=False,
        help_text="The settings trainees open the quiz with, saved unencrypted "
        "by SEB's configuration tool. Its Config Key is allowed as well as the "
        "keys above, and trainees can download it from the quiz's page. A new "
        "file replaces the old one.",
    )
    seb_file_clear = forms.BooleanField(
        label="Remove the .seb file (and stop allowing its Config Key)",
        required=False,
    )

    # No Meta: the admin builds the form from its fieldsets (modelform_factory).

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("seb_file")
        self.seb_upload = None
        if upload and cleaned.get("seb_file_clear"):
            self.add_error(
                "seb_file_clear",
                "Either upload a new .seb file or remove the old one, not both.",
            )
        elif upload:
            self._read_seb_file(upload)
        elif cleaned.get("seb_file_clear"):
            # Read by the model's clean(): a quiz that requires SEB needs a key.
            self.instance.seb_file_config_key = ""
        return cleaned

    def _read_seb_file(self, upload) -> None:
        if upload.size > SEB_FILE_MAX_BYTES:
            self.add_error(
                "seb_file",
                f"“{upload.name}” is over {SEB_FILE_MAX_BYTES // 1024} KB: a .seb "
                "file is a few dozen. Is it the right file?",
            )
            return
        content = upload.read()
        try:
            key = config_key_from_seb_file(content)
        except ValueError as error:
            self.add_error("seb_file", f"“{upload.name}”: {error}")
            return
        self.instance.seb_file_config_key = key
        self.seb_upload = (upload.name, content)


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    form = QuizAdminForm
    list_display = [
        "title",
        "mode",
        "time_limit_minutes",
        "attempts_allowed",
        "pass_mark",
        "started",
        "finished",
        "mean_score",
        "statistics",
    ]
    list_filter = [
        QuizKindFilter,
        "mode",
        "grading_method",
        "review_shows",
        "seb_required",
    ]
    list_select_related = ["owner"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [QuizDrawInline, QuizQuestionInline, QuizOverrideInline]
    actions = [regrade_selected]
    fieldsets = [
        (None, {"fields": ["title", "slug", "description", "mode"]}),
        (
            "Timing",
            {
                "fields": ["time_limit", "opens_at", "closes_at"],
                "description": "Time limit in minutes (whole minutes, at least 1); "
                "blank for an untimed quiz. An attempt's deadline never passes "
                "the close.",
            },
        ),
        (
            "Attempts and grading",
            {"fields": ["attempts_allowed", "grading_method", "pass_mark"]},
        ),
        ("Delivery", {"fields": ["shuffle_questions", "shuffle_choices"]}),
        ("Review", {"fields": ["review_shows", "review_from"]}),
        (
            "Safe Exam Browser",
            {
                "fields": [
                    "seb_required",
                    "seb_config_keys",
                    "seb_browser_exam_keys",
                    "seb_file",
                    "seb_file_key",
                    "seb_file_clear",
                ],
                "description": "A quiz that requires Safe Exam Browser can be "
                "started and sat only in SEB run with one of these keys: every "
                "request of an attempt carries a hash of its address and the key, "
                "checked here. Other browsers get a page that explains how to open "
                "the quiz in SEB. Set the .seb file's start address to the quiz's "
                "page.",
            },
        ),
    ]
    readonly_fields = ["seb_file_key"]

    class Media:
        css = ADMIN_CSS
        js = ["quizzes/admin/prepopulate.js"]

    def get_queryset(self, request):
        return quizzes_with_stats(super().get_queryset(request))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "time_limit":
            return time_limit_field()
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.seb_upload:
            name, content = form.seb_upload
            quiz_seb_file_set(quiz=obj, name=name, content=content, now=timezone.now())
        elif form.cleaned_data.get("seb_file_clear"):
            quiz_seb_file_remove(quiz=obj)

    @admin.display(description="Config Key of the .seb file")
    def seb_file_key(self, obj):
        # From the quiz row (no read of the file): set exactly when there is one.
        if obj is None or not obj.seb_file_config_key:
            return "No .seb file uploaded."
        return format_html(
            '<code>{}</code> · <a href="{}">download the file</a>',
            obj.seb_file_config_key,
            reverse("quiz_seb_file", args=[obj.slug]),
        )

    def save_formset(self, request, form, formset, change):
        # Overrides record who made them: the service does that, not the formset.
        if not save_override_formset(request, formset):
            super().save_formset(request, form, formset, change)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/statistics/",
                self.admin_site.admin_view(self.statistics_view),
                name="quizzes_quiz_statistics",
            ),
            path(
                "<int:object_id>/prepare/",
                self.admin_site.admin_view(self.prepare_view),
                name="quizzes_quiz_prepare",
            ),
            *super().get_urls(),
        ]

    def statistics_view(self, request, object_id: int):
        """Item analysis of the quiz (``quizzes.admin.item_statistics``)."""
        return statistics_view(self, request, object_id)

    def prepare_view(self, request, object_id: int):
        """Prepare the quiz's attempts ahead of its opening
        (``quizzes.admin.prepare``)."""
        return prepare_view(self, request, object_id)

    @admin.display(description="item analysis")
    def statistics(self, obj):
        return statistics_link(obj)

    @admin.display(description="time limit", ordering="time_limit")
    def time_limit_minutes(self, obj):
        return minutes_text(obj.time_limit)

    @admin.display(description="started", ordering="started")
    def started(self, obj):
        return obj.started

    @admin.display(description="finished", ordering="finished")
    def finished(self, obj):
        return obj.finished

    @admin.display(description="mean score", ordering="mean_percent")
    def mean_score(self, obj):
        return "—" if obj.mean_percent is None else f"{obj.mean_percent:.1f} %"


@admin.register(Accommodation)
class AccommodationAdmin(admin.ModelAdmin):
    list_display = ["trainee", "quiz_or_all", "time_factor", "extra_minutes", "reason"]
    list_select_related = ["trainee", "quiz"]
    list_filter = ["quiz"]
    search_fields = [
        "trainee__username",
        "trainee__first_name",
        "trainee__last_name",
        "quiz__title",
    ]
    autocomplete_fields = ["quiz"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Instructors cannot open the user admin (so no autocomplete on it): the
        # trainee is picked from a plain list of the active non-staff accounts.
        if db_field.name == "trainee":
            kwargs["queryset"] = trainee_choices()
            kwargs["form_class"] = TraineeChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="quiz", ordering="quiz__title")
    def quiz_or_all(self, obj):
        return obj.quiz or "every quiz"
