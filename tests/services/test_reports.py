"""Problem reports: who may report which question and when, and how one is closed."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError

from quizzes.choices import QuizMode, ReportCategory, ReportStatus, ReviewFrom
from quizzes.models import ProblemReport
from quizzes.selectors import problem_reports_for_attempt
from quizzes.services.attempts import (
    answer_confirm,
    answer_save,
    attempt_finish,
    attempt_start,
)
from quizzes.services.reports import ReportError, report_create, report_resolve
from tests.admin.factories import InstructorFactory, ProblemReportFactory
from tests.factories import QuestionFactory, QuizFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(minutes=5)


@pytest.fixture
def trainee():
    return UserFactory()


@pytest.fixture
def questions():
    return [QuestionFactory(), QuestionFactory()]


def finished_attempt(trainee, questions, **quiz_fields):
    quiz = QuizFactory(with_questions=questions, **quiz_fields)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=T0).attempt
    return attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=2))


def report(trainee, attempt, question, **fields):
    return report_create(
        trainee=trainee,
        attempt=attempt,
        question_id=question.pk,
        category=fields.get("category", ReportCategory.WRONG_KEY),
        text=fields.get("text", "The key contradicts the section."),
        now=fields.get("now", LATER),
    )


class TestCreate:
    def test_a_trainee_reports_a_question_of_their_reviewed_attempt(
        self, trainee, questions
    ):
        """The report records the trainee, question, attempt, answer and the text,
        open, at the time given."""
        attempt = finished_attempt(trainee, questions)
        created = report(trainee, attempt, questions[1], text="  Two keys?  ")
        assert created.trainee == trainee
        assert created.question == questions[1]
        assert created.answer == attempt.answers.get(question=questions[1])
        assert (created.status, created.text) == (ReportStatus.OPEN, "Two keys?")
        assert created.created_at == LATER

    def test_a_report_on_another_trainees_attempt_is_refused(self, trainee, questions):
        attempt = finished_attempt(UserFactory(), questions)
        with pytest.raises(ReportError, match="your own attempts"):
            report(trainee, attempt, questions[0])
        assert not ProblemReport.objects.exists()

    def test_a_question_not_in_the_attempt_is_refused(self, trainee, questions):
        attempt = finished_attempt(trainee, questions)
        with pytest.raises(ReportError, match="not part of this attempt"):
            report(trainee, attempt, QuestionFactory())

    def test_a_report_before_the_key_is_shown_is_refused(self, trainee, questions):
        """An attempt in progress (exam mode) shows no key: no report yet."""
        quiz = QuizFactory(with_questions=questions)
        attempt = attempt_start(trainee=trainee, quiz=quiz, now=T0).attempt
        with pytest.raises(ReportError, match="once its answer is shown"):
            report(trainee, attempt, questions[0], now=T0 + timedelta(minutes=1))

    def test_a_report_while_review_waits_for_the_close_is_refused(
        self, trainee, questions
    ):
        """A finished attempt whose review opens after the close shows no key."""
        attempt = finished_attempt(
            trainee,
            questions,
            review_from=ReviewFrom.AFTER_CLOSE,
            closes_at=T0 + timedelta(days=1),
        )
        with pytest.raises(ReportError, match="once its answer is shown"):
            report(trainee, attempt, questions[0])
        assert report(trainee, attempt, questions[0], now=T0 + timedelta(days=2))

    def test_a_confirmed_tutor_answer_may_be_reported_an_unconfirmed_one_not(
        self, trainee, questions
    ):
        quiz = QuizFactory(with_questions=questions, mode=QuizMode.TUTOR)
        attempt = attempt_start(trainee=trainee, quiz=quiz, now=T0).attempt
        for answer in attempt.answers.all():
            answer_save(
                attempt=attempt,
                question_id=answer.question_id,
                choice_ids=answer.choice_order[:1],
                flagged=False,
                now=T0,
            )
        answer_confirm(attempt=attempt, question_id=questions[0].pk, now=T0)
        assert report(trainee, attempt, questions[0], now=T0 + timedelta(minutes=1))
        with pytest.raises(ReportError, match="once its answer is shown"):
            report(trainee, attempt, questions[1], now=T0 + timedelta(minutes=1))

    def test_a_question_is_reported_once_per_attempt(self, trainee, questions):
        """A second report of the same question on the same attempt is refused;
        the same question on another attempt may be reported again."""
        attempt = finished_attempt(trainee, questions)
        report(trainee, attempt, questions[0])
        with pytest.raises(ReportError, match="already reported"):
            report(trainee, attempt, questions[0], category=ReportCategory.TYPO)
        again = finished_attempt(trainee, questions)
        assert report(trainee, again, questions[0])
        assert ProblemReport.objects.count() == 2

    @pytest.mark.parametrize(
        ("category", "text", "message"),
        [
            ("rude", "Something.", "what kind of problem"),
            (ReportCategory.TYPO, "   ", "what the problem is"),
            (ReportCategory.TYPO, "x" * 2001, "under 2000 characters"),
        ],
    )
    def test_a_bad_category_or_text_is_refused(
        self, trainee, questions, category, text, message
    ):
        attempt = finished_attempt(trainee, questions)
        with pytest.raises(ReportError, match=message):
            report(trainee, attempt, questions[0], category=category, text=text)


class TestResolve:
    @pytest.mark.parametrize("status", [ReportStatus.RESOLVED, ReportStatus.DISMISSED])
    def test_an_instructor_closes_a_report_with_a_note(self, status):
        """The outcome records who, when and the note the trainee will read."""
        instructor = InstructorFactory()
        open_report = ProblemReportFactory()
        closed = report_resolve(
            report=open_report, by=instructor, status=status, note=" Fixed. ", now=T0
        )
        assert (closed.status, closed.resolution_note) == (status, "Fixed.")
        assert (closed.resolved_by, closed.resolved_at) == (instructor, T0)

    def test_resolving_without_a_note_is_refused(self):
        open_report = ProblemReportFactory()
        with pytest.raises(ReportError, match="Write a note"):
            report_resolve(
                report=open_report,
                by=InstructorFactory(),
                status=ReportStatus.RESOLVED,
                note="  ",
                now=T0,
            )
        open_report.refresh_from_db()
        assert open_report.status == ReportStatus.OPEN

    def test_reopening_is_not_an_outcome(self):
        with pytest.raises(ReportError, match="resolved"):
            report_resolve(
                report=ProblemReportFactory(),
                by=InstructorFactory(),
                status=ReportStatus.OPEN,
                note="Back to open.",
                now=T0,
            )

    def test_a_report_already_closed_is_not_closed_again(self):
        """The second of two instructors is refused; the first note stands."""
        first, second = InstructorFactory(), InstructorFactory()
        open_report = ProblemReportFactory()
        stale = ProblemReport.objects.get(pk=open_report.pk)
        report_resolve(
            report=open_report, by=first, status="resolved", note="Fixed.", now=T0
        )
        with pytest.raises(ReportError, match="already closed"):
            report_resolve(
                report=stale, by=second, status="dismissed", note="No.", now=LATER
            )
        stale.refresh_from_db()
        assert (stale.resolved_by, stale.resolution_note) == (first, "Fixed.")

    def test_the_database_refuses_an_outcome_without_a_note(self):
        """The invariant holds even past the service (a raw update)."""
        open_report = ProblemReportFactory()
        with pytest.raises(IntegrityError):
            ProblemReport.objects.filter(pk=open_report.pk).update(
                status=ReportStatus.DISMISSED, resolved_at=T0
            )


class TestVisibility:
    def test_a_trainee_sees_only_their_own_reports_of_an_attempt(
        self, trainee, questions
    ):
        """The selector is scoped by trainee: another trainee's id finds nothing."""
        attempt = finished_attempt(trainee, questions)
        mine = report(trainee, attempt, questions[0])
        assert problem_reports_for_attempt(trainee=trainee, attempt=attempt) == {
            questions[0].pk: mine
        }
        assert problem_reports_for_attempt(trainee=UserFactory(), attempt=attempt) == {}
