"""Documents and sections: readable text, question counts, and import by upload."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from quizzes.models import Section, SourceDocument
from quizzes.models.documents import SECTION_PATH_RELATED
from quizzes.services.documents import (
    MAX_DOCUMENT_BYTES,
    MAX_HEADING_PATTERN_CHARS,
    DocumentImportError,
    DocumentPreview,
    document_import,
    document_preview,
)
from quizzes.staging import (
    StagedUpload,
    StagingError,
    upload_stage,
    upload_staged_discard,
    upload_staged_read,
)
from quizzes.statistics import sections_with_counts

ADMIN_CSS = {"all": ["quizzes/admin/admin.css"]}
IMPORT_MEDIA = forms.Media(css={"all": ["quizzes/admin/document-import.css"]})
NO_CHOICES = {"title": None, "heading_lines": [], "heading_pattern": None}

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


class LineNumbersField(forms.Field):
    """Line numbers from checkboxes named alike; whether each is a line of the
    document is the service's call (``document_preview``)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        numbers = set()
        for item in value or []:
            try:
                numbers.add(int(item))
            except (TypeError, ValueError):
                raise forms.ValidationError(f"“{item}” is not a line number") from None
        return sorted(numbers)


class DocumentPreviewForm(forms.Form):
    """The preview page's choices; ``upload`` is the signed staging reference."""

    upload = forms.CharField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "the reference to the upload is missing; upload the file again"
        },
    )
    title = DocumentUploadForm.base_fields["title"]
    heading_lines = LineNumbersField(required=False)
    heading_pattern = forms.CharField(
        required=False,
        max_length=MAX_HEADING_PATTERN_CHARS,
        strip=False,
        help_text="A regular expression: every line it matches as a whole (spaces "
        "around it stripped) becomes a heading. For example <code>[A-Z][a-z ]+:"
        "</code> takes “Monitoring:” and “Signs of toxicity:”.",
    )
    # The choices the page showed, so that "Import" never imports choices that were
    # ticked after the preview without being previewed.
    previewed = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_upload(self):
        try:
            return upload_staged_read(signed=self.cleaned_data["upload"])
        except StagingError as error:
            raise forms.ValidationError(str(error)) from None

    def choices(self) -> dict:
        """The choices asked for, as ``document_preview`` takes them."""
        data = self.cleaned_data
        return {
            "title": data.get("title") or None,
            "heading_lines": data.get("heading_lines") or [],
            "heading_pattern": data.get("heading_pattern") or None,
        }

    def previewed_choices(self) -> dict:
        """The choices the page showed; anything malformed counts as none."""
        try:
            shown = json.loads(self.data.get("previewed") or "{}")
        except ValueError:
            return NO_CHOICES
        if not isinstance(shown, dict):
            return NO_CHOICES
        lines = shown.get("heading_lines")
        title, pattern = shown.get("title"), shown.get("heading_pattern")
        if not (
            isinstance(lines, list)
            and all(type(n) is int for n in lines)
            and isinstance(title, str | None)
            and isinstance(pattern, str | None)
        ):
            return NO_CHOICES
        return {"title": title, "heading_lines": lines, "heading_pattern": pattern}


def _preview_or_last_good(
    form: DocumentPreviewForm, staged: StagedUpload, shown: dict
) -> tuple[DocumentPreview | None, dict, list[str]]:
    """The preview with the choices asked for; when they are refused (a bad pattern,
    a line that is not in the file), the one the page showed, and why."""
    errors: list[str] = []
    for choices in (form.choices(), shown) if form.is_valid() else (shown,):
        try:
            preview = document_preview(name=staged.name, data=staged.data, **choices)
        except DocumentImportError as error:
            errors.append(str(error))
        else:
            return preview, choices, errors
    return None, shown, errors[-1:]


def _suggested_note(lines: list[int]) -> str:
    numbers = ", ".join(str(n) for n in lines)
    return (
        f"Line{'s' if len(lines) > 1 else ''} {numbers}: the title of a section of "
        "the stored document, taken as a heading again so that the section and its "
        "questions are kept. Untick “keep as a heading” below to drop one."
    )


def section_export_html(section: Section) -> str:
    """A link to the export page of the section's questions (subsections in)."""
    return format_html(
        '<a href="{}?section={}">export its questions</a>',
        reverse("admin:quizzes_question_export"),
        section.pk,
    )


