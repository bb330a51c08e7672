"""Quiz overrides in the admin: the quiz page's inline, their list, progress page."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from quizzes.models import QuizOverride
from quizzes.services.attempts import attempt_start
from tests.admin.test_quizzes import quiz_form
from tests.factories import (
    QuestionFactory,
    QuizFactory,
    QuizOverrideFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def inline(rows: list[dict]) -> dict:
    data = {
        "overrides-TOTAL_FORMS": str(len(rows)),
        "overrides-INITIAL_FORMS": "0",
    }
    blank = {
        "trainee": "",
        "group": "",
        "opens_at_0": "",
        "opens_at_1": "",
        "closes_at_0": "",
        "closes_at_1": "",
        "time_limit": "",
        "attempts_allowed": "",
        "reason": "",
    }
    for i, row in enumerate(rows):
        data |= {f"overrides-{i}-{k}": v for k, v in (blank | row).items()}
    return data


@pytest.fixture
def quiz():
    return QuizFactory(slug="routes-exam", attempts_allowed=1)


def change_url(quiz):
    return reverse("admin:quizzes_quiz_change", args=[quiz.pk])


def test_the_quiz_page_adds_an_override_recording_who(
    instructor_client, instructor, quiz
):
    """An override added on the quiz's page is saved with created_by and
    updated_by set to the instructor (by the service, not the form)."""
    trainee = UserFactory(first_name="Ada", last_name="Lovelace")
    page = instructor_client.get(change_url(quiz)).content.decode()
    assert f"Ada Lovelace ({trainee.username})" in page
    data = quiz_form() | inline(
        [
            {
                "trainee": str(trainee.pk),
                "time_limit": "45",
                "attempts_allowed": "3",
                "closes_at_0": "2026-12-01",
                "closes_at_1": "17:00:00",
                "reason": "Sick on the exam day",
            }
        ]
    )
    response = instructor_client.post(change_url(quiz), data)
    assert response.status_code == 302, response.context["errors"]
    override = QuizOverride.objects.get()
    assert (override.trainee, override.quiz) == (trainee, quiz)
    assert override.time_limit == timedelta(minutes=45)
    assert override.attempts_allowed == 3
    assert override.closes_at == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert (override.created_by, override.updated_by) == (instructor, instructor)
    assert "created by" in instructor_client.get(change_url(quiz)).content.decode()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"reason": "x", "attempts_allowed": "2"}, "either one trainee or one group"),
        ({"reason": "x"}, "changes nothing"),
        ({"time_limit": "0.5", "reason": "x"}, "at least 1 minute"),
        ({"attempts_allowed": "2"}, "This field is required"),
    ],
)
def test_an_invalid_override_is_refused_on_the_quiz_page(
    instructor_client, quiz, row, message
):
    """No trainee or group, nothing changed, a limit under a minute, or no reason:
    the page says so and nothing is saved."""
    trainee = UserFactory()
    if "either" not in message:
        row = {"trainee": str(trainee.pk)} | row
    response = instructor_client.post(change_url(quiz), quiz_form() | inline([row]))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not QuizOverride.objects.exists()


def test_a_group_is_picked_from_the_groups_but_not_instructors(
    instructor_client, quiz, instructor
):
    """Cohorts are Django groups; the Instructors group is not offered."""
    cohort = Group.objects.create(name="Cohort 2026")
    page = instructor_client.get(change_url(quiz)).content.decode()
    assert "Cohort 2026" in page
    assert ">Instructors<" not in page
    data = quiz_form() | inline(
        [{"group": str(cohort.pk), "attempts_allowed": "0", "reason": "Resit week"}]
    )
    assert instructor_client.post(change_url(quiz), data).status_code == 302
    assert QuizOverride.objects.get().group == cohort


def test_the_override_list_filters_by_kind_and_searches(instructor_client):
    """The list filters trainee/group overrides and searches names and reasons."""
    QuizOverrideFactory(
        trainee=UserFactory(username="ada"), attempts_allowed=2, reason="Sick"
    )
    QuizOverrideFactory(
        trainee=None,
        group=Group.objects.create(name="Night shift"),
        attempts_allowed=3,
        reason="Rota",
    )
    url = reverse("admin:quizzes_quizoverride_changelist")

    def listed(**params):
        response = instructor_client.get(url, params)
        return sorted(o.reason for o in response.context["cl"].result_list)

    assert listed() == ["Rota", "Sick"]
    assert listed(kind="trainee") == ["Sick"]
    assert listed(kind="group") == ["Rota"]
    assert listed(q="night") == ["Rota"]
    assert listed(q="ada") == ["Sick"]
    page = instructor_client.get(url).content.decode()
    assert "2 attempts" in page and "group Night shift" in page


def test_the_override_list_exports_csv(instructor_client, instructor):
    """The export action streams the selected overrides with who and why."""
    override = QuizOverrideFactory(
        time_limit=timedelta(minutes=40), reason="Sick", created_by=instructor
    )
    response = instructor_client.post(
        reverse("admin:quizzes_quizoverride_changelist"),
        {"action": "export_csv", "_selected_action": [override.pk]},
    )
    body = b"".join(response.streaming_content).decode()
    assert "time limit (min)" in body
    assert f"{override.trainee.username},,,,40.0,,Sick,{instructor.username}" in body


def test_the_override_page_saves_through_the_service(instructor_client, instructor):
    """The override's own add page records the instructor as creator."""
    quiz, trainee = QuizFactory(), UserFactory()
    response = instructor_client.post(
        reverse("admin:quizzes_quizoverride_add"),
        {
            "quiz": quiz.pk,
            "trainee": trainee.pk,
            "group": "",
            "opens_at_0": "",
            "opens_at_1": "",
            "closes_at_0": "",
            "closes_at_1": "",
            "time_limit": "",
            "attempts_allowed": "2",
            "reason": "Resit agreed",
        },
    )
    assert response.status_code == 302
    assert QuizOverride.objects.get().created_by == instructor


