"""Importing a document: exact, idempotent, updated in place, atomic."""

import pytest

from quizzes.models import Question, Section, SourceDocument
from quizzes.services.documents import (
    DocumentImportError,
    document_import,
    document_import_path,
)
from quizzes.splitting import strip_markdown_headings
from tests.conftest import SEED_MARKDOWN, SEED_TEXT
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db

ARTICLE = b"# Alpha\nAlpha body.\n## Alpha Detail\nDetail body.\n# Beta\nBeta body.\n"


def sections_joined(document):
    return "".join(s.text for s in document.sections.order_by("order"))


def test_seed_import_stores_sections_that_join_back_to_the_original_text():
    result = document_import_path(
        path=SEED_MARKDOWN, title="Ketamine Clinical Overview"
    )
    document = result.document
    assert document.slug == "ketamine-clinical-overview"
    assert document.text.encode("utf-8") == SEED_TEXT.read_bytes()
    assert sections_joined(document) == document.text
    assert document.sections.filter(level=1).count() == 10
    assert document.sections.count() == 65


def test_plain_text_import_also_joins_back_exactly():
    document = document_import_path(path=SEED_TEXT).document
    assert document.title == "Ketamine Clinical Overview"
    assert sections_joined(document).encode("utf-8") == SEED_TEXT.read_bytes()


def test_subsections_point_at_their_article():
    document = document_import_path(path=SEED_MARKDOWN).document
    bladder = document.sections.get(title="Bladder Problems")
    assert (
        bladder.parent.title == "Understanding the Potential Side Effects of Ketamine"
    )
    assert "Ketamine-Induced Cystitis" in bladder.parent.full_text()
    assert "Ketamine-Induced Cystitis" not in bladder.parent.text


def test_reimporting_an_unchanged_file_changes_nothing():
    first = document_import(name="a.md", data=ARTICLE)
    before = list(Section.objects.values_list("pk", "order", "text"))
    stamp = SourceDocument.objects.get().updated_at
    again = document_import(name="a.md", data=ARTICLE)
    assert (again.created, again.changed) == (False, False)
    assert list(Section.objects.values_list("pk", "order", "text")) == before
    assert SourceDocument.objects.get().updated_at == stamp
    assert first.created


def test_changed_file_updates_sections_in_place_and_keeps_their_questions():
    document = document_import(name="a.md", data=ARTICLE).document
    beta = document.sections.get(slug="beta")
    question = QuestionFactory(section=beta, source_quote="Beta body.")
    changed = b"Intro.\n# Alpha\nAlpha body, revised.\n# Beta\nBeta body.\nMore.\n"
    result = document_import(name="a.md", data=changed)
    assert result.changed and not result.created
    assert result.sections_deleted == 1  # "Alpha Detail" had no questions
    document.refresh_from_db()
    assert sections_joined(document) == strip_markdown_headings(changed.decode())
    assert document.sections.get(slug="beta").pk == beta.pk
    question.refresh_from_db()
    assert question.section_id == beta.pk
    assert [s.slug for s in document.sections.all()] == ["overview", "alpha", "beta"]


def test_subsection_that_moves_to_another_parent_keeps_its_row_and_questions():
    document = document_import(name="a.md", data=ARTICLE).document
    detail = document.sections.get(slug="alpha-detail")
    QuestionFactory(section=detail, source_quote="Detail body.")
    moved = b"# Gamma\nG.\n## Alpha Detail\nDetail body.\n# Beta\nBeta body.\n"
    document_import(name="a.md", data=moved)
    detail.refresh_from_db()
    assert detail.parent.slug == "gamma"
    assert Question.objects.get().section_id == detail.pk


def test_removing_a_section_that_has_questions_is_refused_and_nothing_changes():
    document = document_import(name="a.md", data=ARTICLE).document
    QuestionFactory(
        section=document.sections.get(slug="beta"), source_quote="Beta body."
    )
    before = list(Section.objects.values_list("pk", "order", "slug", "text"))
    with pytest.raises(DocumentImportError, match="“Beta” \\(1\\)"):
        document_import(name="a.md", data=b"# Alpha\nOnly alpha now.\n")
    assert list(Section.objects.values_list("pk", "order", "slug", "text")) == before
    assert SourceDocument.objects.get().text == strip_markdown_headings(
        ARTICLE.decode()
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the file is empty"),
        (b"  \n\n\t", "the file is empty"),
        (b"caf\xe9 au lait\n", r"not UTF-8 \(invalid byte at offset 3\)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("# Title\n".encode("utf-16"), "binary"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason_and_nothing_is_written(
    data, reason
):
    with pytest.raises(DocumentImportError, match=reason):
        document_import(name="bad.md", data=data)
    assert not SourceDocument.objects.exists()
    assert not Section.objects.exists()


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(DocumentImportError, match="no such file"):
        document_import_path(path=tmp_path / "nope.txt")
