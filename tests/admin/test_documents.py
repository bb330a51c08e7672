"""Documents and sections in the admin: upload to import, readable sections."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quizzes.choices import QuestionStatus
from quizzes.models import Section, SourceDocument
from tests.admin.factories import QuizDrawFactory
from tests.conftest import SEED_MARKDOWN
from tests.factories import QuestionFactory, SectionFactory, SourceDocumentFactory

pytestmark = pytest.mark.django_db
ADD = reverse("admin:quizzes_sourcedocument_add")
MARKDOWN = b"Intro text.\n# Routes\nIV is fast.\n## Nasal\nSpray.\n# Doses\nLow.\n"


def upload(client, name, data, title=""):
    return client.post(
        ADD, {"file": SimpleUploadedFile(name, data), "title": title}, follow=True
    )


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
