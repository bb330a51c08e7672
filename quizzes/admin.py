"""The instructors' admin for documents, sections and question banks."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q

from quizzes.choices import QuestionStatus
from quizzes.models import (
    Accommodation,
    Choice,
    Question,
    Quiz,
    QuizDraw,
    QuizQuestion,
    Section,
    SourceDocument,
)
from quizzes.rules import choice_problems


class SectionInline(admin.TabularInline):
    model = Section
    fields = ["order", "level", "title", "slug"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "section_count", "source_name", "updated_at"]
    search_fields = ["title", "slug"]
    readonly_fields = ["slug", "checksum", "source_name", "created_at", "updated_at"]
    inlines = [SectionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(section_count=Count("sections"))

    @admin.display(description="sections", ordering="section_count")
    def section_count(self, obj):
        return obj.section_count


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["title", "document", "order", "level", "published", "drafts"]
    list_filter = ["document", "level"]
    search_fields = ["title", "text"]
    readonly_fields = ["document", "parent", "order", "level", "slug", "text"]
    fields = ["document", "parent", "order", "level", "title", "slug", "text"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("document")
            .annotate(
                published=Count(
                    "questions", filter=Q(questions__status=QuestionStatus.PUBLISHED)
                ),
                drafts=Count(
                    "questions", filter=Q(questions__status=QuestionStatus.DRAFT)
                ),
            )
        )

    @admin.display(description="published questions", ordering="published")
    def published(self, obj):
        return obj.published

    @admin.display(description="draft questions", ordering="drafts")
    def drafts(self, obj):
        return obj.drafts


class ChoiceInlineFormSet(forms.BaseInlineFormSet):
    """Applies the kind's rules to the choices as a whole, with one message each."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form.instance
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        problems = choice_problems(kind=self.instance.kind, choices=kept)
        if problems:
            raise ValidationError(problems)


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceInlineFormSet
    fields = ["order", "text", "is_correct", "rationale"]
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "section", "kind", "status", "ref", "updated_at"]
    list_filter = ["section__document", "status", "kind", "section"]
    search_fields = ["stem", "choices__text", "ref"]
    list_select_related = ["section"]
    inlines = [ChoiceInline]
    readonly_fields = ["ref", "created_at", "updated_at"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":
            kwargs["queryset"] = Section.objects.select_related("document")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class QuizDrawInline(admin.TabularInline):
    model = QuizDraw
    extra = 0
    autocomplete_fields = ["section"]


class QuizQuestionInline(admin.TabularInline):
    model = QuizQuestion
    extra = 0
    autocomplete_fields = ["question"]


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "mode",
        "time_limit",
        "attempts_allowed",
        "opens_at",
        "closes_at",
    ]
    list_filter = ["mode", "grading_method", "review_shows"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [QuizDrawInline, QuizQuestionInline]


@admin.register(Accommodation)
class AccommodationAdmin(admin.ModelAdmin):
    list_display = ["trainee", "quiz", "time_factor", "extra_minutes", "reason"]
    list_select_related = ["trainee", "quiz"]
    search_fields = ["trainee__username", "trainee__last_name", "quiz__title"]
    autocomplete_fields = ["trainee", "quiz"]
