"""CSV exports of progress and attempts, for spreadsheets."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.exports import csv_cell
from quizzes.services.attempts import attempt_start
from tests.admin.factories import PreparedAttemptFactory
from tests.factories import QuestionFactory, QuizFactory, UserFactory
from tests.progress.cohort import t3_time_ran_out

pytestmark = pytest.mark.django_db


def export(client, kind, query=""):
    response = client.get(reverse("admin:quizzes_trainee_export", args=[kind]) + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="{kind}') or (
        disposition.startswith(f'attachment; filename="progress-{kind}')
    )
    assert disposition.endswith('.csv"')
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # so that Excel reads UTF-8
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def test_the_sections_export_has_one_line_per_trainee_and_section(
    instructor_client, cohort
):
    rows = export(instructor_client, "sections")
    assert rows[0] == [
        "username",
        "name",
        "document",
        "section",
        "answers",
        "score",
        "mastery (%)",
    ]
    assert rows[1:] == [
        ["t1", "Tess One", "Handbook", "Section A", "5", "4.0", "80.0"],
        ["t1", "Tess One", "Handbook", "Section B", "5", "3.5", "70.0"],
        ["t2", "Tom Two", "Handbook", "Section A", "4", "2.0", "50.0"],
        ["t2", "Tom Two", "Handbook", "Section B", "4", "2.0", "50.0"],
    ]


def test_the_quizzes_export_has_the_grade_and_pass_per_trainee_and_quiz(
    instructor_client, cohort
):
    rows = export(instructor_client, "quizzes")
    assert rows[0][:9] == [
        "username",
        "name",
        "quiz",
        "grading method",
        "attempts used",
        "attempts finished",
        "grade (%)",
        "pass mark (%)",
        "passed",
    ]
    by_key = {(r[0], r[2]): r for r in rows[1:]}
    assert by_key["t1", "Quiz X"][4:] == [
        "2",
        "2",
        "100.0",
        "50",
        "yes",
        "13.0",
        "2026-03-03 09:08:00",
    ]
    assert by_key["t2", "Quiz Y"][6:9] == ["50.0", "60", "no"]
    assert by_key["t3", "Quiz X"][6:9] == ["", "50", ""]


def test_the_attempts_export_follows_the_cohort_filters(instructor_client, cohort):
    rows = export(instructor_client, "attempts", f"?quiz={cohort.y.pk}")
    assert len(rows) == 1 + 3
    assert {r[3] for r in rows[1:]} == {"Quiz Y"}


def test_a_prepared_attempt_is_not_exported(instructor_client, cohort):
    """Prepared ahead of an exam, not started: not an attempt yet."""
    PreparedAttemptFactory(trainee=cohort.t1, quiz=cohort.y, number=9)
    rows = export(instructor_client, "attempts", f"?quiz={cohort.y.pk}")
    assert len(rows) == 1 + 3


def test_the_quizzes_export_grades_an_attempt_whose_time_ran_out(
    instructor_client, cohort
):
    """Nothing has closed t3's sitting: the export closes it first (close on read),
    so it counts as finished and graded."""
    t3_time_ran_out(cohort)
    quizzes = {(r[0], r[2]): r for r in export(instructor_client, "quizzes")[1:]}
    assert quizzes["t3", "Quiz X"][5:9] == ["1", "25.0", "50", "no"]


def test_the_attempts_export_closes_an_attempt_whose_time_ran_out(
    instructor_client, cohort
):
    t3_time_ran_out(cohort)
    attempts = export(instructor_client, "attempts", f"?quiz={cohort.x.pk}")
    t3 = next(r for r in attempts[1:] if r[1] == "t3")
    assert (t3[5], t3[10], t3[11]) == ("Closed by the clock", "1.0000", "4")


def test_the_sections_export_counts_an_attempt_whose_time_ran_out(
    instructor_client, cohort
):
    t3_time_ran_out(cohort)
    sections = export(instructor_client, "sections")
    assert [r[3:] for r in sections[1:] if r[0] == "t3"] == [
        ["Section A", "2", "1.0", "50.0"],
        ["Section B", "2", "0.0", "0.0"],
    ]


def test_an_unknown_export_is_not_found(instructor_client):
    url = reverse("admin:quizzes_trainee_export", args=["passwords"])
    assert instructor_client.get(url).status_code == 404


@pytest.mark.parametrize("text", ["=HYPERLINK(1)", "+1", "-2+3", "@SUM(A1)", "\tx"])
def test_text_that_a_spreadsheet_would_run_as_a_formula_is_defused(text):
    assert csv_cell(text) == "'" + text


def test_numbers_and_plain_text_are_left_alone():
    assert csv_cell(-3) == -3
    assert csv_cell("Ada") == "Ada"
    assert csv_cell(None) == ""


def test_a_trainees_name_cannot_inject_a_formula_into_the_export(
    instructor_client, cohort
):
    cohort.t1.first_name = "=cmd|' /C calc'!A0"
    cohort.t1.save()
    rows = export(instructor_client, "sections")
    assert rows[1][1].startswith("'=cmd")


def test_an_overdue_attempt_exports_as_expired_and_scored(instructor_client):
    """The export closes what it exports: an attempt past its deadline that nobody
    has closed yet is expired and scored with what was saved, not a trainee still at
    work with no score."""
    quiz = QuizFactory(
        time_limit=timedelta(minutes=10), with_questions=[QuestionFactory()]
    )
    started = timezone.now() - timedelta(minutes=30)
    attempt_start(trainee=UserFactory(), quiz=quiz, now=started)
    attempt_start(trainee=UserFactory(), quiz=quiz, now=timezone.now())
    response = instructor_client.post(
        reverse("admin:quizzes_attempt_changelist"),
        {
            "action": "export_csv",
            "_selected_action": list(quiz.attempts.values_list("pk", flat=True)),
        },
    )
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = sorted(
        (row[5], row[10], row[11]) for row in list(csv.reader(io.StringIO(body)))[1:]
    )
    assert rows == [("Closed by the clock", "0.0000", "1"), ("In progress", "", "")]
