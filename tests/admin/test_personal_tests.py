"""Trainees' personal tests in the admin: listed apart, summarised apart."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from quizzes.models import QuizOverride
from tests.progress.cohort import sit_personal_test

pytestmark = pytest.mark.django_db
QUIZZES = reverse("admin:quizzes_quiz_changelist")


def text_of(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_quiz_list_filters_personal_tests_apart(superuser_client, cohort):
    """ "Assigned" lists the instructors' quizzes, "Personal" the trainees' own."""
    sit_personal_test(cohort)
    assigned = text_of(
        superuser_client.get(QUIZZES + "?kind=assigned").content.decode()
    )
    personal = text_of(
        superuser_client.get(QUIZZES + "?kind=personal").content.decode()
    )
    assert "Quiz X" in assigned and "My test" not in assigned
    assert "My test" in personal and "Quiz X" not in personal


def test_a_trainees_page_shows_personal_tests_apart_from_quiz_grades(
    instructor_client, cohort
):
    """A "Personal tests" section: count, finished, answers, % correct; the quiz
    table and its totals are unchanged."""
    sit_personal_test(cohort)
    url = reverse("admin:quizzes_trainee_progress", args=[cohort.t1.pk])
    page = text_of(instructor_client.get(url).content.decode())
    assert "Personal tests" in page
    assert "Questions answered Correct 1 1 2 50.0 %" in page
    assert "My test" not in page
    assert "Attempts used 3 Finished 3 Time spent 16 min 00 s" in page


def test_the_progress_filter_offers_no_personal_test(instructor_client, cohort):
    sit_personal_test(cohort)
    page = instructor_client.get(reverse("admin:quizzes_trainee_cohort"))
    assert "My test" not in page.content.decode()


def export_text(client, kind):
    url = reverse("admin:quizzes_trainee_export", args=[kind])
    return b"".join(client.get(url).streaming_content).decode("utf-8")


@pytest.mark.parametrize("kind", ["quizzes", "attempts"])
def test_the_grade_and_attempt_exports_leave_personal_tests_out(
    instructor_client, cohort, kind
):
    before = export_text(instructor_client, kind)
    sit_personal_test(cohort)
    after = export_text(instructor_client, kind)
    assert "My test" not in after
    assert after == before


def test_a_personal_test_takes_no_override(cohort):
    """Nothing opens a personal test to anyone else, nor gives it a second go."""
    quiz = sit_personal_test(cohort)
    override = QuizOverride(
        quiz=quiz, trainee=cohort.t2, attempts_allowed=2, reason="Resit"
    )
    with pytest.raises(ValidationError, match="personal test"):
        override.full_clean()


def test_a_personal_test_keeps_its_settings_in_the_admin_form(cohort):
    """Two attempts on a personal test are refused by the model, not by a 500."""
    quiz = sit_personal_test(cohort)
    quiz.attempts_allowed = 2
    with pytest.raises(ValidationError, match="one attempt"):
        quiz.full_clean()
