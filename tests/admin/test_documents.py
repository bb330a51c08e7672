"""Documents and sections in the admin: upload to import, readable sections."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quizzes.choices import QuestionStatus
from quizzes.models import Section, SourceDocument
from quizzes.services.documents import document_import
from tests.admin.factories import QuizDrawFactory
from tests.conftest import SEDATION_NOTES, SEED_MARKDOWN
from tests.factories import QuestionFactory, SectionFactory, SourceDocumentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("staging_dir")]
ADD = reverse("admin:quizzes_sourcedocument_add")
MARKDOWN = b"Intro text.\n# Routes\nIV is fast.\n## Nasal\nSpray.\n# Doses\nLow.\n"


def upload(client, name, data, title=""):
    """Upload, then press Import on the preview: the two steps an instructor takes.
    A file refused at the upload comes back on the upload page."""
    response = client.post(
        ADD, {"file": SimpleUploadedFile(name, data), "title": title}
    )
    if "preview" not in response.context:
        return response
    return client.post(ADD, confirm_data(response, "import"), follow=True)


def confirm_data(response, button, **changes):
    """The preview page's form as the browser would post it, pressing ``button``."""
    context = response.context
    data = {
        "upload": context["signed"],
        "previewed": context["previewed"],
        "title": context["form"]["title"].value() or "",
        "heading_pattern": context["form"]["heading_pattern"].value() or "",
        "heading_lines": [s.line for s, chosen in context["sections"] if chosen],
        button: button,
    }
    return {**data, **changes}


def test_uploading_a_markdown_file_imports_it_as_import_document_does(
    instructor_client,
):
    response = upload(instructor_client, "routes.md", MARKDOWN, title="Routes Guide")
    document = SourceDocument.objects.get(slug="routes-guide")
    assert response.redirect_chain[-1][0] == reverse(
        "admin:quizzes_sourcedocument_change", args=[document.pk]
    )
    assert list(document.sections.values_list("title", "level")) == [
        ("Overview", 1),
        ("Routes", 1),
        ("Nasal", 2),
        ("Doses", 1),
    ]
    assert "Routes Guide” imported: 4 section(s) new" in response.content.decode()


def test_the_seed_document_uploads_to_the_same_sections_as_the_command(
    instructor_client, seeded
):
    """Uploading the seed file again is a no-op, as re-running the command is."""
    before = list(Section.objects.values_list("slug", "text"))
    response = upload(
        instructor_client,
        SEED_MARKDOWN.name,
        SEED_MARKDOWN.read_bytes(),
        title="Ketamine Clinical Overview",
    )
    assert "is unchanged" in response.content.decode()
    assert list(Section.objects.values_list("slug", "text")) == before


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.md", b"  \n", "empty.md: the file is empty"),
        ("image.md", b"\x89PNG\x00\x00", "image.md: the file is binary"),
        ("latin.txt", "Café\n".encode("latin-1"), "latin.txt: the file is not UTF-8"),
        (
            "utf16.md",
            "# Title\nBody\n".encode("utf-16"),
            "utf16.md: the file is binary",
        ),
        ("big.txt", b"x" * (50 * 1024 * 1024), "the limit is 5,242,880"),
        ("heads.md", b"# One\n## Two\n", "heads.md: the file has headings but no text"),
    ],
    ids=["empty", "binary", "latin-1", "utf-16", "50-MB", "headings-only"],
)
def test_a_refused_file_shows_the_import_error_on_the_form(
    instructor_client, name, data, message
):
    upload(instructor_client, "doc.md", MARKDOWN, title="Doc")
    before = list(Section.objects.values_list("pk", "order", "text"))
    response = upload(instructor_client, name, data, title="Doc")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(Section.objects.values_list("pk", "order", "text")) == before
    assert SourceDocument.objects.get().text.startswith("Intro text.")


