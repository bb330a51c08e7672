"""An attempt's life on the server's clock: start, save, confirm, finish, expire."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quizzes.choices import AttemptState, GradingMethod, QuestionKind, QuizMode
from quizzes.models import Answer, Attempt, QuizDraw
from quizzes.selectors import quiz_standings
from quizzes.services.attempts import (
    GRACE,
    AnswerLocked,
    AttemptClosed,
    InvalidAnswer,
    QuestionNotInAttempt,
    QuizUnavailable,
    answer_confirm,
    answer_save,
    attempt_finish,
    attempt_start,
)
from tests.factories import (
    AccommodationFactory,
    QuestionFactory,
    QuizFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def trainee():
    return UserFactory()


@pytest.fixture
def questions():
    section = SectionFactory()
    return [
        QuestionFactory(section=section),
        QuestionFactory(section=section, kind=QuestionKind.MULTIPLE),
        QuestionFactory(section=section, kind=QuestionKind.TRUE_FALSE),
    ]


@pytest.fixture
def quiz(questions):
    return QuizFactory(with_questions=questions)


def save(attempt, question_id, choice_ids, *, flagged=None, now=T0):
    """Autosave one answer (the service, with the test's defaults)."""
    return answer_save(
        attempt=attempt,
        question_id=question_id,
        choice_ids=choice_ids,
        flagged=flagged,
        now=now,
    )


def key_of(question):
    return [c.pk for c in question.choices.all() if c.is_correct]


def wrong_of(question):
    return [c.pk for c in question.choices.all() if not c.is_correct]


def start(trainee, quiz, now=T0):
    return attempt_start(trainee=trainee, quiz=quiz, now=now).attempt


class TestStart:
    def test_start_freezes_questions_and_reload_returns_the_same_attempt(
        self, trainee, quiz, questions
    ):
        first = attempt_start(trainee=trainee, quiz=quiz, now=T0)
        again = attempt_start(trainee=trainee, quiz=quiz, now=T0 + timedelta(minutes=1))
        assert first.created and not again.created
        assert again.attempt.pk == first.attempt.pk
        answers = list(first.attempt.answers.order_by("position"))
        assert [a.question_id for a in answers] == [q.pk for q in questions]
        assert answers[0].choice_order == [c.pk for c in questions[0].choices.all()]

    def test_shuffled_order_is_frozen_at_start(self, trainee, questions):
        quiz = QuizFactory(
            with_questions=questions, shuffle_questions=True, shuffle_choices=True
        )
        attempt = start(trainee, quiz)
        frozen = list(attempt.answers.values_list("question_id", "choice_order"))
        attempt_start(trainee=trainee, quiz=quiz, now=T0 + timedelta(seconds=5))
        assert (
            list(attempt.answers.values_list("question_id", "choice_order")) == frozen
        )

    def test_deadline_is_start_plus_time_limit(self, trainee, quiz):
        assert start(trainee, quiz).deadline == T0 + timedelta(minutes=10)

    def test_accommodation_factor_extends_the_deadline(self, trainee, quiz):
        AccommodationFactory(trainee=trainee, time_factor=Decimal("1.5"))
        assert start(trainee, quiz).deadline == T0 + timedelta(minutes=15)

    def test_quiz_specific_accommodation_wins_over_the_general_one(self, trainee, quiz):
        AccommodationFactory(trainee=trainee, time_factor=Decimal("1.5"))
        AccommodationFactory(
            trainee=trainee, quiz=quiz, time_factor=Decimal("1"), extra_minutes=2
        )
        assert start(trainee, quiz).deadline == T0 + timedelta(minutes=12)
        assert start(UserFactory(), quiz).deadline == T0 + timedelta(minutes=10)

    def test_deadline_never_passes_the_quiz_close(self, trainee, quiz):
        quiz.closes_at = T0 + timedelta(minutes=4)
        quiz.save()
        assert start(trainee, quiz).deadline == T0 + timedelta(minutes=4)

    def test_a_quiz_not_yet_open_or_closed_cannot_be_started(self, trainee, quiz):
        quiz.opens_at = T0 + timedelta(hours=1)
        quiz.save()
        with pytest.raises(QuizUnavailable, match="opens at"):
            start(trainee, quiz)
        quiz.opens_at, quiz.closes_at = T0 - timedelta(hours=2), T0 - timedelta(hours=1)
        quiz.save()
        with pytest.raises(QuizUnavailable, match="closed"):
            start(trainee, quiz)
        assert not Attempt.objects.exists()

    def test_attempts_allowed_is_a_hard_limit(self, trainee, quiz):
        quiz.attempts_allowed = 2
        quiz.save()
        for minute in (0, 20):
            attempt = start(trainee, quiz, now=T0 + timedelta(minutes=minute))
            attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=minute + 1))
        with pytest.raises(QuizUnavailable, match="used all 2"):
            start(trainee, quiz, now=T0 + timedelta(minutes=40))
        assert Attempt.objects.count() == 2

    def test_draws_take_published_questions_of_the_section_and_its_subsections(
        self, trainee
    ):
        article = SectionFactory(order=0)
        sub = SectionFactory(
            document=article.document, parent=article, level=2, order=1
        )
        other = SectionFactory(document=article.document, order=2)
        pool = [QuestionFactory(section=article), QuestionFactory(section=sub)]
        QuestionFactory(section=article, status="draft")
        QuestionFactory(section=other)
        quiz = QuizFactory()
        QuizDraw.objects.create(quiz=quiz, section=article, count=5)
        attempt = start(trainee, quiz)
        drawn = set(attempt.answers.values_list("question_id", flat=True))
        assert drawn == {q.pk for q in pool}

    def test_an_expired_attempt_in_progress_is_closed_before_a_new_one_starts(
        self, trainee, quiz
    ):
        first = start(trainee, quiz)
        second = start(trainee, quiz, now=T0 + timedelta(minutes=30))
        first.refresh_from_db()
        assert first.state == AttemptState.EXPIRED
        assert second.pk != first.pk and second.number == 2


