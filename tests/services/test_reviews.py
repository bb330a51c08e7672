"""Spaced review: every final answer is an FSRS review of the trainee's card.

Fixed clock (T0), fuzzing off. The intervals are the hand-computed ones of
tests/test_spaced.py (FSRS-6 default parameters, retention 0.9): a first Good is
due in round(w2 = 2.3065) = 2 days, a first Again in 1 day (w0 = 0.212, raised to
the 1-day minimum), a first Hard in 1 day (w1 = 1.2931), a first Easy in 8 days
(w3 = 8.2956); Good then Again on the due day leaves S ≈ 0.6076, due 1 day later.
"""

from datetime import UTC, datetime, timedelta

import pytest

from quizzes.choices import QuestionKind, QuestionStatus, QuizMode, ReviewState
from quizzes.models import Answer, ReviewCard
from quizzes.selectors import review_due_count, reviews_due
from quizzes.services.attempts import (
    InvalidAnswer,
    answer_confirm,
    answer_save,
    attempt_finish,
    attempt_start,
)
from quizzes.services.regrade import regrade_commit
from quizzes.services.reviews import review_record
from tests.factories import QuestionFactory, QuizFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


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


def key_of(question):
    return [c.pk for c in question.choices.all() if c.is_correct]


def wrong_of(question):
    return [c.pk for c in question.choices.all() if not c.is_correct][:1]


def sit(trainee, quiz, answers: dict, *, now=T0, finish=True):
    """Start an attempt, save ``{question: choice_ids}``, and finish it at ``now``."""
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=now).attempt
    for question, choice_ids in answers.items():
        answer_save(
            attempt=attempt,
            question_id=question.pk,
            choice_ids=choice_ids,
            flagged=None,
            now=now,
        )
    if finish:
        attempt = attempt_finish(attempt=attempt, now=now + timedelta(minutes=5))
    return attempt


def card(trainee, question) -> ReviewCard:
    return ReviewCard.objects.get(trainee=trainee, question=question)


class TestReviewRecord:
    def test_first_right_answer_creates_a_card_due_in_two_days(
        self, trainee, questions
    ):
        """A first answer creates the card and reviews it at ``now``: Good, S0 =
        2.3065, due in 2 days."""
        review_record(
            trainee=trainee,
            question_id=questions[0].pk,
            correct=True,
            confidence=None,
            now=T0,
        )
        created = card(trainee, questions[0])
        assert created.due == T0 + 2 * DAY
        assert created.stability == pytest.approx(2.3065)
        assert (created.last_review, created.reps, created.lapses) == (T0, 1, 0)
        assert created.state == ReviewState.REVIEW and created.step is None

    def test_first_wrong_answer_is_due_tomorrow_and_is_not_a_lapse(
        self, trainee, questions
    ):
        """Again on a new card: due in 1 day; nothing was forgotten yet."""
        review_record(
            trainee=trainee,
            question_id=questions[0].pk,
            correct=False,
            confidence="sure",
            now=T0,
        )
        created = card(trainee, questions[0])
        assert created.due == T0 + DAY
        assert created.stability == pytest.approx(0.212)
        assert created.lapses == 0

    def test_good_then_again_updates_the_same_card_as_a_lapse(self, trainee, questions):
        """Good at T0, Again when due (T0 + 2 days): one card, two reviews, one
        lapse, S ≈ 0.6076 and due a day after the lapse."""
        kwargs = {
            "trainee": trainee,
            "question_id": questions[0].pk,
            "confidence": None,
        }
        first = review_record(correct=True, now=T0, **kwargs)
        second = review_record(correct=False, now=T0 + 2 * DAY, **kwargs)
        lapsed = card(trainee, questions[0])
        assert first.pk == second.pk == lapsed.pk
        assert ReviewCard.objects.count() == 1
        assert (lapsed.reps, lapsed.lapses) == (2, 1)
        assert lapsed.stability == pytest.approx(0.6076, abs=1e-4)
        assert lapsed.due == T0 + 3 * DAY
        assert lapsed.last_review == T0 + 2 * DAY

    @pytest.mark.parametrize(("confidence", "days"), [("unsure", 1), ("sure", 8)])
    def test_confidence_makes_a_right_answer_hard_or_easy(
        self, trainee, questions, confidence, days
    ):
        """Unsure → Hard (S0 = 1.2931, 1 day); sure → Easy (S0 = 8.2956, 8 days)."""
        review_record(
            trainee=trainee,
            question_id=questions[0].pk,
            correct=True,
            confidence=confidence,
            now=T0,
        )
        assert card(trainee, questions[0]).due == T0 + days * DAY


