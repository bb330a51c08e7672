"""A question's life in the instructors' hands: publish, retire, duplicate."""

import pytest

from quizzes.choices import QuestionStatus
from quizzes.models import Question
from quizzes.services.questions import (
    QuestionNotPublishable,
    question_duplicate,
    question_publish,
    questions_publish,
    questions_retire,
)
from tests.factories import QuestionFactory, QuizFactory

pytestmark = pytest.mark.django_db


def test_a_draft_that_meets_every_rule_is_published():
    draft = QuestionFactory(status=QuestionStatus.DRAFT)
    assert question_publish(question=draft) is True
    draft.refresh_from_db()
    assert draft.status == QuestionStatus.PUBLISHED


def test_publishing_twice_changes_nothing():
    assert question_publish(question=QuestionFactory()) is False


def test_a_question_whose_quote_is_not_in_its_section_is_not_published():
    draft = QuestionFactory(status=QuestionStatus.DRAFT, source_quote="Invented.")
    with pytest.raises(QuestionNotPublishable) as refusal:
        question_publish(question=draft)
    assert "does not appear verbatim" in refusal.value.problems[0]
    draft.refresh_from_db()
    assert draft.status == QuestionStatus.DRAFT


def test_a_bulk_publish_publishes_the_good_and_reports_the_rest():
    good = QuestionFactory(status=QuestionStatus.DRAFT)
    bad = QuestionFactory(status=QuestionStatus.DRAFT, choices=[("Only", True)])
    result = questions_publish(questions=[good, bad])
    assert result.changed == [good]
    assert [r.question for r in result.refused] == [bad]
    assert "it needs 4 to 5 choices; it has 1" in result.refused[0].problems


def test_retiring_reports_the_questions_a_quiz_still_fixes():
    fixed, free = QuestionFactory(), QuestionFactory()
    QuizFactory(with_questions=[fixed])
    result = questions_retire(questions=[fixed, free])
    assert set(result.changed) == {fixed, free}
    assert result.still_fixed == [fixed]
    assert set(Question.objects.values_list("status", flat=True)) == {
        QuestionStatus.RETIRED
    }


def test_a_duplicate_is_a_draft_with_the_same_choices_and_no_bank_ref():
    original = QuestionFactory(ref="routes-1")
    copy = question_duplicate(question=original)
    assert copy.pk != original.pk
    assert (copy.status, copy.ref, copy.section_id) == (
        QuestionStatus.DRAFT,
        None,
        original.section_id,
    )
    fields = ("order", "text", "is_correct", "rationale")
    assert list(copy.choices.values_list(*fields)) == list(
        original.choices.values_list(*fields)
    )
