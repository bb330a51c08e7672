"""Drafts without a verbatim quote, the sentences suggested for them, setting one."""

import pytest

from quizzes.choices import QuestionStatus
from quizzes.models import Question
from quizzes.services.quote_suggestions import (
    NO_QUOTE,
    NOT_VERBATIM,
    QuoteRefused,
    _full_texts,
    draft_quote_suggestions,
    drafts_without_quote,
    question_quote_set,
)
from tests.factories import QuestionFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

QUOTE = "Intramuscular injection is used when IV access is not feasible."


def draft(**fields):
    return QuestionFactory(status=QuestionStatus.DRAFT, **fields)


def test_a_draft_with_an_empty_quote_lacks_a_quote():
    """An empty (or blank) quote is reported as "no source quote"."""
    question = draft(source_quote="")
    gaps = drafts_without_quote()
    assert [(g.question, g.problem) for g in gaps] == [(question, NO_QUOTE)]


def test_a_draft_whose_quote_is_not_in_its_section_is_reported_not_verbatim():
    """A straight apostrophe where the section has a curly one is not verbatim."""
    section = SectionFactory(text="Ketamine’s onset is rapid when given IV.\n")
    question = draft(section=section, source_quote="Ketamine's onset is rapid")
    gaps = drafts_without_quote()
    assert [(g.question, g.problem) for g in gaps] == [(question, NOT_VERBATIM)]


def test_published_retired_and_well_quoted_drafts_are_not_listed():
    """Only drafts are checked, and a draft with a verbatim quote is fine."""
    QuestionFactory()
    QuestionFactory(status=QuestionStatus.RETIRED)
    draft(source_quote=QUOTE)
    assert drafts_without_quote() == []


def test_a_quote_from_a_subsection_counts_for_its_parent_section():
    """The quote may come from the section's subsections (``full_text``)."""
    top = SectionFactory(order=0, text="Routes\n")
    SectionFactory(document=top.document, parent=top, level=2, order=1)
    draft(section=top, source_quote=QUOTE)
    assert drafts_without_quote() == []


def test_only_the_given_questions_are_checked():
    """``questions`` narrows the check, e.g. to one document's drafts."""
    mine = draft(source_quote="")
    draft(source_quote="")
    gaps = drafts_without_quote(questions=Question.objects.filter(pk=mine.pk))
    assert [g.question for g in gaps] == [mine]


def test_full_texts_are_each_sections_full_text():
    """The texts assembled in one query equal ``Section.full_text`` section by
    section, subsections included, across documents."""
    top = SectionFactory(order=0, text="A.\n")
    sub = SectionFactory(document=top.document, parent=top, level=2, order=1)
    SectionFactory(document=top.document, order=2, text="B.\n")
    other = SectionFactory(text="C.\n")
    sections = [top, sub, other]
    texts = _full_texts(section_ids=[s.pk for s in sections])
    assert texts == {s.pk: s.full_text() for s in sections}


def test_drafts_are_found_in_two_queries_however_many(django_assert_num_queries):
    """The drafts with their section and document, then their documents' sections."""
    for _ in range(5):
        draft(section=SectionFactory(), source_quote="")
    with django_assert_num_queries(2):
        assert len(drafts_without_quote()) == 5


def test_each_draft_gets_its_sections_best_sentence_first():
    """The sentence the question is about comes first, with its score."""
    question = draft(source_quote="")
    [result] = draft_quote_suggestions(gaps=drafts_without_quote())
    assert result.question == question
    assert result.problem == NO_QUOTE
    assert result.best.sentence == QUOTE
    assert 0 < result.best.score <= 100
    assert len(result.suggestions) == 2  # the factory's section has two sentences


def test_a_quote_that_is_not_verbatim_steers_the_suggestion():
    """The near-miss quote is part of what is matched, so its sentence leads even
    when the stem points elsewhere."""
    section = SectionFactory(
        text="Oral ketamine is absorbed slowly and variably.\n"
        "Ketamine’s onset is rapid when given intravenously.\n"
    )
    draft(
        section=section,
        stem="What does the section say about oral ketamine and its onset?",
        explanation="See the section.",
        source_quote="Ketamine's onset is rapid when given intravenously.",
    )
    [result] = draft_quote_suggestions(gaps=drafts_without_quote())
    assert result.best.sentence == (
        "Ketamine’s onset is rapid when given intravenously."
    )


def test_suggestions_cost_one_query_for_any_number_of_drafts(
    django_assert_num_queries,
):
    """The choices (for the keys) are prefetched in one query."""
    for _ in range(4):
        draft(source_quote="")
    gaps = drafts_without_quote()
    with django_assert_num_queries(1):
        results = draft_quote_suggestions(gaps=gaps, limit=1)
    assert [len(r.suggestions) for r in results] == [1, 1, 1, 1]


def test_a_section_without_sentences_gives_no_best_suggestion():
    """A heading-only section has nothing to suggest; ``best`` is None."""
    draft(section=SectionFactory(text="Routes\n"), source_quote="")
    [result] = draft_quote_suggestions(gaps=drafts_without_quote())
    assert result.suggestions == []
    assert result.best is None


def test_a_verbatim_quote_is_saved_and_the_history_names_who():
    """The quote is stored and the history record's user is the instructor."""
    question = draft(source_quote="")
    instructor = UserFactory(username="ida")
    question_quote_set(question=question, quote=QUOTE, user=instructor)
    question.refresh_from_db()
    assert question.source_quote == QUOTE
    assert question.history.latest().history_user == instructor


def test_a_quote_that_is_not_verbatim_is_refused_and_nothing_changes():
    """The verbatim rule's own message comes back; the question keeps its quote."""
    question = draft(source_quote="")
    with pytest.raises(QuoteRefused) as refusal:
        question_quote_set(question=question, quote="Invented.", user=None)
    assert "does not appear verbatim" in refusal.value.problems[0]
    question.refresh_from_db()
    assert question.source_quote == ""
    assert question.history.count() == 1


def test_setting_the_quote_keeps_other_fields_saved_meanwhile():
    """Only the quote is written: a stem edited elsewhere since the question was
    read is not overwritten with the stale one."""
    question = draft(source_quote="")
    Question.objects.filter(pk=question.pk).update(stem="Edited meanwhile?")
    question_quote_set(question=question, quote=QUOTE, user=None)
    question.refresh_from_db()
    assert (question.stem, question.source_quote) == ("Edited meanwhile?", QUOTE)


def test_an_empty_quote_is_refused():
    """Setting an empty quote is not a way to clear one."""
    question = draft(source_quote=QUOTE)
    with pytest.raises(QuoteRefused, match="empty"):
        question_quote_set(question=question, quote="  ", user=None)
    question.refresh_from_db()
    assert question.source_quote == QUOTE
