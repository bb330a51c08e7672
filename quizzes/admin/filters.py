"""List filters shared by the admin's changelists."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone

from quizzes.choices import AttemptState
from quizzes.models.attempts import OVERDUE, OVERDUE_LABEL
from quizzes.progress import top_sections
from quizzes.statistics import section_tree


class TraineeFilter(admin.SimpleListFilter):
    """A text box for a trainee's username: a list of a thousand names helps nobody.

    Subclasses set ``field_path``, the way from the listed model to the trainee.
    """

    title = "trainee"
    parameter_name = "trainee"
    template = "admin/quizzes/input_filter.html"
    field_path = "trainee"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        # Every other parameter rides along as a hidden input of the filter's form.
        self.other_params = [
            (key, value)
            for key, values in request.GET.lists()
            for value in values
            if key not in (self.parameter_name, "p")
        ]

    def lookups(self, request, model_admin):
        return ()

    def has_output(self):
        return True

    def choices(self, changelist):
        yield {
            "parameter": self.parameter_name,
            "value": self.value() or "",
            "other_params": self.other_params,
            "clear_url": changelist.get_query_string(remove=[self.parameter_name]),
        }

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        if value:
            return queryset.filter(**{f"{self.field_path}__username": value})
        return queryset


class AnswerTraineeFilter(TraineeFilter):
    field_path = "attempt__trainee"


class AttemptStateFilter(admin.SimpleListFilter):
    """The state as of the request: an attempt past its deadline is expired, even
    while nothing has closed it yet (the trainee has not come back, the cron job has
    not run). Those also have a choice of their own, to close them in one action."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            (AttemptState.IN_PROGRESS, "In progress (time left)"),
            (AttemptState.FINISHED, AttemptState.FINISHED.label),
            (AttemptState.EXPIRED, "Expired (closed or not)"),
            (OVERDUE, OVERDUE_LABEL),
            (AttemptState.PREPARED, "Prepared (not started)"),
        ]

    def queryset(self, request, queryset):
        value, now = self.value(), timezone.now()
        if value == AttemptState.IN_PROGRESS:
            return queryset.with_time_left(now)
        if value in (AttemptState.FINISHED, AttemptState.PREPARED):
            return queryset.filter(state=value)
        if value == AttemptState.EXPIRED:
            return queryset.expired_as_of(now)
        if value == OVERDUE:
            return queryset.overdue(now)
        return queryset


class TopSectionFilter(admin.SimpleListFilter):
    """Answers to the questions of a top-level section and of its subsections."""

    title = "section (subsections included)"
    parameter_name = "section"

    def lookups(self, request, model_admin):
        self.sections = {str(s.id): s for s in top_sections()}
        return [
            (key, f"{s.document_title} · {s.title}") for key, s in self.sections.items()
        ]

    def queryset(self, request, queryset):
        section = self.sections.get(self.value() or "")
        if section is None:
            return queryset
        return queryset.filter(question__section_id__in=section.member_ids)


class ScoredFilter(admin.SimpleListFilter):
    """Answers of finished attempts (the ones progress figures rest on)."""

    title = "attempt finished"
    parameter_name = "scored"

    def lookups(self, request, model_admin):
        return [("yes", "Finished (scored)"), ("no", "In progress")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(score__isnull=False)
        if self.value() == "no":
            return queryset.filter(score__isnull=True)
        return queryset


class SectionTreeFilter(admin.SimpleListFilter):
    """Questions of a section and of its subsections; the list shows the nesting."""

    title = "section (subsections included)"
    parameter_name = "section"

    def lookups(self, request, model_admin):
        self.sections = {str(s.id): s for s in section_tree()}
        return [
            (key, f"{'— ' * (s.level - 1)}{s.title}")
            for key, s in self.sections.items()
        ]

    def queryset(self, request, queryset):
        section = self.sections.get(self.value() or "")
        if section is None:
            return queryset
        return queryset.filter(section_id__in=section.member_ids)
