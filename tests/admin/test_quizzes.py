"""Quizzes and accommodations in the admin."""

from datetime import timedelta
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
        "time_limit": "12",
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
        "overrides-TOTAL_FORMS": "0",
        "overrides-INITIAL_FORMS": "0",
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


def test_a_time_limit_is_typed_in_minutes(instructor_client):
    """Typing 20 saves a 20-minute limit (Django's duration field read 20 seconds)."""
    response = instructor_client.post(ADD, quiz_form(time_limit="20"))
    assert response.status_code == 302
    assert Quiz.objects.get().time_limit == timedelta(minutes=20)


def test_a_time_limit_left_blank_makes_an_untimed_quiz(instructor_client):
    """A blank limit is an untimed quiz, not an error."""
    response = instructor_client.post(ADD, quiz_form(time_limit=""))
    assert response.status_code == 302
    assert Quiz.objects.get().time_limit is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0.5", "A time limit is at least 1 minute"),
        ("0", "A time limit is at least 1 minute"),
        ("-5", "A time limit is at least 1 minute"),
        ("1.5", "Enter whole minutes"),
        ("00:20:00", "Enter the time limit as a number of minutes"),
        ("NaN", "Enter the time limit as a number of minutes"),
    ],
)
def test_time_limit_under_one_minute_or_not_whole_is_refused(
    instructor_client, typed, message
):
    """A limit under a minute, a fraction or a clock reading is refused, saying why."""
    response = instructor_client.post(ADD, quiz_form(time_limit=typed))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Quiz.objects.exists()


def test_an_existing_limit_is_shown_in_minutes(instructor_client):
    """The change form shows a 90-minute limit as 90, and the help text says minutes."""
    quiz = QuizFactory(time_limit=timedelta(minutes=90))
    page = instructor_client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))
    html = page.content.decode()
    assert 'name="time_limit" value="90"' in html
    assert "Time limit in minutes" in html


def test_a_legacy_limit_in_seconds_must_be_corrected_before_saving(instructor_client):
    """A 20-second limit shows as 0.33 minutes and is refused on save."""
    quiz = QuizFactory(time_limit=timedelta(seconds=20), slug="legacy")
    url = reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    html = instructor_client.get(url).content.decode()
    assert 'name="time_limit" value="0.33"' in html
    response = instructor_client.post(url, quiz_form(slug="legacy", time_limit="0.33"))
    assert response.status_code == 200
    assert "A time limit is at least 1 minute" in response.content.decode()


def test_the_quiz_list_shows_the_limit_in_minutes(instructor_client):
    """The list's time limit column reads "45 min"."""
    QuizFactory(time_limit=timedelta(minutes=45))
    response = instructor_client.get(reverse("admin:quizzes_quiz_changelist"))
    assert "45 min" in response.content.decode()


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
