"""The bank audit: every published question and every bank's minimum."""

import pytest

from quizzes.choices import QuestionStatus
from quizzes.services.audit import bank_audit
from tests.factories import ChoiceFactory, QuestionFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_a_section_below_its_minimum_is_reported():
    section = SectionFactory(slug="routes", title="Routes")
    QuestionFactory(section=section)
    problems = bank_audit()
    assert any(
        "“Routes”: 1 published questions; it needs at least 10" in p for p in problems
    )


def test_a_published_question_breaking_a_kind_rule_is_reported():
    question = QuestionFactory(section=SectionFactory(slug="overview"), ref="q-1")
    ChoiceFactory(question=question, order=9, text="Another", is_correct=True)
    problems = bank_audit()
    assert any(
        "q-1: a single-best-answer question needs exactly one" in p for p in problems
    )


def test_drafts_are_not_audited_and_do_not_count_towards_the_minimum():
    section = SectionFactory(slug="overview", title="Overview")
    for _ in range(4):
        QuestionFactory(
            section=section, status=QuestionStatus.DRAFT, source_quote="nowhere"
        )
    problems = bank_audit()
    assert any("0 published questions" in p for p in problems)
    assert not any("verbatim" in p for p in problems)


def test_questions_on_a_subsection_count_for_their_article_and_quote_from_it():
    article = SectionFactory(slug="overview", title="Overview", order=0, text="Top.\n")
    sub = SectionFactory(
        document=article.document,
        parent=article,
        level=2,
        order=1,
        text="Intramuscular injection is used when IV access is not feasible.\n",
    )
    flags = [
        (True, False, False, False),
        (False, True, False, False),
        (False, False, True, False),
        (False, False, False, True),
    ]
    for keys in flags:
        QuestionFactory(
            section=sub,
            choices=[
                (t, k)
                for t, k in zip(["Alpha", "Bravo", "Gamma", "Delta"], keys, strict=True)
            ],
        )
    assert bank_audit() == []
