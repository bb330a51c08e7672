"""The admin's regrade: an action opens a dry run; only a POST with a reason
commits; the log is a list with filters and a CSV export."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt, AttemptRegrade
from quizzes.services.attempts import answer_save, attempt_finish, attempt_start
from tests.factories import QuestionFactory, QuizFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    """Two finished attempts on a 2-question quiz, then the first key moves: Ann
    (who chose the old key) would go 2 → 1, Ben 1 → 2."""
    section = SectionFactory()
    q1, q2 = QuestionFactory(section=section), QuestionFactory(section=section)
    quiz = QuizFactory(with_questions=[q1, q2], time_limit=None, pass_mark=60)
    now = timezone.now() - timedelta(hours=1)
    for name, pick in [("ann", 0), ("ben", 1)]:
        attempt = attempt_start(trainee=UserFactory(username=name), quiz=quiz, now=now)
        for question, index in [(q1, pick), (q2, 0)]:
            answer_save(
                attempt=attempt.attempt,
                question_id=question.pk,
                choice_ids=[list(question.choices.order_by("order"))[index].pk],
                flagged=None,
                now=now,
            )
        attempt_finish(attempt=attempt.attempt, now=now)
    for i, choice in enumerate(q1.choices.order_by("order")):
        choice.is_correct = i == 1
        choice.save()
    return {"quiz": quiz, "question": q1}


def _scores():
    return dict(Attempt.objects.values_list("trainee__username", "score"))


def test_the_action_on_one_question_opens_its_dry_run(instructor_client, scene):
    response = instructor_client.post(
        reverse("admin:quizzes_question_changelist"),
        {"action": "regrade_selected", "_selected_action": [scene["question"].pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:quizzes_attemptregrade_question", args=[scene["question"].pk]
    )


def test_the_action_on_a_quiz_opens_its_dry_run(instructor_client, scene):
    response = instructor_client.post(
        reverse("admin:quizzes_quiz_changelist"),
        {"action": "regrade_selected", "_selected_action": [scene["quiz"].pk]},
    )
    assert response["Location"] == reverse(
        "admin:quizzes_attemptregrade_quiz", args=[scene["quiz"].pk]
    )


def test_the_dry_run_lists_each_change_and_writes_nothing(instructor_client, scene):
    """Trainee, old → new score, pass/fail and grade changes; no score changes."""
    before = _scores()
    url = reverse("admin:quizzes_attemptregrade_question", args=[scene["question"].pk])
    page = " ".join(instructor_client.get(url).content.decode().split())
    assert "would change <strong>2</strong> of 2" in page
    assert "ann" in page and "2 → 1 / 2" in page
    assert "pass → fail" in page and "fail → pass" in page
    assert "100.0 % → 50.0 %" in page
    assert _scores() == before
    assert not AttemptRegrade.objects.exists()


def test_a_commit_without_a_reason_is_refused_and_changes_nothing(
    instructor_client, scene
):
    before = _scores()
    url = reverse("admin:quizzes_attemptregrade_quiz", args=[scene["quiz"].pk])
    response = instructor_client.post(url, {"reason": "  "})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert _scores() == before


def test_commit_applies_the_regrade_and_the_log_lists_and_exports_it(
    instructor_client, instructor, scene
):
    url = reverse("admin:quizzes_attemptregrade_quiz", args=[scene["quiz"].pk])
    response = instructor_client.post(url, {"reason": "Key of question 1 corrected"})
    assert response.status_code == 302
    assert _scores() == {"ann": Decimal(1), "ben": Decimal(2)}
    assert set(AttemptRegrade.objects.values_list("regraded_by", flat=True)) == {
        instructor.pk
    }

    log = instructor_client.get(response["Location"]).content.decode()
    assert "Key of question 1 corrected" in log and "2 → 1 / 2" in log
    export = instructor_client.post(
        reverse("admin:quizzes_attemptregrade_changelist"),
        {
            "action": "export_csv",
            "_selected_action": list(
                AttemptRegrade.objects.values_list("pk", flat=True)
            ),
        },
    )
    body = b"".join(export.streaming_content).decode()
    assert body.splitlines()[0].endswith("old_score,new_score,max_score")
    assert len(body.splitlines()) == 3


def test_a_question_regrade_lands_on_the_log_of_that_question(instructor_client, scene):
    url = reverse("admin:quizzes_attemptregrade_question", args=[scene["question"].pk])
    response = instructor_client.post(url, {"reason": "Key of question 1 corrected"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"?question__id__exact={scene['question'].pk}")
    log = instructor_client.get(response["Location"])
    assert log.status_code == 200
    assert "Key of question 1 corrected" in log.content.decode()


def test_a_trainee_cannot_open_the_regrade(client, scene):
    client.force_login(UserFactory())
    url = reverse("admin:quizzes_attemptregrade_quiz", args=[scene["quiz"].pk])
    assert client.post(url, {"reason": "x"}).status_code == 302  # to the login
    assert not AttemptRegrade.objects.exists()


def test_the_log_filters_by_the_instructors_who_regraded_not_every_user(
    instructor_client, instructor, scene
):
    """The "regraded by" filter offers the people who regraded, not every account:
    a cohort's trainees would otherwise fill the sidebar (and one query loads them
    all)."""
    url = reverse("admin:quizzes_attemptregrade_quiz", args=[scene["quiz"].pk])
    instructor_client.post(url, {"reason": "Key of question 1 corrected"})
    log = instructor_client.get(reverse("admin:quizzes_attemptregrade_changelist"))
    spec = next(
        spec
        for spec in log.context["cl"].filter_specs
        if getattr(spec, "field_path", None) == "regraded_by"
    )
    assert [label for _, label in spec.lookup_choices] == [str(instructor)]


def test_the_dry_run_plan_scrolls_in_its_own_box_on_a_phone(instructor_client, scene):
    """The plan's six columns are wider than a phone: the page loads the admin's
    stylesheet and wraps the table in the box that scrolls sideways on its own,
    so the page itself does not (the browser journey measures it at 375 px)."""
    url = reverse("admin:quizzes_attemptregrade_question", args=[scene["question"].pk])
    page = instructor_client.get(url).content.decode()
    assert "quizzes/admin/admin.css" in page
    assert '<div class="results stats-scroll">' in page