class TestSave:
    def test_saved_answer_is_kept_with_its_flag_and_time(
        self, trainee, quiz, questions
    ):
        attempt = start(trainee, quiz)
        now = T0 + timedelta(minutes=1)
        save(attempt, questions[0].pk, key_of(questions[0]), flagged=True, now=now)
        answer = Answer.objects.get(attempt=attempt, question=questions[0])
        assert (answer.choice_ids, answer.flagged, answer.saved_at) == (
            key_of(questions[0]),
            True,
            now,
        )

    def test_answer_within_the_grace_after_the_deadline_is_accepted(
        self, trainee, quiz, questions
    ):
        attempt = start(trainee, quiz)
        save(
            attempt, questions[0].pk, key_of(questions[0]), now=attempt.deadline + GRACE
        )
        assert Answer.objects.get(attempt=attempt, question=questions[0]).choice_ids

    def test_late_answer_is_refused_and_the_attempt_is_scored_with_what_was_saved(
        self, trainee, quiz, questions
    ):
        attempt = start(trainee, quiz)
        save(
            attempt,
            questions[0].pk,
            key_of(questions[0]),
            now=T0 + timedelta(minutes=5),
        )
        late = attempt.deadline + GRACE + timedelta(seconds=1)
        with pytest.raises(AttemptClosed, match="Time is up"):
            save(attempt, questions[2].pk, key_of(questions[2]), now=late)
        attempt.refresh_from_db()
        assert attempt.state == AttemptState.EXPIRED
        assert attempt.finished_at == attempt.deadline
        assert (attempt.score, attempt.max_score) == (Decimal(1), 3)
        assert (
            Answer.objects.get(attempt=attempt, question=questions[2]).choice_ids == []
        )

    def test_a_save_is_one_statement(self, trainee, quiz, questions):
        """A save that every rule allows is one conditional UPDATE of the answer,
        which returns it: no read of the attempt, no transaction. The choices are
        stored de-duplicated in display order, the strike-outs too."""
        attempt = start(trainee, quiz)
        answer = Answer.objects.get(attempt=attempt, question=questions[1])
        order = list(reversed(answer.choice_order))
        later = T0 + timedelta(minutes=1)
        with CaptureQueriesContext(connection) as ctx:
            saved = answer_save(
                attempt=attempt,
                question_id=questions[1].pk,
                choice_ids=[order[0], order[1], order[0]],
                flagged=True,
                now=later,
                seq=3,
                struck=[order[2]],
            )
        (statement,) = [q["sql"] for q in ctx.captured_queries]
        # On PostgreSQL it opens with the CTE that reads the attempt FOR SHARE.
        assert "UPDATE quizzes_answer AS a SET" in statement
        assert "RETURNING" in statement
        shown = answer.choice_order
        expected = [c for c in shown if c in order[:2]]
        assert saved.applied and saved.answer.seq == 3
        assert saved.answer.choice_ids == expected
        assert saved.seconds_left == attempt.seconds_left(later)
        answer.refresh_from_db()
        assert (answer.choice_ids, answer.struck, answer.flagged, answer.seq) == (
            expected,
            [order[2]],
            True,
            3,
        )
        assert answer.saved_at == later

    def test_choice_of_another_question_is_invalid(self, trainee, quiz, questions):
        attempt = start(trainee, quiz)
        with pytest.raises(InvalidAnswer, match="not an option"):
            save(attempt, questions[0].pk, key_of(questions[1])[:1])

    def test_single_question_takes_one_choice(self, trainee, quiz, questions):
        attempt = start(trainee, quiz)
        two = [c.pk for c in questions[0].choices.all()][:2]
        with pytest.raises(InvalidAnswer, match="takes one answer; 2 were sent"):
            save(attempt, questions[0].pk, two)

    def test_question_outside_the_attempt_is_not_found(self, trainee, quiz):
        attempt = start(trainee, quiz)
        stranger = QuestionFactory()
        with pytest.raises(QuestionNotInAttempt):
            save(attempt, stranger.pk, [])

    def test_finished_attempt_takes_no_more_answers(self, trainee, quiz, questions):
        attempt = start(trainee, quiz)
        attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=1))
        with pytest.raises(AttemptClosed, match="finished"):
            save(attempt, questions[0].pk, [], now=T0 + timedelta(minutes=2))


