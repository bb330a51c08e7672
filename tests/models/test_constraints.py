"""The invariants the database holds even when code forgets them."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from tests.factories import ChoiceFactory, QuestionFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_two_sections_of_a_document_cannot_share_an_order():
    section = SectionFactory(order=3)
    with pytest.raises(IntegrityError):
        SectionFactory(document=section.document, order=3)


def test_a_subsection_needs_a_parent():
    with pytest.raises(IntegrityError):
        SectionFactory(level=2, parent=None)


def test_question_kind_must_be_known():
    with pytest.raises(IntegrityError):
        QuestionFactory(kind="essay", choices=[])


def test_question_stem_cannot_be_empty():
    with pytest.raises(IntegrityError):
        QuestionFactory(stem="", choices=[])


def test_two_choices_cannot_share_a_position():
    question = QuestionFactory()
    with pytest.raises(IntegrityError):
        ChoiceFactory(question=question, order=1)


def test_clean_refuses_a_quote_that_is_not_in_the_section():
    question = QuestionFactory(source_quote="words the section never says")
    with pytest.raises(ValidationError, match="does not appear verbatim"):
        question.full_clean()


def test_clean_accepts_a_quote_from_a_subsection_of_the_question_section():
    article = SectionFactory(text="Article.\n", order=0)
    SectionFactory(
        document=article.document, parent=article, level=2, order=1, text="Deep fact.\n"
    )
    question = QuestionFactory(section=article, source_quote="Deep fact.")
    question.full_clean()
