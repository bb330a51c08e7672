"""Question files in the admin: upload → preview → confirm, and export.

The views are functions of the question admin (``QuestionAdmin.get_urls`` and its
actions call them), as ``manage.py import_questions`` and ``export_questions`` are
of the command line: both only call ``quizzes.services.question_files``.

Import: the upload is staged on disk (``quizzes.staging``, its own salt) with the
choices it was previewed with signed into its reference, so that "Create the
drafts" imports exactly the file and the choices the page showed, and nothing is
written before it. A file over ``settings.QUESTION_FILE_MAX_BYTES`` is refused
before it is stored (``quizsite.uploads``).

Export: a GET of a file for a section or a quiz, a POST of the action form for a
selection; neither changes anything. The page before the download says, per
format, which questions it cannot carry (Aiken: single best answer only), so that
an instructor chooses another format rather than discovering a short file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import partial

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import slugify

from quizsite.uploads import upload_limited, upload_refusal
from quizzes import formats
from quizzes.choices import QuestionKind
from quizzes.formats import UnknownFormatError, format_module
from quizzes.formats.base import ExportSkip, FormatError
from quizzes.models import Quiz, Section
from quizzes.models.documents import SECTION_PATH_RELATED
from quizzes.services.question_files import (
    PreviewQuestion,
    QuestionFileError,
    QuestionFilePreview,
    question_file_format,
    question_file_import,
    question_file_preview,
    questions_export,
    questions_for_export,
    quiz_questions,
    section_questions,
)
from quizzes.staging import (
    QUESTION_FILE,
    StagingError,
    upload_stage,
    upload_staged_claim,
    upload_staged_discard,
    upload_staged_open,
    upload_staged_resign,
)

MEDIA = forms.Media(
    css={
        "all": [
            "quizzes/admin/document-import.css",  # its tables, cards on a phone
            "quizzes/admin/question-files.css",
        ]
    }
)
# Questions shown in full per preview page: a 5,000-question file previews in 50
# pages rather than one page the browser takes seconds to lay out.
PREVIEW_PAGE_SIZE = 100
# Skipped questions and errors listed on the page; the count says how many more.
LISTED_MAX = 500
EMPTY_FILE = FormatError(line=1, message="the file has no questions")


def question_file_urls(model_admin) -> list:
    """The import and export pages, for ``QuestionAdmin.get_urls``."""
    site = model_admin.admin_site
    upload = site.admin_view(partial(upload_view, model_admin))
    return [
        path(
            "import/",
            upload_limited(upload, setting="QUESTION_FILE_MAX_BYTES"),
            name="quizzes_question_import",
        ),
        path(
            "import/preview/",
            site.admin_view(partial(preview_view, model_admin)),
            name="quizzes_question_import_preview",
        ),
        path(
            "export/",
            site.admin_view(partial(export_view, model_admin)),
            name="quizzes_question_export",
        ),
    ]


def format_choices() -> list[tuple[str, str]]:
    return [(name, format_module(name).LABEL) for name in formats.FORMATS]


class SectionPathChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.path()


class QuestionFileUploadForm(forms.Form):
    file = forms.FileField(
        # The file picker offers these first; any name may still be chosen.
        widget=forms.ClearableFileInput(attrs={"accept": ".gift,.txt,.xml,.csv"}),
        help_text="GIFT (.gift or .txt), Aiken (.txt), Moodle XML (.xml) or CSV "
        "(.csv), in UTF-8.",
    )
    section = SectionPathChoiceField(
        queryset=Section.objects.select_related(*SECTION_PATH_RELATED).order_by(
            "document__title", "order"
        ),
        label="Target section",
        help_text="Where the questions go (unless the option below sends them to "
        "the section their category names).",
    )
    format = forms.ChoiceField(
        required=False,
        help_text="Automatic: from the file's extension, and for .txt from its "
        "first lines (Aiken or GIFT).",
    )
    map_categories = forms.BooleanField(
        required=False,
        label="Put questions in the section their category names",
        help_text="A GIFT $CATEGORY or Moodle XML category that ends in the title or "
        "slug of a section of the same document sends its questions there; the "
        "others go to the target section.",
    )
    skip_invalid = forms.BooleanField(
        required=False,
        label="Skip invalid questions",
        help_text="Off: a file with any error imports nothing. On: the questions "
        "that can be read are imported, and the errors are listed.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = [("", "Automatic"), *format_choices()]

    def choices(self) -> dict:
        """The import's choices as JSON values, to be signed with the upload."""
        data = self.cleaned_data
        return {
            "section": data["section"].pk,
            "format": data["format"] or None,
            "map_categories": data["map_categories"],
            "skip_invalid": data["skip_invalid"],
        }


