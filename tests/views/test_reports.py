"""Reporting a problem with a question from the review and from tutor feedback."""

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.choices import QuizMode, ReportCategory, ReportStatus
from quizzes.models import ProblemReport
from quizzes.services.attempts import (
    answer_confirm,
    answer_save,
    attempt_finish,
    attempt_start,
)
from quizzes.services.reports import report_create, report_resolve
from tests.admin.factories import InstructorFactory
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db

FORM_TITLE = "Report a problem with this question"


def _answered(trainee, count=2, **quiz_fields):
    quiz = quiz_with_questions(count, **quiz_fields)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    for answer in attempt.answers.all():
        answer_save(
            attempt=attempt,
            question_id=answer.question_id,
            choice_ids=answer.choice_order[:1],
            flagged=False,
            now=timezone.now(),
        )
    return attempt


def _finished(trainee, count=2, **quiz_fields):
    attempt = _answered(trainee, count, **quiz_fields)
    return attempt_finish(attempt=attempt, now=timezone.now())


def report_url(attempt, question_id):
    return reverse("question_report", args=[attempt.pk, question_id])


def test_the_review_offers_a_report_form_under_each_question(client_of, trainee, clock):
    """One form per question, each posting to its own question's URL."""
    attempt = _finished(trainee, 3)
    page = client_of(trainee).get(reverse("attempt_review", args=[attempt.pk]))
    html = page.content.decode()
    assert html.count(FORM_TITLE) == 3
    for answer in attempt.answers.all():
        assert report_url(attempt, answer.question_id) in html


def test_an_exam_in_progress_offers_no_report_form(client_of, trainee, clock):
    """No key on the page, so no report: it would hint at the key."""
    attempt = _answered(trainee)
    page = client_of(trainee).get(f"{attempt.get_absolute_url()}?q=1")
    assert FORM_TITLE not in page.content.decode()


def test_tutor_feedback_offers_the_form_only_once_the_answer_is_confirmed(
    client_of, trainee, clock
):
    attempt = _answered(trainee, mode=QuizMode.TUTOR)
    client = client_of(trainee)
    first = attempt.answers.get(position=1)
    assert (
        FORM_TITLE
        not in client.get(f"{attempt.get_absolute_url()}?q=1").content.decode()
    )
    answer_confirm(attempt=attempt, question_id=first.question_id, now=timezone.now())
    html = client.get(f"{attempt.get_absolute_url()}?q=1").content.decode()
    assert FORM_TITLE in html
    assert report_url(attempt, first.question_id) in html


def test_posting_a_report_creates_it_and_returns_to_the_review(
    client_of, trainee, clock
):
    attempt = _finished(trainee)
    question_id = attempt.answers.get(position=2).question_id
    response = client_of(trainee).post(
        report_url(attempt, question_id),
        {"category": ReportCategory.UNCLEAR, "text": "Which dose is meant?"},
        follow=True,
    )
    report = ProblemReport.objects.get()
    assert (report.question_id, report.category) == (question_id, "unclear")
    assert response.redirect_chain[-1][0] == (
        f"{reverse('attempt_review', args=[attempt.pk])}#report-q{question_id}"
    )
    html = response.content.decode()
    assert "your report on question 2 is sent" in html
    assert "Which dose is meant?" in html
    assert html.count(FORM_TITLE) == 1  # the other question's form only


def test_a_tutor_report_returns_to_the_question(client_of, trainee, clock):
    attempt = _answered(trainee, mode=QuizMode.TUTOR)
    first = attempt.answers.get(position=1)
    answer_confirm(attempt=attempt, question_id=first.question_id, now=timezone.now())
    response = client_of(trainee).post(
        report_url(attempt, first.question_id),
        {"category": ReportCategory.TYPO, "text": "“intramusclar”"},
    )
    assert response["Location"] == (
        f"{attempt.get_absolute_url()}?q=1#report-q{first.question_id}"
    )
    assert ProblemReport.objects.filter(attempt=attempt).count() == 1


def test_a_report_before_the_key_is_shown_is_refused_with_the_reason(
    client_of, trainee, clock
):
    """The service refuses, whatever is posted; the trainee reads why."""
    attempt = _answered(trainee)
    question_id = attempt.answers.get(position=1).question_id
    response = client_of(trainee).post(
        report_url(attempt, question_id),
        {"category": ReportCategory.WRONG_KEY, "text": "B?"},
        follow=True,
    )
    assert not ProblemReport.objects.exists()
    assert "Your report was not sent" in response.content.decode()


def test_an_empty_report_is_refused_with_the_reason(client_of, trainee, clock):
    attempt = _finished(trainee)
    question_id = attempt.answers.get(position=1).question_id
    response = client_of(trainee).post(
        report_url(attempt, question_id), {"category": "typo", "text": " "}, follow=True
    )
    assert not ProblemReport.objects.exists()
    assert "Say what the problem is." in response.content.decode()


def test_another_trainees_attempt_is_not_found(
    client_of, trainee, other_trainee, clock
):
    attempt = _finished(other_trainee)
    question_id = attempt.answers.get(position=1).question_id
    response = client_of(trainee).post(
        report_url(attempt, question_id), {"category": "typo", "text": "x"}
    )
    assert response.status_code == 404
    assert not ProblemReport.objects.exists()


def test_a_question_not_in_the_attempt_is_not_found(client_of, trainee, clock):
    attempt = _finished(trainee)
    other = _finished(trainee).answers.get(position=1).question_id
    response = client_of(trainee).post(
        report_url(attempt, other), {"category": "typo", "text": "x"}
    )
    assert response.status_code == 404


def test_a_report_is_a_post(client_of, trainee, clock):
    attempt = _finished(trainee)
    question_id = attempt.answers.get(position=1).question_id
    assert client_of(trainee).get(report_url(attempt, question_id)).status_code == 405


def test_the_outcome_and_the_instructors_note_show_on_the_review(
    client_of, trainee, other_trainee, clock
):
    """The trainee sees their report's outcome; never another trainee's report."""
    attempt = _finished(trainee)
    question_id = attempt.answers.get(position=1).question_id
    report = report_create(
        trainee=trainee,
        attempt=attempt,
        question_id=question_id,
        category=ReportCategory.WRONG_KEY,
        text="Mine.",
        now=timezone.now(),
    )
    report_resolve(
        report=report,
        by=InstructorFactory(),
        status=ReportStatus.RESOLVED,
        note="The key is corrected; your attempt is regraded.",
        now=timezone.now(),
    )
    html = client_of(trainee).get(reverse("attempt_review", args=[attempt.pk]))
    html = html.content.decode()
    assert "Status: <strong>Resolved</strong>" in html
    assert "The key is corrected; your attempt is regraded." in html

    theirs = _finished(other_trainee)
    page = client_of(other_trainee).get(reverse("attempt_review", args=[theirs.pk]))
    assert "Mine." not in page.content.decode()
    assert "The key is corrected" not in page.content.decode()
