"""Quizzes and accommodations in the admin."""

from decimal import Decimal

import pytest
from django.urls import reverse

from quizzes.choices import QuestionStatus
from quizzes.models import Accommodation, Quiz, QuizDraw
from tests.admin.factories import AttemptFactory, InProgressAttemptFactory
from tests.factories import (
    QuestionFactory,
    QuizFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
ADD = reverse("admin:quizzes_quiz_add")


def quiz_form(**overrides):
    data = {
        "title": "Routes exam",
        "slug": "routes-exam",
        "description": "",
        "mode": "exam",
        "time_limit": "00:12:00",
        "opens_at_0": "",
        "opens_at_1": "",
        "closes_at_0": "",
        "closes_at_1": "",
        "attempts_allowed": "3",
        "grading_method": "highest",
        "pass_mark": "70",
        "shuffle_questions": "on",
        "shuffle_choices": "on",
        "review_shows": "full",
        "review_from": "immediately",
        "draws-TOTAL_FORMS": "0",
        "draws-INITIAL_FORMS": "0",
        "fixed-TOTAL_FORMS": "0",
        "fixed-INITIAL_FORMS": "0",
    }
    return data | overrides


def test_the_quiz_form_edits_every_setting(instructor_client):
    page = instructor_client.get(ADD)
    form = page.context["adminform"].form
    editable = {
        f.name
        for f in Quiz._meta.get_fields()
        if getattr(f, "editable", False)
        and not f.auto_created
        and f.name not in {"questions", "created_at", "updated_at"}
    }
    assert editable <= set(form.fields)


def test_a_draw_is_saved_as_a_section_and_a_count(instructor_client):
    section = SectionFactory()
    QuestionFactory(section=section)
    QuestionFactory(section=section)
    data = quiz_form(
        **{
            "draws-TOTAL_FORMS": "1",
            "draws-0-section": str(section.pk),
            "draws-0-count": "2",
        }
    )
    response = instructor_client.post(ADD, data)
    assert response.status_code == 302
    assert QuizDraw.objects.get().count == 2


def test_a_draw_larger_than_the_published_bank_is_refused_with_the_number(
    instructor_client,
):
    top = SectionFactory(title="Routes")
    sub = SectionFactory(
        document=top.document, parent=top, level=2, order=top.order + 1
    )
    QuestionFactory(section=top)
    QuestionFactory(section=sub)  # subsections count
    QuestionFactory(section=top, status=QuestionStatus.DRAFT)  # drafts do not
    data = quiz_form(
        **{
            "draws-TOTAL_FORMS": "1",
            "draws-0-section": str(top.pk),
            "draws-0-count": "3",
        }
    )
    response = instructor_client.post(ADD, data)
    assert response.status_code == 200
    assert (
        "“Routes” has 2 published questions (subsections included); a draw can take "
        "at most 2, not 3." in response.content.decode()
    )
    assert not Quiz.objects.exists()


def test_the_quiz_list_shows_attempts_started_finished_and_the_mean_score(
    instructor_client,
):
    quiz = QuizFactory()
    AttemptFactory(quiz=quiz, score=Decimal(3), max_score=4)  # 75 %
    AttemptFactory(quiz=quiz, score=Decimal(1), max_score=4)  # 25 %
    InProgressAttemptFactory(quiz=quiz)
    response = instructor_client.get(reverse("admin:quizzes_quiz_changelist"))
    (row,) = response.context["cl"].result_list
    assert (row.started, row.finished, row.mean_percent) == (3, 2, 50.0)
    assert "50.0 %" in response.content.decode()


def test_an_accommodation_is_set_per_trainee_for_one_quiz_or_all(instructor_client):
    trainee = UserFactory(first_name="Ada", last_name="Lovelace")
    UserFactory(username="staffer", is_staff=True)
    quiz = QuizFactory()
    add = reverse("admin:quizzes_accommodation_add")
    page = instructor_client.get(add).content.decode()
    assert f"Ada Lovelace ({trainee.username})" in page
    assert "staffer" not in page  # staff are not trainees
    for quiz_id in ["", str(quiz.pk)]:
        response = instructor_client.post(
            add,
            {
                "trainee": trainee.pk,
                "quiz": quiz_id,
                "time_factor": "1.25",
                "extra_minutes": "5",
                "reason": "Dyslexia",
            },
        )
        assert response.status_code == 302
    assert set(Accommodation.objects.values_list("quiz_id", flat=True)) == {
        None,
        quiz.pk,
    }
    listing = instructor_client.get(reverse("admin:quizzes_accommodation_changelist"))
    assert "every quiz" in listing.content.decode()