def test_the_progress_page_lists_the_overrides_that_apply(instructor_client):
    """A trainee's progress page shows their own and their groups' overrides, with
    what changes, why, and who recorded them; not another trainee's."""
    trainee, other = UserFactory(), UserFactory()
    cohort = Group.objects.create(name="Night shift")
    trainee.groups.add(cohort)
    author = UserFactory(username="ida")
    QuizOverrideFactory(
        quiz=QuizFactory(title="Routes exam"),
        trainee=trainee,
        attempts_allowed=3,
        reason="Sick on the day",
        created_by=author,
    )
    QuizOverrideFactory(
        quiz=QuizFactory(title="Dosing exam"),
        trainee=None,
        group=cohort,
        time_limit=timedelta(minutes=60),
        reason="Rota clash",
    )
    QuizOverrideFactory(
        quiz=QuizFactory(title="Other's exam"),
        trainee=other,
        attempts_allowed=2,
        reason="Not for this one",
    )
    response = instructor_client.get(
        reverse("admin:quizzes_trainee_progress", args=[trainee.pk])
    )
    page = response.content.decode()
    assert "Routes exam" in page and "3 attempts" in page and "Sick on the day" in page
    assert "created by ida" in page
    assert "group Night shift" in page and "time limit 60 min" in page
    assert "Not for this one" not in page


def test_the_progress_page_counts_attempts_against_the_overridden_number(
    instructor_client,
):
    """ "Attempts used" reads against what the trainee may use: their override's
    number, not the quiz's own."""
    trainee = UserFactory()
    quiz = QuizFactory(
        title="Routes exam", attempts_allowed=1, with_questions=[QuestionFactory()]
    )
    QuizOverrideFactory(quiz=quiz, trainee=trainee, attempts_allowed=3, reason="Resit")
    attempt_start(trainee=trainee, quiz=quiz, now=timezone.now())
    response = instructor_client.get(
        reverse("admin:quizzes_trainee_progress", args=[trainee.pk])
    )
    page = response.content.decode()
    assert "1 of 3" in page
    assert "1 of 1" not in page
