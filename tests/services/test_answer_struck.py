"""Strike-out: options the trainee struck out are kept with the answer, checked
against the question's options, and never scored."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from quizzes.models import Answer
from quizzes.services.attempts import (
    AnswerLocked,
    InvalidAnswer,
    answer_confirm,
    answer_save,
    attempt_finish,
    attempt_start,
)
from tests.factories import QuizFactory, UserFactory
from tests.services.two_questions import T0, attempt_at, two_questions

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions():
    return two_questions()


@pytest.fixture
def attempt(questions):
    return attempt_at(questions)


def save(attempt, question, choice_ids, *, struck=None, seq=None, now=T0):
    return answer_save(
        attempt=attempt,
        question_id=question.pk,
        choice_ids=choice_ids,
        flagged=None,
        now=now,
        seq=seq,
        struck=struck,
    )


def ids(question, *, correct):
    return [c.pk for c in question.choices.all() if c.is_correct == correct]


def answer_of(attempt, question):
    return Answer.objects.get(attempt=attempt, question=question)


def test_struck_options_are_kept_in_display_order_without_duplicates(
    attempt, questions
):
    """The struck ids are stored once each, in the order the options are shown."""
    question = questions[1]
    order = answer_of(attempt, question).choice_order
    save(attempt, question, [], struck=[order[2], order[0], order[2]])
    assert answer_of(attempt, question).struck == [order[0], order[2]]


def test_a_save_without_struck_leaves_the_strike_outs_as_they_are(attempt, questions):
    """The no-JS form and older pages send no ``struck``: nothing is lost."""
    wrong = ids(questions[0], correct=False)[:1]
    save(attempt, questions[0], [], struck=wrong)
    save(attempt, questions[0], ids(questions[0], correct=True))
    assert answer_of(attempt, questions[0]).struck == wrong


def test_a_struck_option_can_still_be_chosen(attempt, questions):
    """Striking out is a note to oneself, not a lock: the option stays choosable."""
    key = ids(questions[0], correct=True)
    save(attempt, questions[0], key, struck=key)
    answer = answer_of(attempt, questions[0])
    assert (answer.choice_ids, answer.struck) == (key, key)


def test_striking_an_option_of_another_question_is_invalid(attempt, questions):
    """An id that is not an option of this question is refused, saying which."""
    stranger = ids(questions[1], correct=False)[0]
    with pytest.raises(InvalidAnswer, match=f"struck: choice {stranger} is not an"):
        save(attempt, questions[0], [], struck=[stranger])
    assert answer_of(attempt, questions[0]).struck == []


def test_an_older_replayed_strike_out_does_not_overwrite_a_newer_one(
    attempt, questions
):
    """Strike-outs follow the seq rules of the answer they travel with."""
    wrong = ids(questions[0], correct=False)
    save(attempt, questions[0], [], struck=wrong[:2], seq=5)
    saved = save(attempt, questions[0], [], struck=wrong[:1], seq=4)
    assert not saved.applied
    assert answer_of(attempt, questions[0]).struck == wrong[:2]


def test_a_confirmed_answer_keeps_its_strike_outs(questions):
    """Tutor mode: once confirmed, strike-outs change no more than the choice."""
    quiz = QuizFactory(with_questions=questions, mode="tutor")
    attempt = attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
    save(attempt, questions[0], ids(questions[0], correct=True))
    answer_confirm(attempt=attempt, question_id=questions[0].pk, now=T0)
    with pytest.raises(AnswerLocked):
        save(attempt, questions[0], ids(questions[0], correct=True), struck=[])


def test_striking_out_the_key_changes_neither_score_nor_percent(questions):
    """Two attempts with the same choices, one with every option (the keys too)
    struck out, score the same."""
    quiz = QuizFactory(with_questions=questions)
    plain = attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
    struck = attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
    for question in questions:
        key = ids(question, correct=True)
        save(plain, question, key)
        save(struck, question, key, struck=answer_of(struck, question).choice_order)
    done = T0 + timedelta(minutes=1)
    plain = attempt_finish(attempt=plain, now=done)
    struck = attempt_finish(attempt=struck, now=done)
    assert (struck.score, struck.percent) == (plain.score, plain.percent) == (2, 100)


def test_the_model_refuses_struck_ids_that_are_not_options(attempt, questions):
    """``Answer.clean``: struck ids must come from the question's options."""
    answer = answer_of(attempt, questions[0])
    answer.struck = [ids(questions[1], correct=True)[0]]
    with pytest.raises(ValidationError, match="not options of question"):
        answer.clean()