class TestFinishHook:
    def test_finish_reviews_each_answered_question_once(self, trainee, questions):
        """An exam-mode finish: right → Good (2 days), wrong → Again (1 day), and the
        partly right multiple-answer question counts as wrong (1 day). Each card is
        reviewed once, at the finish."""
        quiz = QuizFactory(with_questions=questions)
        right, partial, wrong = questions
        finished = sit(
            trainee,
            quiz,
            {
                right: key_of(right),
                partial: key_of(partial)[:1],
                wrong: wrong_of(wrong),
            },
        )
        at = finished.finished_at
        assert Answer.objects.get(question=partial).score == 0.5
        assert {
            c.question_id: (c.due - at, c.reps) for c in ReviewCard.objects.all()
        } == {
            right.pk: (2 * DAY, 1),
            partial.pk: (DAY, 1),
            wrong.pk: (DAY, 1),
        }

    def test_omitted_question_is_not_a_review(self, trainee, questions):
        """A question left blank makes no card; finishing again adds no review."""
        quiz = QuizFactory(with_questions=questions)
        attempt = sit(trainee, quiz, {questions[0]: key_of(questions[0])})
        attempt_finish(attempt=attempt, now=T0 + DAY)
        assert list(ReviewCard.objects.values_list("question_id", "reps")) == [
            (questions[0].pk, 1)
        ]

    def test_second_attempt_reviews_the_existing_card(self, trainee, questions):
        """The same question answered again two days later is a second review of the
        same card (Good, Good: due 11 days after the second, per test_spaced)."""
        quiz = QuizFactory(with_questions=questions[:1], attempts_allowed=None)
        first = sit(trainee, quiz, {questions[0]: key_of(questions[0])})
        second_at = first.finished_at + 2 * DAY - timedelta(minutes=5)
        second = sit(trainee, quiz, {questions[0]: key_of(questions[0])}, now=second_at)
        reviewed = card(trainee, questions[0])
        assert reviewed.reps == 2
        assert reviewed.due == second.finished_at + 11 * DAY

    def test_other_trainees_cards_are_untouched(self, trainee, questions):
        """A finish reviews only its own trainee's cards."""
        other = UserFactory()
        review_record(
            trainee=other,
            question_id=questions[0].pk,
            correct=True,
            confidence=None,
            now=T0 - DAY,
        )
        before = card(other, questions[0])
        quiz = QuizFactory(with_questions=questions)
        sit(trainee, quiz, {questions[0]: wrong_of(questions[0])})
        after = card(other, questions[0])
        assert (after.due, after.reps, after.lapses) == (before.due, 1, 0)
        assert card(trainee, questions[0]).due == T0 + timedelta(minutes=5) + DAY

    def test_expired_attempt_is_reviewed_at_its_deadline(self, trainee, questions):
        """The clock closed it a day late: the answers were final at the deadline."""
        quiz = QuizFactory(with_questions=questions)
        attempt = sit(trainee, quiz, {questions[0]: key_of(questions[0])}, finish=False)
        attempt_finish(attempt=attempt, now=T0 + DAY)
        assert card(trainee, questions[0]).last_review == attempt.deadline

    @pytest.mark.parametrize("answered", [1, 3])
    def test_finish_costs_the_same_queries_whatever_the_number_answered(
        self, trainee, answered, django_assert_num_queries
    ):
        """Reading the cards and writing them are one query each, for 1 or 3
        answers, new cards or existing ones: savepoint, lock, answers, bulk score
        update, attempt update, cards, upsert, release."""
        section = SectionFactory()
        questions = [QuestionFactory(section=section) for _ in range(3)]
        for question in questions[:2]:
            review_record(
                trainee=trainee,
                question_id=question.pk,
                correct=True,
                confidence=None,
                now=T0 - 3 * DAY,
            )
        quiz = QuizFactory(with_questions=questions)
        attempt = sit(
            trainee,
            quiz,
            {q: key_of(q) for q in questions[-answered:]},
            finish=False,
        )
        with django_assert_num_queries(8):
            attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=1))
        assert sum(ReviewCard.objects.values_list("reps", flat=True)) == 2 + answered

    def test_regrade_does_not_review_again(self, trainee, questions):
        """A corrected key rescores the attempt but leaves the schedule as the
        trainee's answer set it: the review happened when they answered."""
        quiz = QuizFactory(with_questions=questions[:1])
        picked = wrong_of(questions[0])
        sit(trainee, quiz, {questions[0]: picked})
        before = card(trainee, questions[0])
        for choice in questions[0].choices.all():
            choice.is_correct = choice.pk in picked
            choice.save()
        result = regrade_commit(
            question=questions[0], by=UserFactory(), reason="Key", now=T0 + DAY
        )
        assert [c.new_score for c in result.changes] == [1]
        after = card(trainee, questions[0])
        assert (after.due, after.reps, after.stability) == (
            before.due,
            1,
            before.stability,
        )