def test_an_import_that_would_drop_a_section_with_questions_changes_nothing(
    instructor_client,
):
    upload(instructor_client, "routes.md", MARKDOWN, title="Routes Guide")
    nasal = Section.objects.get(slug="nasal")
    QuestionFactory(section=nasal, source_quote="Spray.")
    response = upload(
        instructor_client, "routes.md", b"# Routes\nIV is fast.\n", title="Routes Guide"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "these sections have questions but are not in the new file" in page
    assert Section.objects.filter(slug="nasal").exists()
    assert SourceDocument.objects.get().text.startswith("Intro text.")


def test_a_section_shows_its_text_and_its_questions_by_status(instructor_client):
    section = SectionFactory(text="Line one.\nLine two.\n")
    QuestionFactory(section=section, source_quote="Line one.")
    QuestionFactory(section=section, source_quote="Line one.", status="draft")
    QuestionFactory(
        section=section, source_quote="Line two.", status=QuestionStatus.RETIRED
    )
    page = instructor_client.get(
        reverse("admin:quizzes_section_change", args=[section.pk])
    ).content.decode()
    assert '<div class="source-text">Line one.\nLine two.\n</div>' in page
    assert "1 published · 1 draft · 1 retired" in page


def test_the_section_list_counts_questions_by_status(instructor_client):
    section = SectionFactory()
    QuestionFactory(section=section)
    QuestionFactory(section=section, status=QuestionStatus.DRAFT)
    response = instructor_client.get(reverse("admin:quizzes_section_changelist"))
    (row,) = response.context["cl"].result_list
    assert (row.published, row.drafts, row.retired) == (1, 1, 0)


# Issue 10: upload → preview → import, with headings the shape rule missed.


def nothing_written():
    return not SourceDocument.objects.exists() and not Section.objects.exists()


@pytest.fixture
def preview(instructor_client):
    """The preview page of the issue's file, as the upload leaves it."""
    data = SEDATION_NOTES.read_bytes()
    return instructor_client.post(
        ADD, {"file": SimpleUploadedFile("sedation-notes.txt", data), "title": ""}
    )


def test_the_upload_shows_a_preview_with_the_missed_headings_and_writes_nothing(
    preview, staging_dir
):
    page = preview.content.decode()
    assert preview.status_code == 200
    assert [(c.line, c.text) for c in preview.context["preview"].candidates] == [
        (4, "How it is given"),
        (7, "Monitoring:"),
    ]
    assert page.count('name="heading_lines" value="') == 2
    assert "make this a heading" in page
    assert "Ketamine gives dissociative sedation" in page  # a section's first line
    assert nothing_written()
    assert len(list(staging_dir.iterdir())) == 1


def test_ticked_candidates_preview_as_sections_then_import_as_sections(
    instructor_client, preview, staging_dir
):
    again = instructor_client.post(
        ADD, confirm_data(preview, "preview", heading_lines=["4", "7"])
    )
    assert [(s.title, s.line) for s in again.context["preview"].sections] == [
        ("Ketamine for Procedural Sedation", 1),
        ("How it is given", 4),
        ("Monitoring", 7),
        ("Recovery", 10),
    ]
    assert again.context["preview"].candidates == []
    assert nothing_written()

    done = instructor_client.post(ADD, confirm_data(again, "import"), follow=True)
    document = SourceDocument.objects.get()
    assert done.redirect_chain[-1][0] == reverse(
        "admin:quizzes_sourcedocument_change", args=[document.pk]
    )
    assert list(document.sections.values_list("title", flat=True)) == [
        "Ketamine for Procedural Sedation",
        "How it is given",
        "Monitoring",
        "Recovery",
    ]
    assert "4 section(s) new" in done.content.decode()
    assert list(staging_dir.iterdir()) == []  # the staged upload is deleted


def test_a_heading_pattern_makes_the_matching_lines_sections(
    instructor_client, preview
):
    again = instructor_client.post(
        ADD,
        confirm_data(preview, "preview", heading_pattern=r"How it is given|\w+:"),
    )
    assert len(again.context["preview"].sections) == 4
    instructor_client.post(ADD, confirm_data(again, "import"))
    assert SourceDocument.objects.get().sections.count() == 4


def test_import_with_choices_that_were_not_previewed_previews_them_first(
    instructor_client, preview
):
    """Ticking a box and pressing Import straight away shows the new preview
    instead of importing what the page did not show."""
    response = instructor_client.post(
        ADD, confirm_data(preview, "import", heading_lines=["7"])
    )
    assert response.status_code == 200
    assert "The choices changed since this preview" in response.content.decode()
    assert [s.title for s in response.context["preview"].sections][1] == "Monitoring"
    assert nothing_written()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"heading_pattern": "(Monitoring"},
            "the heading pattern “(Monitoring” is not a valid regular expression",
        ),
        ({"heading_lines": ["40"]}, "line 40 is out of range: the file has 11 lines"),
        ({"heading_lines": ["x"]}, "“x” is not a line number"),
        ({"title": "!!!"}, "the title “!!!” gives an empty slug"),
    ],
    ids=["bad-regex", "line-out-of-range", "not-a-number", "empty-slug"],
)
def test_a_bad_choice_is_a_400_on_the_preview_page_saying_which(
    instructor_client, preview, changes, message
):
    for button in ("preview", "import"):
        response = instructor_client.post(ADD, confirm_data(preview, button, **changes))
        assert response.status_code == 400
        assert message in response.content.decode()
        assert "preview" in response.context  # the last good preview stays
    assert nothing_written()


