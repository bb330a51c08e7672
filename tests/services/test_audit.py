"""The bank audit: every published question and every bank's minimum."""

import pytest

from quizzes.choices import QuestionStatus
from quizzes.services.audit import audit_summary, bank_audit, bank_audit_findings
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
    # Four different items: the same stem or options would be near-duplicates.
    stems = [
        "Which route fits a patient without IV access?",
        "What is checked during a session?",
        "When is a dose repeated?",
        "Who gives the infusion?",
    ]
    words = [
        "Alpha Bravo Gamma Delta",
        "Eagle Fable Giant Hotel",
        "India Joker Kilos Lemon",
        "Mango Noble Ocean Piano",
    ]
    for stem, texts, keys in zip(stems, words, flags, strict=True):
        QuestionFactory(
            section=sub,
            stem=stem,
            choices=list(zip(texts.split(), keys, strict=True)),
        )
    assert bank_audit() == []


FLAWED = {
    "q-1": (
        "According to the section, which route fits a patient without IV access?",
        ["Intramuscular", "Oral tablet", "Nasal spray", "Skin patch"],
    ),
    "q-2": (
        "What does the section say is checked while a dose is given?",
        ["Vital signs", "Eye colour", "Shoe size", "Hair growth"],
    ),
}


def _flawed_question(section, ref, **kwargs):
    """A question whose stem refers to “the section”: a warning, and nothing else
    (the two differ in stem and options, so they are no near-duplicates)."""
    stem, texts = FLAWED[ref]
    return QuestionFactory(
        section=section,
        ref=ref,
        stem=stem,
        choices=[(text, text == texts[0]) for text in texts],
        **kwargs,
    )


def test_an_unacknowledged_warning_fails_the_audit_and_an_acknowledged_one_passes():
    section = SectionFactory(slug="overview", title="Overview")
    _flawed_question(section, "q-1")
    _flawed_question(
        section, "q-2", acknowledged_warnings={"stem-refers-to-text": "the topic"}
    )
    problems = bank_audit()
    assert any("q-1: the stem refers to the reading" in p for p in problems)
    assert not any("q-2:" in p for p in problems)
    acknowledged = [f for f in bank_audit_findings() if f.acknowledged]
    assert [(f.where, f.code, f.reason) for f in acknowledged] == [
        ("q-2", "stem-refers-to-text", "the topic")
    ]


def test_near_duplicates_across_a_document_are_reported_on_both_items():
    section = SectionFactory(slug="overview", title="Overview")
    QuestionFactory(section=section, ref="q-1")
    QuestionFactory(section=section, ref="q-2")
    problems = bank_audit()
    assert any("q-1: near-duplicate of q-2" in p for p in problems)
    assert any("q-2: near-duplicate of q-1" in p for p in problems)


def test_summary_counts_per_code_and_bank_with_acknowledged_apart():
    section = SectionFactory(slug="overview", title="Overview")
    _flawed_question(section, "q-1")
    _flawed_question(
        section, "q-2", acknowledged_warnings={"stem-refers-to-text": "the topic"}
    )
    lines = audit_summary(bank_audit_findings())
    assert "stem-refers-to-text      1             1" in lines
    assert "bank-size                1             0" in lines
    assert "  overview: bank-size 1/0, stem-refers-to-text 1/1" in lines
    assert lines[-1] == "published questions with an open problem: 1 of 2"
