"""The problem-report queue: filters, the question beside each report, outcomes."""

import pytest
from django.urls import reverse

from quizzes.choices import ReportCategory, ReportStatus
from quizzes.models import ProblemReport
from quizzes.services.reports import report_resolve
from tests.admin.factories import (
    T0,
    AnswerFactory,
    AttemptFactory,
    ProblemReportFactory,
)
from tests.factories import QuestionFactory, QuizFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:quizzes_problemreport_changelist")


def change_url(report):
    return reverse("admin:quizzes_problemreport_change", args=[report.pk])


def test_the_queue_shows_each_report_with_its_questions_figures_and_links(
    instructor_client,
):
    """Responses and facility of the question (2 answers, one right), and links to
    the question, its versions and its preview."""
    report = ProblemReportFactory(text="Option B is also right.")
    AnswerFactory(question=report.question, score=0)
    page = instructor_client.get(QUEUE).content.decode()
    assert "Option B is also right." in page
    assert '<td class="field-responses">2</td>' in page
    assert '<td class="field-facility">50 %</td>' in page
    for name in ["change", "versions", "preview"]:
        url = reverse(f"admin:quizzes_question_{name}", args=[report.question_id])
        assert url in page


def test_the_queue_filters_by_status_category_quiz_document_and_section(
    instructor_client,
):
    wrong = ProblemReportFactory(text="first report")
    typo = ProblemReportFactory(text="second report", category=ReportCategory.TYPO)
    report_resolve(
        report=typo, by=UserFactory(), status="dismissed", note="Fine.", now=T0
    )
    question = wrong.question
    filters = {
        "status__exact=open": wrong,
        "status__exact=dismissed": typo,
        "category__exact=typo": typo,
        f"attempt__quiz__id__exact={wrong.attempt.quiz_id}": wrong,
        f"question__section__document__id__exact={question.section.document_id}": (
            wrong
        ),
        f"section={question.section_id}": wrong,
    }
    for query, shown in filters.items():
        page = instructor_client.get(f"{QUEUE}?{query}").content.decode()
        hidden = typo if shown is wrong else wrong
        assert shown.text in page, query
        assert hidden.text not in page, query


def test_the_queue_searches_the_stem_the_text_and_the_trainee(instructor_client):
    mine = ProblemReportFactory(
        text="Dose unclear",
        answer=AnswerFactory(
            attempt=AttemptFactory(trainee=UserFactory(username="zoe")),
            question=QuestionFactory(stem="Which ketamine dose for sedation?"),
        ),
    )
    ProblemReportFactory(text="Something else entirely")
    for term in ["sedation", "unclear", "zoe"]:
        page = instructor_client.get(QUEUE, {"q": term}).content.decode()
        assert mine.text in page, term
        assert "Something else entirely" not in page, term


def test_the_change_page_shows_the_question_with_its_key(instructor_client):
    report = ProblemReportFactory()
    page = instructor_client.get(change_url(report)).content.decode()
    assert "✓ key:</strong> Intramuscular injection" in page
    assert report.question.explanation in page
    assert 'name="resolution_note"' in page


def test_an_instructor_resolves_a_report_with_a_note(instructor_client, instructor):
    report = ProblemReportFactory()
    response = instructor_client.post(
        change_url(report),
        {"status": ReportStatus.RESOLVED, "resolution_note": "Key corrected."},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.RESOLVED
    assert (report.resolved_by, report.resolution_note) == (
        instructor,
        "Key corrected.",
    )


def test_resolving_without_a_note_is_refused_on_the_page(instructor_client):
    report = ProblemReportFactory()
    response = instructor_client.post(
        change_url(report), {"status": ReportStatus.DISMISSED, "resolution_note": ""}
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN


def test_a_closed_report_can_no_longer_be_changed(instructor_client, instructor):
    """Its outcome is read-only: no form, no save button."""
    report = ProblemReportFactory()
    report_resolve(
        report=report, by=instructor, status="resolved", note="Done.", now=T0
    )
    page = instructor_client.get(change_url(report)).content.decode()
    assert 'name="resolution_note"' not in page
    assert 'name="_save"' not in page
    assert "Resolved by" in page


def test_dismissing_selected_reports_asks_for_a_note_first(
    instructor_client, instructor
):
    reports = [ProblemReportFactory(), ProblemReportFactory()]
    data = {
        "action": "dismiss_selected",
        "_selected_action": [r.pk for r in reports],
    }
    page = instructor_client.post(QUEUE, data)
    assert page.status_code == 200
    assert "2 open reports will be dismissed" in page.content.decode()
    assert not ProblemReport.objects.exclude(status=ReportStatus.OPEN).exists()

    response = instructor_client.post(
        QUEUE, {**data, "apply": "1", "note": "Checked: the key stands."}
    )
    assert response.status_code == 302
    assert set(ProblemReport.objects.values_list("status", "resolution_note")) == {
        (ReportStatus.DISMISSED, "Checked: the key stands.")
    }


def test_the_selected_reports_export_as_csv(instructor_client):
    report = ProblemReportFactory(text="=HYPERLINK(1)")
    response = instructor_client.post(
        QUEUE, {"action": "export_csv", "_selected_action": [report.pk]}
    )
    body = b"".join(response.streaming_content).decode()
    assert "reported at,trainee,quiz" in body
    assert "'=HYPERLINK(1)" in body


def test_the_question_list_counts_open_reports_and_links_to_them(instructor_client):
    """Two open and one dismissed: "2", on the list and the question's page,
    linking to the question's open reports."""
    report = ProblemReportFactory(text="first open")
    question = report.question
    quiz = QuizFactory()
    for text, closed in [("second open", False), ("closed one", True)]:
        other = ProblemReportFactory(
            text=text,
            answer=AnswerFactory(question=question, attempt=AttemptFactory(quiz=quiz)),
        )
        if closed:
            report_resolve(
                report=other, by=UserFactory(), status="dismissed", note="No.", now=T0
            )
    ProblemReportFactory(text="another question's")
    page = instructor_client.get(reverse("admin:quizzes_question_changelist"))
    link = f"{QUEUE}?question__id__exact={question.pk}&amp;status__exact=open"
    assert f'<a href="{link}">2&nbsp;open reports</a>' in page.content.decode()
    queue = instructor_client.get(link.replace("&amp;", "&")).content.decode()
    assert "first open" in queue and "second open" in queue
    assert "closed one" not in queue and "another question" not in queue
    change = reverse("admin:quizzes_question_change", args=[question.pk])
    page = instructor_client.get(change).content.decode()
    assert f'<a href="{link}">2&nbsp;open reports</a>' in page


def test_reports_are_not_added_in_the_admin(instructor_client, superuser_client):
    add = reverse("admin:quizzes_problemreport_add")
    assert instructor_client.get(add).status_code == 403
    assert superuser_client.get(add).status_code == 403


def test_a_post_on_a_closed_report_changes_nothing(instructor_client, instructor):
    """A second instructor's stale page, posted after the first closed the report:
    refused with a message, never a 500; the first outcome stands."""
    report = ProblemReportFactory()
    report_resolve(
        report=report, by=instructor, status="resolved", note="Done.", now=T0
    )
    response = instructor_client.post(
        change_url(report),
        {"status": ReportStatus.DISMISSED, "resolution_note": "No."},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "already closed" in page
    assert "changed successfully" not in page
    report.refresh_from_db()
    assert (report.status, report.resolution_note) == (ReportStatus.RESOLVED, "Done.")