def test_a_tampered_upload_reference_is_refused_and_nothing_is_written(
    instructor_client, preview
):
    signed = preview.context["signed"]
    forged = signed[:-2] + ("AA" if not signed.endswith("AA") else "BB")
    response = instructor_client.post(
        ADD, confirm_data(preview, "import", upload=forged)
    )
    assert response.status_code == 400
    assert "The reference to this upload has been altered" in response.content.decode()
    assert nothing_written()


def test_a_staged_file_changed_on_disk_is_refused(
    instructor_client, preview, staging_dir
):
    (staged,) = staging_dir.iterdir()
    staged.write_bytes(b"Other Title\nOther text.\n")
    response = instructor_client.post(ADD, confirm_data(preview, "import"))
    assert response.status_code == 400
    assert "no longer matches the upload" in response.content.decode()
    assert nothing_written()


def test_a_preview_older_than_a_day_is_refused(instructor_client, preview):
    with time_machine.travel(timedelta(days=1, minutes=1)):
        response = instructor_client.post(ADD, confirm_data(preview, "import"))
    assert response.status_code == 400
    assert "This upload has expired" in response.content.decode()
    assert nothing_written()


def test_a_preview_imported_once_cannot_be_imported_again(instructor_client, preview):
    data = confirm_data(preview, "import")
    instructor_client.post(ADD, data)
    again = instructor_client.post(ADD, data)
    assert again.status_code == 400
    assert "This upload is no longer kept" in again.content.decode()


def test_the_preview_shows_the_refusal_before_import_is_pressed(instructor_client):
    upload(instructor_client, "routes.md", MARKDOWN, title="Routes Guide")
    QuestionFactory(section=Section.objects.get(slug="nasal"), source_quote="Spray.")
    response = instructor_client.post(
        ADD,
        {
            "file": SimpleUploadedFile("routes.md", b"# Routes\nIV is fast.\n"),
            "title": "Routes Guide",
        },
    )
    page = response.content.decode()
    assert "The import would be refused: these sections have questions" in page
    assert "it has 1 question." in page


@pytest.mark.parametrize("name", ["routes.md", SEED_MARKDOWN.name])
def test_preview_again_runs_six_queries_whatever_the_number_of_sections(
    instructor_client, django_assert_num_queries, name
):
    """Over an imported document of 4 or 65 sections: the session, the user, the
    user's and their groups' permissions (add permission), the document by slug,
    and its sections with their question counts and parents."""
    data = MARKDOWN if name == "routes.md" else SEED_MARKDOWN.read_bytes()
    upload(instructor_client, name, data, title="Doc")
    first = instructor_client.post(
        ADD, {"file": SimpleUploadedFile(name, data), "title": "Doc"}
    )
    assert first.context["preview"].unchanged
    with django_assert_num_queries(6):
        instructor_client.post(ADD, confirm_data(first, "preview"))