class TestFinish:
    def test_finish_scores_each_kind_and_stores_the_result(
        self, trainee, quiz, questions
    ):
        attempt = start(trainee, quiz)
        single, multiple, _ = questions
        save(attempt, single.pk, key_of(single))
        answer_save(  # one of two correct, one wrong: (1 - 1) / 2 = 0
            attempt=attempt,
            question_id=multiple.pk,
            choice_ids=key_of(multiple)[:1] + wrong_of(multiple)[:1],
            flagged=None,
            now=T0,
        )
        finished = attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=3))
        assert finished.state == AttemptState.FINISHED
        assert finished.finished_at == T0 + timedelta(minutes=3)
        assert (finished.score, finished.max_score) == (Decimal(1), 3)
        assert finished.percent == 33.3

    def test_second_finish_returns_the_same_result(self, trainee, quiz):
        attempt = start(trainee, quiz)
        first = attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=1))
        second = attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=2))
        assert (second.state, second.finished_at, second.score) == (
            first.state,
            first.finished_at,
            first.score,
        )

    def test_editing_a_question_later_never_changes_a_stored_score(
        self, trainee, quiz, questions
    ):
        attempt = start(trainee, quiz)
        save(attempt, questions[0].pk, key_of(questions[0]))
        attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=1))
        questions[0].choices.update(is_correct=False)
        attempt.refresh_from_db()
        assert attempt.score == Decimal(1)
        assert Answer.objects.get(attempt=attempt, question=questions[0]).score == 1

    def test_idle_attempt_is_closed_by_the_command_at_its_deadline(
        self, trainee, quiz, time_machine
    ):
        attempt = start(trainee, quiz)
        time_machine.move_to(T0 + timedelta(minutes=9))
        call_command("close_expired_attempts")
        attempt.refresh_from_db()
        assert attempt.state == AttemptState.IN_PROGRESS
        time_machine.move_to(T0 + timedelta(minutes=11))
        call_command("close_expired_attempts")
        attempt.refresh_from_db()
        assert attempt.state == AttemptState.EXPIRED
        assert attempt.finished_at == T0 + timedelta(minutes=10)


class TestTutorMode:
    def test_confirmed_answer_is_locked(self, trainee, questions):
        quiz = QuizFactory(with_questions=questions, mode=QuizMode.TUTOR)
        attempt = start(trainee, quiz)
        save(attempt, questions[0].pk, wrong_of(questions[0])[:1])
        answer = answer_confirm(attempt=attempt, question_id=questions[0].pk, now=T0)
        assert answer.locked_at == T0
        with pytest.raises(AnswerLocked):
            save(attempt, questions[0].pk, key_of(questions[0]))

    def test_an_empty_answer_cannot_be_confirmed(self, trainee, questions):
        quiz = QuizFactory(with_questions=questions, mode=QuizMode.TUTOR)
        attempt = start(trainee, quiz)
        with pytest.raises(InvalidAnswer, match="Choose an answer"):
            answer_confirm(attempt=attempt, question_id=questions[0].pk, now=T0)


class TestGrade:
    @pytest.mark.parametrize(
        ("method", "expected"),
        [
            (GradingMethod.HIGHEST, 100.0),
            (GradingMethod.LATEST, 0.0),
            (GradingMethod.FIRST, 100.0),
            (GradingMethod.AVERAGE, 50.0),
        ],
    )
    def test_quiz_grade_and_pass_follow_the_grading_method(
        self, trainee, method, expected
    ):
        question = QuestionFactory()
        quiz = QuizFactory(
            with_questions=[question], grading_method=method, pass_mark=60
        )
        for minute, choice in ((0, key_of(question)), (20, wrong_of(question)[:1])):
            attempt = start(trainee, quiz, now=T0 + timedelta(minutes=minute))
            save(attempt, question.pk, choice, now=T0 + timedelta(minutes=minute))
            attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=minute + 1))
        (standing,) = quiz_standings(trainee=trainee, now=T0 + timedelta(hours=1))
        assert standing.grade == expected
        assert standing.passed is (expected >= 60)
        assert standing.attempts_used == 2
