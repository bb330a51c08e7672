"""Documents and sections: readable text, question counts, and import by upload."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from quizzes.models import Section, SourceDocument
from quizzes.models.documents import SECTION_PATH_RELATED
from quizzes.services.documents import (
    MAX_DOCUMENT_BYTES,
    DocumentImportError,
    document_import,
)
from quizzes.statistics import sections_with_counts

ADMIN_CSS = {"all": ["quizzes/admin/admin.css"]}

# A section is found by its path, "Document › Parent › Section": each word typed
# must be in the document's title, the section's or one of its ancestors' (as deep
# as SECTION_PATH_RELATED reads them).
SECTION_PATH_SEARCH = [
    "title",
    "parent__title",
    "parent__parent__title",
    "parent__parent__parent__title",
    "document__title",
]


class DocumentUploadForm(forms.Form):
    file = forms.FileField(
        help_text="A UTF-8 Markdown (.md) or plain-text file, as for import_document."
    )
    title = forms.CharField(
        required=False,
        max_length=255,
        help_text="Blank: from the file name. A document is found again by the slug "
        "of its title, so the same title updates it in place.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # The same refusal as document_read, before reading a huge file into memory.
        if upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(
                f"{upload.name}: the file is {upload.size:,} bytes; the limit is "
                f"{MAX_DOCUMENT_BYTES:,}"
            )
        return upload


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
    """A document's text and sections are what its file says: change them by
    importing the file again ("Add" is that upload)."""

    list_display = ["title", "slug", "section_count", "source_name", "updated_at"]
    search_fields = ["title", "slug"]
    fields = [
        "title",
        "slug",
        "source_name",
        "checksum",
        "created_at",
        "updated_at",
        "text_display",
    ]
    readonly_fields = [
        "slug",
        "checksum",
        "source_name",
        "created_at",
        "updated_at",
        "text_display",
    ]
    inlines = [SectionInline]

    class Media:
        css = ADMIN_CSS

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(section_count=Count("sections"))

    @admin.display(description="sections", ordering="section_count")
    def section_count(self, obj):
        return obj.section_count

    @admin.display(description="text")
    def text_display(self, obj):
        return format_html('<div class="source-text">{}</div>', obj.text)

    def add_view(self, request, form_url="", extra_context=None):
        """Import a document from an uploaded file, as ``import_document`` does."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DocumentUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                with transaction.atomic():
                    result = document_import(
                        name=upload.name,
                        data=upload.read(),
                        title=form.cleaned_data["title"] or None,
                    )
            except DocumentImportError as error:
                form.add_error("file", str(error))
            else:
                return self._import_done(request, result)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import a document",
            "form": form,
            "media": self.media + form.media,
            "max_bytes": MAX_DOCUMENT_BYTES,
            **(extra_context or {}),
        }
        return TemplateResponse(
            request, "admin/quizzes/sourcedocument/import.html", context
        )

    def _import_done(self, request, result):
        document = result.document
        if not result.changed:
            messages.info(request, f"“{document}” is unchanged: the file is the same.")
        else:
            verb = "imported" if result.created else "updated"
            messages.success(
                request,
                f"“{document}” {verb}: {result.sections_created} section(s) new, "
                f"{result.sections_updated} changed, {result.sections_deleted} "
                "removed.",
            )
        return redirect(
            reverse("admin:quizzes_sourcedocument_change", args=[document.pk])
        )


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "document",
        "order",
        "level",
        "published",
        "drafts",
        "retired",
    ]
    list_filter = ["document", "level"]
    # The list also searches the text ("which section mentions warfarin?"); a
    # picker (a draw's section) searches the path only, see get_search_fields.
    search_fields = [*SECTION_PATH_SEARCH, "text"]
    search_help_text = "Searches the document, section and parent titles, and the text."
    list_select_related = ["document"]
    fields = [
        "document",
        "parent",
        "order",
        "level",
        "title",
        "slug",
        "question_counts",
        "subsection_links",
        "text_display",
    ]
    readonly_fields = [
        "document",
        "parent",
        "order",
        "level",
        "slug",
        "question_counts",
        "subsection_links",
        "text_display",
    ]

    class Media:
        css = ADMIN_CSS

    def get_queryset(self, request):
        if _is_autocomplete(request):
            return super().get_queryset(request).select_related(*SECTION_PATH_RELATED)
        return sections_with_counts(
            super().get_queryset(request).select_related("document", "parent")
        )

    def get_search_fields(self, request):
        if _is_autocomplete(request):
            return SECTION_PATH_SEARCH
        return super().get_search_fields(request)

    def autocomplete_label(self, obj) -> str:
        """A picker lists "Document › Parent › Section", not a bare title."""
        return obj.path()

    @admin.display(description="published", ordering="published")
    def published(self, obj):
        return obj.published

    @admin.display(description="drafts", ordering="drafts")
    def drafts(self, obj):
        return obj.drafts

    @admin.display(description="retired", ordering="retired")
    def retired(self, obj):
        return obj.retired

    @admin.display(description="questions")
    def question_counts(self, obj):
        url = reverse("admin:quizzes_question_changelist")
        return format_html(
            "{} published · {} draft · {} retired (this section only) — "
            '<a href="{}?section={}">list them</a>',
            obj.published,
            obj.drafts,
            obj.retired,
            url,
            obj.pk,
        )

    @admin.display(description="subsections")
    def subsection_links(self, obj):
        subsections = obj.subsections.order_by("order")
        if not subsections:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:quizzes_section_change", args=[s.pk]), s.title)
                for s in subsections
            ),
        )

    @admin.display(description="text")
    def text_display(self, obj):
        return format_html('<div class="source-text">{}</div>', obj.text)

    # Sections are what the document's file says: they come and go with an import,
    # so that joined in order they always give back the document.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _is_autocomplete(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name == "autocomplete"