class TestTutorConfirm:
    @pytest.fixture
    def tutor_quiz(self, questions):
        return QuizFactory(with_questions=questions, mode=QuizMode.TUTOR)

    def test_confirm_reviews_at_once_and_finish_does_not_repeat_it(
        self, trainee, questions, tutor_quiz
    ):
        """A confirmed answer is reviewed at the confirm (with its confidence: sure →
        Easy, 8 days); the finish reviews only the other answered questions."""
        attempt = sit(
            trainee,
            tutor_quiz,
            {questions[0]: key_of(questions[0]), questions[2]: key_of(questions[2])},
            finish=False,
        )
        confirm_at = T0 + timedelta(minutes=1)
        answer_confirm(
            attempt=attempt,
            question_id=questions[0].pk,
            now=confirm_at,
            confidence="sure",
        )
        assert card(trainee, questions[0]).due == confirm_at + 8 * DAY
        finished = attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=5))
        confirmed, other = card(trainee, questions[0]), card(trainee, questions[2])
        assert (confirmed.reps, confirmed.last_review) == (1, confirm_at)
        assert (other.reps, other.due) == (1, finished.finished_at + 2 * DAY)

    def test_confirming_twice_reviews_once(self, trainee, questions, tutor_quiz):
        """A repeated confirm (another tab) changes nothing."""
        attempt = sit(
            trainee, tutor_quiz, {questions[0]: wrong_of(questions[0])}, finish=False
        )
        for minute in (1, 2):
            answer_confirm(
                attempt=attempt,
                question_id=questions[0].pk,
                now=T0 + timedelta(minutes=minute),
            )
        confirmed = card(trainee, questions[0])
        assert (confirmed.reps, confirmed.due) == (1, T0 + timedelta(minutes=1) + DAY)

    def test_wrong_confirmed_answer_is_again_however_sure(
        self, trainee, questions, tutor_quiz
    ):
        """Sure but wrong is still Again: due in 1 day."""
        attempt = sit(
            trainee, tutor_quiz, {questions[0]: wrong_of(questions[0])}, finish=False
        )
        answer_confirm(
            attempt=attempt, question_id=questions[0].pk, now=T0, confidence="sure"
        )
        assert card(trainee, questions[0]).due == T0 + DAY

    def test_unknown_confidence_is_refused_and_nothing_is_locked(
        self, trainee, questions, tutor_quiz
    ):
        """Only "unsure", "sure" or none."""
        attempt = sit(
            trainee, tutor_quiz, {questions[0]: key_of(questions[0])}, finish=False
        )
        with pytest.raises(InvalidAnswer, match="confidence"):
            answer_confirm(
                attempt=attempt, question_id=questions[0].pk, now=T0, confidence="meh"
            )
        assert Answer.objects.get(question=questions[0]).locked_at is None
        assert not ReviewCard.objects.exists()


class TestDue:
    """What is due: the trainee-scoped reads of ``quizzes.selectors``, over cards
    written by the reviews service."""

    def test_due_cards_soonest_first_up_to_the_limit(self, trainee, questions):
        """Again (1 day), Hard (1 day, reviewed an hour later), Good (2 days): at
        T0 + 2 days all are due, the earliest due first."""
        outcomes = [(questions[0], True, None), (questions[1], False, None)]
        outcomes.append((questions[2], True, "unsure"))
        for hours, (question, correct, confidence) in enumerate(outcomes):
            review_record(
                trainee=trainee,
                question_id=question.pk,
                correct=correct,
                confidence=confidence,
                now=T0 + timedelta(hours=hours),
            )
        now = T0 + 2 * DAY
        order = [questions[1].pk, questions[2].pk, questions[0].pk]
        assert reviews_due(trainee=trainee, now=now) == order
        assert reviews_due(trainee=trainee, now=now, limit=2) == order[:2]
        assert review_due_count(trainee=trainee, now=now) == 3
        tomorrow = T0 + DAY + timedelta(hours=1)  # only the Again is due yet
        assert reviews_due(trainee=trainee, now=tomorrow) == [questions[1].pk]
        assert review_due_count(trainee=trainee, now=T0) == 0

    def test_only_published_questions_are_due(self, trainee, questions):
        """A retired or draft question is never asked again."""
        for question in questions:
            review_record(
                trainee=trainee,
                question_id=question.pk,
                correct=False,
                confidence=None,
                now=T0,
            )
        questions[0].status = QuestionStatus.RETIRED
        questions[0].save(update_fields=["status"])
        questions[1].status = QuestionStatus.DRAFT
        questions[1].save(update_fields=["status"])
        assert reviews_due(trainee=trainee, now=T0 + DAY) == [questions[2].pk]
        assert review_due_count(trainee=trainee, now=T0 + DAY) == 1

    def test_another_trainees_cards_are_not_due_for_me(self, trainee, questions):
        """Due lists are the trainee's own."""
        review_record(
            trainee=UserFactory(),
            question_id=questions[0].pk,
            correct=False,
            confidence=None,
            now=T0,
        )
        assert reviews_due(trainee=trainee, now=T0 + DAY) == []
        assert review_due_count(trainee=trainee, now=T0 + DAY) == 0
