"""Who may open what in the admin.

- Anonymous visitors and trainees (not staff) are sent to the admin login, always.
- Instructors (staff in the Instructors group) manage documents, sections, questions,
  quizzes, accommodations and quiz overrides; read attempts, answers, extensions and
  trainees' progress; read and resolve trainees' problem reports; and get 403 on
  users and groups.
- Superusers may open everything; nobody may add or edit what trainees did.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from quizzes.choices import AttemptState
from quizzes.models import Attempt, Question
from tests.admin.factories import (
    AnswerFactory,
    DeadlineExtensionFactory,
    InstructorFactory,
    ProblemReportFactory,
    SuperuserFactory,
)
from tests.factories import (
    AccommodationFactory,
    QuestionFactory,
    QuizOverrideFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects():
    """One object of every model the admin shows."""
    answer = AnswerFactory()
    extension = DeadlineExtensionFactory()
    question = answer.question
    return {
        "sourcedocument": question.section.document,
        "section": question.section,
        "question": question,
        "quiz": answer.attempt.quiz,
        "accommodation": AccommodationFactory(),
        "quizoverride": QuizOverrideFactory(attempts_allowed=2),
        "attempt": answer.attempt,
        "answer": answer,
        "deadlineextension": extension,
        "problemreport": ProblemReportFactory(answer=answer),
        "trainee": answer.attempt.trainee,
        "user": answer.attempt.trainee,
        "group": Group.objects.get_or_create(name="Someone's group")[0],
    }


def admin_url(name, *args):
    return reverse(f"admin:{name}", args=args)


def pages(objects):
    """(label, url) of every admin page; the label names the model and the view."""
    found = [("index", admin_url("index"))]
    for model in [
        "sourcedocument",
        "section",
        "question",
        "quiz",
        "accommodation",
        "quizoverride",
        "attempt",
        "answer",
        "deadlineextension",
        "problemreport",
        "trainee",
    ]:
        found += [
            (f"{model} list", admin_url(f"quizzes_{model}_changelist")),
            (f"{model} add", admin_url(f"quizzes_{model}_add")),
            (
                f"{model} change",
                admin_url(f"quizzes_{model}_change", objects[model].pk),
            ),
        ]
    for model, app in [("user", "auth"), ("group", "auth")]:
        found += [
            (f"{model} list", admin_url(f"{app}_{model}_changelist")),
            (f"{model} add", admin_url(f"{app}_{model}_add")),
            (f"{model} change", admin_url(f"{app}_{model}_change", objects[model].pk)),
        ]
    found += [
        (
            "question preview",
            admin_url("quizzes_question_preview", objects["question"].pk),
        ),
        (
            "trainee progress",
            admin_url("quizzes_trainee_progress", objects["trainee"].pk),
        ),
        ("cohort", admin_url("quizzes_trainee_cohort")),
        ("export sections", admin_url("quizzes_trainee_export", "sections")),
        ("export quizzes", admin_url("quizzes_trainee_export", "quizzes")),
        ("export attempts", admin_url("quizzes_trainee_export", "attempts")),
        ("question quote drafts", admin_url("quizzes_question_quote_drafts")),
    ]
    return found


# What an instructor gets; every page not listed answers 200.
INSTRUCTOR_REFUSED = {
    # Sections come from imports; what trainees did is never added or edited.
    "section add": 403,
    "attempt add": 403,
    "answer add": 403,
    "deadlineextension add": 403,
    "trainee add": 403,
    # Trainees report problems from their review.
    "problemreport add": 403,
    # Accounts are the superusers' business.
    "user list": 403,
    "user add": 403,
    "user change": 403,
    "group list": 403,
    "group add": 403,
    "group change": 403,
}
# Read-only models refuse "add" to superusers too; a trainee's "change" page is
# their progress page (a redirect).
SUPERUSER_REFUSED = {
    "section add": 403,
    "attempt add": 403,
    "answer add": 403,
    "deadlineextension add": 403,
    "trainee add": 403,
    "problemreport add": 403,
}
REDIRECTED = {"trainee change": 302}


def fetch_all(client, objects):
    return {label: client.get(url) for label, url in pages(objects)}


def test_anonymous_visitors_are_sent_to_the_login_from_every_admin_page(
    client, objects
):
    for label, response in fetch_all(client, objects).items():
        assert response.status_code == 302, label
        assert response["Location"].startswith("/admin/login/"), label


def test_trainees_are_sent_to_the_login_from_every_admin_page(client, objects):
    client.force_login(UserFactory())
    for label, response in fetch_all(client, objects).items():
        assert response.status_code == 302, label
        assert response["Location"].startswith("/admin/login/"), label


def test_instructors_manage_banks_read_attempts_and_cannot_touch_accounts(
    client, objects
):
    client.force_login(InstructorFactory())
    for label, response in fetch_all(client, objects).items():
        expected = INSTRUCTOR_REFUSED.get(label) or REDIRECTED.get(label, 200)
        assert response.status_code == expected, label


def test_superusers_open_every_page_but_cannot_add_what_trainees_did(client, objects):
    client.force_login(SuperuserFactory())
    for label, response in fetch_all(client, objects).items():
        expected = SUPERUSER_REFUSED.get(label) or REDIRECTED.get(label, 200)
        assert response.status_code == expected, label


def test_staff_outside_the_instructors_group_see_nothing(client, objects):
    """Being staff opens the admin's door, not its rooms: permissions do."""
    client.force_login(UserFactory(is_staff=True))
    assert client.get(admin_url("quizzes_question_changelist")).status_code == 403
    assert client.get(admin_url("quizzes_trainee_cohort")).status_code == 403
    progress = admin_url("quizzes_trainee_progress", objects["trainee"].pk)
    assert client.get(progress).status_code == 403


def test_the_admin_index_hides_accounts_from_instructors(client, objects):
    client.force_login(InstructorFactory())
    page = client.get(admin_url("index")).content.decode()
    assert "Learner progress" in page
    assert admin_url("auth_user_changelist") not in page
    assert admin_url("quizzes_question_changelist") in page


def test_instructors_cannot_post_a_change_to_an_attempt(client, objects):
    client.force_login(InstructorFactory())
    attempt = objects["attempt"]
    url = admin_url("quizzes_attempt_change", attempt.pk)
    response = client.post(url, {"state": AttemptState.IN_PROGRESS})
    assert response.status_code == 403
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED


def test_instructors_cannot_delete_an_attempt_or_an_answer(client, objects):
    client.force_login(InstructorFactory())
    for model in ["attempt", "answer"]:
        url = admin_url(f"quizzes_{model}_delete", objects[model].pk)
        assert client.post(url, {"post": "yes"}).status_code == 403
    assert Attempt.objects.filter(pk=objects["attempt"].pk).exists()


def test_instructors_may_edit_a_question(client, objects):
    client.force_login(InstructorFactory())
    question = QuestionFactory()
    url = admin_url("quizzes_question_change", question.pk)
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="stem"' in page.content.decode()
    assert Question.objects.count() == 2


def test_instructors_resolve_problem_reports_but_cannot_delete_them(client, objects):
    """View and change (the outcome), nothing more: a report stays on record."""
    client.force_login(InstructorFactory())
    report = objects["problemreport"]
    url = admin_url("quizzes_problemreport_change", report.pk)
    assert 'name="resolution_note"' in client.get(url).content.decode()
    delete = admin_url("quizzes_problemreport_delete", report.pk)
    assert client.post(delete, {"post": "yes"}).status_code == 403