def test_a_reupload_takes_the_headings_chosen_last_time_again(instructor_client):
    """The file was imported with "Monitoring:" as a heading, and the section has a
    question: uploading the file again previews it with that line taken again,
    says so, and imports as unchanged."""
    data = SEDATION_NOTES.read_bytes()
    document_import(name="sedation-notes.txt", data=data, heading_lines=[7])
    QuestionFactory(
        section=Section.objects.get(slug="monitoring"), source_quote="Watch pulse"
    )
    response = instructor_client.post(
        ADD, {"file": SimpleUploadedFile("sedation-notes.txt", data), "title": ""}
    )
    preview = response.context["preview"]
    assert (preview.unchanged, preview.refusal) == (True, None)
    page = response.content.decode()
    assert "Line 7: the title of a section of the stored document" in page
    done = instructor_client.post(ADD, confirm_data(response, "import"), follow=True)
    assert "is unchanged" in done.content.decode()
    assert Section.objects.filter(slug="monitoring").exists()


def _section_tree():
    """Two documents; "Side Effects" is a heading in one, a word in the other."""
    guide = SourceDocumentFactory(title="Warfarin Guide")
    top = SectionFactory(document=guide, title="Safety", order=1)
    effects = SectionFactory(
        document=guide, parent=top, level=2, title="Side Effects", order=2
    )
    bleeding = SectionFactory(
        document=guide, parent=effects, level=3, title="Bleeding", order=3
    )
    routes = SectionFactory(
        document=SourceDocumentFactory(title="Routes"),
        title="3. Oral Administration",
        text="Side effects of oral dosing are listed elsewhere.\n",
    )
    return effects, bleeding, routes


def _autocomplete(client, term):
    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "quizzes",
            "model_name": "quizdraw",
            "field_name": "section",
            "term": term,
        },
    )
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


def test_the_section_picker_finds_sections_by_their_path_not_their_text(
    instructor_client,
):
    """Typing "Side Effects" finds the sections under that heading (the heading and
    its subsections), shown with their full path, and not a section whose text
    merely mentions side effects."""
    _section_tree()
    assert sorted(_autocomplete(instructor_client, "Side Effects")) == [
        "Warfarin Guide › Safety › Side Effects",
        "Warfarin Guide › Safety › Side Effects › Bleeding",
    ]


def test_the_section_picker_matches_words_of_the_document_and_parents(
    instructor_client,
):
    """Each word may come from any part of the path: "warfarin bleeding" finds it."""
    _section_tree()
    assert _autocomplete(instructor_client, "warfarin bleeding") == [
        "Warfarin Guide › Safety › Side Effects › Bleeding"
    ]
    assert _autocomplete(instructor_client, "routes oral") == [
        "Routes › 3. Oral Administration"
    ]


def test_the_section_list_still_searches_the_text(instructor_client):
    """The section list's own search also finds a section by words of its text."""
    _section_tree()
    response = instructor_client.get(
        reverse("admin:quizzes_section_changelist"), {"q": "oral dosing"}
    )
    assert [s.title for s in response.context["cl"].result_list] == [
        "3. Oral Administration"
    ]


def test_a_chosen_draw_section_shows_its_path_on_the_quiz_form(instructor_client):
    """Once saved, a draw's section reads "Document › Parent › Section" too."""
    effects, _, _ = _section_tree()
    draw = QuizDrawFactory(section=effects)
    page = instructor_client.get(
        reverse("admin:quizzes_quiz_change", args=[draw.quiz.pk])
    )
    assert "Warfarin Guide › Safety › Side Effects" in page.content.decode()
