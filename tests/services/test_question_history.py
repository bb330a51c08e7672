"""Every change to a question is kept; a wrong key can be reverted; scores stay."""

from datetime import UTC, datetime, timedelta

import pytest

from quizzes.services.attempts import answer_save, attempt_finish, attempt_start
from quizzes.services.question_history import (
    QuestionRevertError,
    question_revert,
    question_versions,
)
from tests.factories import QuestionFactory, QuizFactory, UserFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def key(question):
    return [c.text for c in question.choices.order_by("order") if c.is_correct]


def move_key(question, to_text):
    """What an instructor's wrong edit does: the key moves to another option."""
    for choice in question.choices.all():
        choice.is_correct = choice.text == to_text
        choice.save()


def test_a_key_edit_is_recorded_with_what_changed(time_machine):
    time_machine.move_to(T0, tick=False)
    question = QuestionFactory()
    time_machine.move_to(T0 + timedelta(minutes=5), tick=False)
    move_key(question, "Oral tablet")
    newest = question_versions(question=question)[0]
    assert newest.at == T0 + timedelta(minutes=5)
    assert any("is_correct" in change for change in newest.changes)


def test_reverting_restores_the_key_and_keeps_finished_scores(time_machine):
    time_machine.move_to(T0, tick=False)
    question = QuestionFactory()
    assert key(question) == ["Intramuscular injection"]
    quiz = QuizFactory(with_questions=[question])
    attempt = attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
    right = question.choices.get(is_correct=True)
    answer_save(
        attempt=attempt,
        question_id=question.pk,
        choice_ids=[right.pk],
        flagged=None,
        now=T0,
    )
    attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=1))

    time_machine.move_to(T0 + timedelta(hours=1), tick=False)
    move_key(question, "Oral tablet")
    assert key(question) == ["Oral tablet"]

    time_machine.move_to(T0 + timedelta(hours=2), tick=False)
    question_revert(question=question, as_of=T0 + timedelta(minutes=30))
    assert key(question) == ["Intramuscular injection"]
    attempt.refresh_from_db()
    assert attempt.score == 1
    latest = question_versions(question=question)[0]
    assert any("reverted to the version of" in change for change in latest.changes)


def test_reverting_brings_back_a_deleted_choice_and_drops_an_added_one(time_machine):
    time_machine.move_to(T0, tick=False)
    question = QuestionFactory()
    before = sorted(question.choices.values_list("pk", "text"))
    time_machine.move_to(T0 + timedelta(minutes=10), tick=False)
    question.choices.get(text="Skin patch").delete()
    question.choices.create(order=9, text="Eye drops", rationale="Not named.")
    question_revert(question=question, as_of=T0 + timedelta(minutes=1))
    assert sorted(question.choices.values_list("pk", "text")) == before


def test_a_version_before_the_question_existed_cannot_be_restored(time_machine):
    time_machine.move_to(T0, tick=False)
    question = QuestionFactory()
    with pytest.raises(QuestionRevertError, match="did not exist"):
        question_revert(question=question, as_of=T0 - timedelta(days=1))


def test_a_version_that_breaks_the_rules_is_not_restored(time_machine):
    time_machine.move_to(T0, tick=False)
    question = QuestionFactory()
    question.source_quote = "A quote the section never had."
    question.save()  # save() does not validate: the bad quote is recorded
    time_machine.move_to(T0 + timedelta(minutes=5), tick=False)
    question.source_quote = (
        "Intramuscular injection is used when IV access is not feasible."
    )
    question.save()
    with pytest.raises(QuestionRevertError, match="verbatim"):
        question_revert(question=question, as_of=T0 + timedelta(minutes=1))
    question.refresh_from_db()
    assert question.source_quote.startswith("Intramuscular")