class SectionInline(admin.TabularInline):
    model = Section
    fields = ["order", "level", "title", "slug", "export"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="questions to a file")
    def export(self, obj):
        return section_export_html(obj)


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
        """Import a document: upload, preview the sections, choose more headings,
        import. The upload waits on disk between the steps (``quizzes.staging``);
        nothing is written to the database before "Import"."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "upload" in request.POST:
            return self._preview_step(request)
        form = DocumentUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            choices = {**NO_CHOICES, "title": form.cleaned_data["title"] or None}
            try:
                preview = document_preview(name=upload.name, data=data, **choices)
                notes = []
                if suggested := preview.suggested_lines:
                    # Headings chosen at the last import: take them again, so that
                    # re-importing a revised file keeps those sections.
                    choices["heading_lines"] = suggested
                    preview = document_preview(name=upload.name, data=data, **choices)
                    notes.append(_suggested_note(suggested))
            except DocumentImportError as error:
                form.add_error("file", str(error))
            else:
                signed = upload_stage(name=upload.name, data=data)
                preview_form = DocumentPreviewForm(
                    initial={"upload": signed, "title": form.cleaned_data["title"]}
                )
                return self._preview_render(
                    request,
                    preview_form,
                    preview,
                    signed=signed,
                    choices=choices,
                    notes=notes,
                )
        return self._upload_render(request, form)

    def _preview_step(self, request):
        """ "Preview again" re-splits with the choices; "Import" imports them."""
        form = DocumentPreviewForm(request.POST)
        if not form.is_valid() and "upload" in form.errors:
            return self._upload_render(
                request, DocumentUploadForm(), errors=form.errors["upload"], status=400
            )
        staged = form.cleaned_data["upload"]
        shown = form.previewed_choices()
        preview, choices, errors = _preview_or_last_good(form, staged, shown)
        if preview is None:
            return self._upload_render(
                request, DocumentUploadForm(), errors=errors, status=400
            )
        status = 400 if errors or not form.is_valid() else 200
        if "import" in request.POST and status == 200:
            if choices != shown:
                errors.append(
                    "The choices changed since this preview: check the sections "
                    "below, then press Import."
                )
            elif preview.refusal:
                errors.append(preview.refusal)
            else:
                try:
                    result = document_import(
                        name=staged.name, data=staged.data, **choices
                    )
                except DocumentImportError as error:
                    errors.append(str(error))
                else:
                    upload_staged_discard(token=staged.token)
                    return self._import_done(request, result)
        return self._preview_render(
            request,
            form,
            preview,
            signed=request.POST["upload"],
            choices=choices,
            errors=errors,
            status=status,
        )

    def _upload_render(self, request, form, *, errors=(), status=200):
        context = {
            "errors": errors,
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import a document",
            "form": form,
            "media": self.media + form.media,
            "max_bytes": MAX_DOCUMENT_BYTES,
        }
        return TemplateResponse(
            request, "admin/quizzes/sourcedocument/import.html", context, status=status
        )

    def _preview_render(
        self,
        request,
        form: DocumentPreviewForm,
        preview: DocumentPreview,
        *,
        signed: str,
        choices: dict,
        errors: list[str] = (),
        notes: list[str] = (),
        status: int = 200,
    ):
        chosen = set(choices["heading_lines"])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Preview the import of “{preview.title}”",
            "form": form,
            "preview": preview,
            "sections": [(s, s.line in chosen) for s in preview.sections],
            "signed": signed,
            "previewed": json.dumps(choices),
            "errors": errors,
            "notes": notes,
            "media": self.media + IMPORT_MEDIA,
        }
        return TemplateResponse(
            request,
            "admin/quizzes/sourcedocument/import_preview.html",
            context,
            status=status,
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
        "export",
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

    @admin.display(description="to a file")
    def export(self, obj):
        return format_html(
            '<a href="{}?section={}">export</a>',
            reverse("admin:quizzes_question_export"),
            obj.pk,
        )

    @admin.display(description="questions")
    def question_counts(self, obj):
        url = reverse("admin:quizzes_question_changelist")
        return format_html(
            "{} published · {} draft · {} retired (this section only) — "
            '<a href="{}?section={}">list them</a>, {} (subsections included)',
            obj.published,
            obj.drafts,
            obj.retired,
            url,
            obj.pk,
            section_export_html(obj),
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