def upload_view(model_admin, request):
    """The upload form; a valid upload is staged and previewed."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    if request.method != "POST":
        initial = {"section": request.GET.get("section")}
        form = QuestionFileUploadForm(initial=initial)
        return _upload_render(model_admin, request, form)
    form = QuestionFileUploadForm(request.POST, request.FILES)
    refusal = upload_refusal(request)
    if refusal:
        form.is_valid()  # the other fields' errors, shown with the refusal
        form.errors.pop("file", None)
        form.add_error("file", refusal)
        return _upload_render(model_admin, request, form, status=413)
    if not form.is_valid():
        return _upload_render(model_admin, request, form, status=400)
    upload = form.cleaned_data["file"]
    choices = form.choices()
    signed = upload_stage(
        name=upload.name, data=upload.chunks(), kind=QUESTION_FILE, extra=choices
    )
    with upload_staged_open(signed=signed, kind=QUESTION_FILE) as staged:
        try:
            choices["format"] = question_file_format(
                stream=staged.file, filename=staged.name, format=choices["format"]
            )
        except UnknownFormatError as error:
            form.add_error("format", str(error))
        else:
            preview = _preview(staged, choices)
            if preview.questions or preview.skipped:
                # Signed with the format found, so that "Create the drafts" reads
                # the file as this preview did, whatever its name suggests.
                signed = upload_staged_resign(
                    signed=signed, kind=QUESTION_FILE, extra=choices
                )
                return _preview_render(model_admin, request, preview, signed, choices)
            # Nothing could be read: the file's errors go on the form.
            for error in preview.errors[:LISTED_MAX] or [EMPTY_FILE]:
                form.add_error("file", f"line {error.line}: {error.message}")
    upload_staged_discard(token=staged.token)
    return _upload_render(model_admin, request, form, status=400)


def preview_view(model_admin, request):
    """A page of the preview (GET), or its buttons (POST): "Create the drafts", and
    "Preview again, skipping the invalid questions"."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    signed = request.POST.get("upload") or request.GET.get("upload") or ""
    if not signed:
        # Nothing uploaded yet (a bookmark, the breadcrumbs): start there.
        return HttpResponseRedirect(reverse("admin:quizzes_question_import"))
    try:
        with upload_staged_open(signed=signed, kind=QUESTION_FILE) as staged:
            choices = staged.extra
            if request.method == "POST" and "skip_invalid" in request.POST:
                choices = {**choices, "skip_invalid": True}
                signed = upload_staged_resign(
                    signed=signed, kind=QUESTION_FILE, extra=choices
                )
            elif request.method == "POST" and "confirm" in request.POST:
                return _confirm(model_admin, request, staged, signed)
            preview = _preview(staged, choices)
    except StagingError as error:
        return _staging_refused(model_admin, request, error)
    except Section.DoesNotExist:
        return _staging_refused(model_admin, request, _SECTION_GONE)
    return _preview_render(model_admin, request, preview, signed, choices)


def _confirm(model_admin, request, staged, signed):
    choices = staged.extra
    section = Section.objects.get(pk=choices["section"])
    try:
        # Claimed for this import: a second "Create" (a double click on a long
        # import) is refused instead of creating every draft twice.
        with upload_staged_claim(token=staged.token):
            result = question_file_import(
                stream=staged.file,
                filename=staged.name,
                section=section,
                format=choices["format"],
                skip_invalid=choices["skip_invalid"],
                map_categories=choices["map_categories"],
            )
    except QuestionFileError as error:
        # The file was previewed with errors and confirmed anyway (a forged POST,
        # or an old tab): say so over the preview, and create nothing.
        staged.file.seek(0)
        preview = _preview(staged, choices)
        return _preview_render(
            model_admin,
            request,
            preview,
            signed,
            choices,
            refusal=str(error),
            status=400,
        )
    changelist = reverse("admin:quizzes_question_changelist")
    drafts = f"{changelist}?status__exact=draft"
    if result.question_ids:
        drafts += (
            f"&id__gte={min(result.question_ids)}&id__lte={max(result.question_ids)}"
        )
    messages.success(
        request,
        format_html(
            '{} draft question{} created from {}; {} skipped. <a href="{}">List '
            "them</a>, check each, give it a source quote, then publish.",
            result.created,
            "" if result.created == 1 else "s",
            result.filename,
            len(result.skipped) + len(result.errors),
            drafts,
        ),
    )
    return HttpResponseRedirect(drafts)


def _preview(staged, choices: dict) -> QuestionFilePreview:
    section = Section.objects.select_related("document").get(pk=choices["section"])
    return question_file_preview(
        stream=staged.file,
        filename=staged.name,
        section=section,
        format=choices["format"],
        map_categories=choices["map_categories"],
    )


def _preview_render(
    model_admin, request, preview, signed, choices, *, refusal="", status=200
):
    paginator = Paginator(preview.questions, PREVIEW_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    errors = bool(preview.errors)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"Preview the import of “{preview.filename}”",
        "preview": preview,
        "format_label": format_module(preview.format).LABEL,
        "page": page,
        "questions": [_shown(item) for item in page.object_list],
        "paginated": paginator.num_pages > 1,
        "skipped": preview.skipped[:LISTED_MAX],
        "errors": preview.errors[:LISTED_MAX],
        "listed_max": LISTED_MAX,
        "with_problems": sum(1 for q in preview.questions if q.problems),
        "with_notes": sum(1 for q in preview.questions if q.scoring_note),
        "choices": choices,
        "signed": signed,
        "refusal": refusal,
        # Confirm only what would import: questions, and no error unless skipped.
        "can_confirm": bool(preview.questions)
        and (not errors or choices["skip_invalid"]),
        "media": model_admin.media + MEDIA,
    }
    return TemplateResponse(
        request, "admin/quizzes/question/import_preview.html", context, status=status
    )


