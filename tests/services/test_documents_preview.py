"""Previewing an import: what would change, what was not taken, and no writes."""

import pytest

from quizzes.models import Section, SourceDocument
from quizzes.services.documents import (
    DocumentImportError,
    document_import,
    document_preview,
)
from tests.conftest import SEDATION_NOTES
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db

NAME = "sedation-notes.txt"


def notes():
    return SEDATION_NOTES.read_bytes()


def snapshot():
    return (
        list(SourceDocument.objects.values_list("pk", "slug", "text", "checksum")),
        list(Section.objects.values_list("pk", "order", "slug", "title", "text")),
    )


def test_preview_of_the_issue_file_offers_both_missed_headings_and_writes_nothing():
    preview = document_preview(name=NAME, data=notes())
    assert [(s.title, s.line, s.change) for s in preview.sections] == [
        ("Ketamine for Procedural Sedation", 1, "new"),
        ("Recovery", 10, "new"),
    ]
    assert [(c.line, c.text) for c in preview.candidates] == [
        (4, "How it is given"),
        (7, "Monitoring:"),
    ]
    assert (preview.title, preview.document, preview.unchanged) == (
        "Sedation Notes",
        None,
        False,
    )
    assert preview.refusal is None
    assert snapshot() == ([], [])


def test_preview_with_chosen_lines_shows_each_section_with_its_first_lines():
    preview = document_preview(name=NAME, data=notes(), heading_lines=[4, 7])
    monitoring = preview.sections[2]
    assert (monitoring.title, monitoring.level, monitoring.line) == ("Monitoring", 1, 7)
    assert monitoring.first_lines == (
        "Watch pulse oximetry, capnography and blood pressure throughout.",
        "Keep suction and a bag-valve mask at the bedside until the patient is awake.",
    )
    assert preview.candidates == []
    assert preview.sections_created == 4


def test_importing_with_chosen_lines_creates_the_missed_sections():
    result = document_import(name=NAME, data=notes(), heading_lines=[4, 7])
    sections = result.document.sections.order_by("order")
    assert [s.title for s in sections] == [
        "Ketamine for Procedural Sedation",
        "How it is given",
        "Monitoring",
        "Recovery",
    ]
    assert "".join(s.text for s in sections).encode() == notes()


def test_importing_with_a_heading_pattern_creates_the_missed_sections():
    result = document_import(
        name=NAME, data=notes(), heading_pattern=r"How it is given|[A-Z]\w+:"
    )
    slugs = list(result.document.sections.values_list("slug", flat=True))
    assert slugs == [
        "ketamine-for-procedural-sedation",
        "how-it-is-given",
        "monitoring",
        "recovery",
    ]


def test_the_same_file_imported_again_with_new_headings_is_not_unchanged():
    """The checksum is of the bytes: the same bytes split on more headings must
    still update the sections, and the preview must say so."""
    document_import(name=NAME, data=notes())
    preview = document_preview(name=NAME, data=notes(), heading_lines=[4, 7])
    assert not preview.unchanged
    assert [s.change for s in preview.sections] == [
        "changed",
        "new",
        "new",
        "changed",  # "Recovery" moves from second to fourth
    ]
    result = document_import(name=NAME, data=notes(), heading_lines=[4, 7])
    assert result.changed
    assert (result.sections_created, result.sections_updated) == (2, 2)
    assert result.document.sections.count() == 4


def test_preview_of_an_unchanged_file_says_so():
    document_import(name=NAME, data=notes(), heading_lines=[4])
    assert document_preview(name=NAME, data=notes(), heading_lines=[4]).unchanged
    assert not document_preview(name=NAME, data=notes()).unchanged


def test_preview_names_the_refusal_when_sections_with_questions_would_vanish():
    document = document_import(name=NAME, data=notes(), heading_lines=[4, 7]).document
    QuestionFactory(
        section=document.sections.get(slug="monitoring"),
        source_quote="Watch pulse oximetry",
    )
    before = snapshot()
    preview = document_preview(name=NAME, data=notes(), heading_lines=[4])
    assert [(r.slug, r.question_count) for r in preview.removed] == [("monitoring", 1)]
    assert preview.refusal.startswith(
        "these sections have questions but are not in the new file: “Monitoring” (1)"
    )
    assert snapshot() == before
    with pytest.raises(DocumentImportError, match="“Monitoring” \\(1\\)"):
        document_import(name=NAME, data=notes(), heading_lines=[4])
    assert snapshot() == before


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        (
            {"heading_lines": [4, 40]},
            "sedation-notes.txt: heading choice: line 40 is out of range: the file "
            "has 11 lines",
        ),
        (
            {"heading_pattern": "(Monitoring"},
            "sedation-notes.txt: the heading pattern “(Monitoring” is not a valid "
            "regular expression: missing ), unterminated subpattern at position 0",
        ),
        (
            {"heading_pattern": "x" * 501},
            "sedation-notes.txt: the heading pattern is 501 characters; the limit "
            "is 500",
        ),
    ],
    ids=["line-out-of-range", "bad-regex", "long-regex"],
)
def test_a_bad_heading_choice_is_one_clear_line_and_nothing_is_written(
    choices, message
):
    for action in (document_preview, document_import):
        with pytest.raises(DocumentImportError) as error:
            action(name=NAME, data=notes(), **choices)
        assert str(error.value) == message
    assert snapshot() == ([], [])


def test_lines_titled_like_a_stored_section_that_would_go_are_suggested():
    """Re-importing a file whose headings were chosen last time: the candidates that
    carry a stored section's title are suggested, since dropping them would
    remove (or, with questions, refuse to remove) that section."""
    document_import(name=NAME, data=notes(), heading_lines=[7])
    preview = document_preview(name=NAME, data=notes())
    assert [r.slug for r in preview.removed] == ["monitoring"]
    assert preview.suggested_lines == [7]
    again = document_preview(name=NAME, data=notes(), heading_lines=[7])
    assert (again.suggested_lines, again.unchanged) == ([], True)