def _shown(item: PreviewQuestion) -> dict:
    """A previewed question as the page shows it: weights as percents."""
    parsed = item.parsed
    return {
        "line": parsed.line,
        "name": parsed.name,
        "kind": QuestionKind(parsed.kind).label,
        "section": item.section.title,
        "stem": parsed.stem,
        "explanation": parsed.explanation,
        "choices": [
            {
                "text": choice.text,
                "weight": f"{choice.fraction * 100:.5g} %",
                "key": key,
                "feedback": choice.feedback,
            }
            for choice, key in item.choices
        ],
        "scoring_note": item.scoring_note,
        "problems": item.problems,
    }


def _upload_render(model_admin, request, form, *, errors=(), status=200):
    context = {
        "errors": errors,
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "Import questions from a file",
        "form": form,
        "max_bytes": settings.QUESTION_FILE_MAX_BYTES,
        "media": model_admin.media + form.media + MEDIA,
    }
    return TemplateResponse(
        request, "admin/quizzes/question/import.html", context, status=status
    )


def _staging_refused(model_admin, request, error):
    message = str(error)
    return _upload_render(
        model_admin,
        request,
        QuestionFileUploadForm(),
        errors=[f"{message[:1].upper()}{message[1:]}."],
        status=400,
    )


_SECTION_GONE = "the target section no longer exists; upload the file again"


# Export.


class ExportForm(forms.Form):
    format = forms.ChoiceField(widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = format_choices()


@dataclass(frozen=True)
class FormatOption:
    """A format on the export page, with the questions it would leave out."""

    name: str
    label: str
    left_out: list[ExportSkip]


@admin.action(description="Export selected questions to a file…", permissions=["view"])
def export_selected(model_admin, request, queryset):
    """The export page for the selection; its form posts back here with a format,
    and gets the file."""
    form = ExportForm(request.POST if "format" in request.POST else None)
    questions = queryset.order_by("section__document__title", "section__order", "pk")
    if form.is_bound and form.is_valid():
        return _download(questions, form.cleaned_data["format"], "questions")
    hidden = {
        "action": "export_selected",
        "select_across": request.POST.get("select_across", "0"),
    }
    return _export_render(
        model_admin,
        request,
        form,
        questions,
        what="your selection",
        hidden=hidden,
        selected=request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
    )


def export_view(model_admin, request):
    """Export a section's questions (``?section=``) or a quiz's (``?quiz=``): the
    page, or with ``format`` the file (a GET: nothing changes)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    if "section" in request.GET:
        section = get_object_or_404(
            Section.objects.select_related(*SECTION_PATH_RELATED),
            pk=_int(request.GET["section"]),
        )
        questions = section_questions(section=section).order_by("section__order", "pk")
        what, filename = f"the section “{section.path()}”", section.slug
        hidden = {"section": section.pk}
    elif "quiz" in request.GET:
        quiz = get_object_or_404(Quiz, pk=_int(request.GET["quiz"]))
        questions = quiz_questions(quiz=quiz).order_by(
            "section__document__title", "section__order", "pk"
        )
        what, filename = f"the quiz “{quiz.title}”", quiz.slug
        hidden = {"quiz": quiz.pk}
    else:
        return HttpResponseRedirect(reverse("admin:quizzes_question_changelist"))
    form = ExportForm(request.GET if "format" in request.GET else None)
    if form.is_bound and form.is_valid():
        return _download(questions, form.cleaned_data["format"], filename)
    return _export_render(model_admin, request, form, questions, what, hidden=hidden)


def _int(value: str) -> int:
    # A malformed id is a 404, like any unknown one.
    return int(value) if value.isdigit() else 0


def _download(questions, format: str, filename: str) -> HttpResponse:
    module = format_module(format)
    out = io.StringIO()
    questions_export(questions=questions_for_export(questions), format=format, out=out)
    response = HttpResponse(
        out.getvalue().encode("utf-8"), content_type=module.MEDIA_TYPE
    )
    name = f"{slugify(filename) or 'questions'}{module.EXTENSION}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _export_render(model_admin, request, form, questions, what, *, hidden, selected=()):
    # One read of the questions (two queries), written by every format into a sink
    # to learn what each leaves out.
    loaded = list(questions_for_export(questions))
    options = [
        FormatOption(
            name=name,
            label=label,
            left_out=questions_export(questions=loaded, format=name, out=io.StringIO()),
        )
        for name, label in format_choices()
    ]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"Export {what}",
        "what": what,
        "count": len(loaded),
        "options": options,
        "form": form,
        # The selection's form posts back to the changelist (the action, again);
        # a section's or a quiz's is a GET of this page.
        "method": "post" if selected else "get",
        "hidden": hidden,
        "selected": selected,
        "checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        "media": model_admin.media + MEDIA,
    }
    return TemplateResponse(request, "admin/quizzes/question/export.html", context)
