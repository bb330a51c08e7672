"""The quiz's "Prepare attempts…" page: a dry-run preview, then a confirmed POST."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from quizzes.models import Attempt
from quizzes.services.attempts import attempt_start
from tests.factories import QuestionFactory, QuizFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz():
    return QuizFactory(title="Finals", with_questions=QuestionFactory.create_batch(3))


def url(quiz):
    return reverse("admin:quizzes_quiz_prepare", args=[quiz.pk])


def test_the_quiz_page_links_to_prepare_attempts(instructor_client, quiz):
    page = instructor_client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))
    assert f'href="{url(quiz)}">Prepare attempts…' in page.content.decode()


def test_the_preview_says_who_and_how_many_and_writes_nothing(instructor_client, quiz):
    """Everyone by default: the active trainees (staff apart), counted by what
    preparing would do to each."""
    ann, ben = UserFactory(username="ann"), UserFactory(username="ben")
    attempt_start(trainee=ben, quiz=quiz, now=quiz.created_at)
    response = instructor_client.get(url(quiz))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="prepare-created">1<' in page
    assert "1 have an attempt in progress" in page
    assert "Who: ann." in page and ann.username in page
    assert 'value="Prepare 1 attempt(s)"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert not Attempt.objects.filter(state="prepared").exists()


def test_confirming_prepares_the_groups_attempts_and_lists_them(
    instructor_client, quiz
):
    group = Group.objects.create(name="Cohort A")
    members = UserFactory.create_batch(2)
    for member in members:
        member.groups.add(group)
    UserFactory()  # not in the group
    preview = instructor_client.get(url(quiz), {"group": group.pk}).content.decode()
    assert "Preview for group Cohort A" in preview
    assert f'name="group" value="{group.pk}"' in preview
    response = instructor_client.post(url(quiz), {"group": group.pk})
    assert response.status_code == 302
    assert response.url == (
        reverse("admin:quizzes_attempt_changelist")
        + f"?quiz__id__exact={quiz.pk}&state=prepared"
    )
    prepared = Attempt.objects.filter(state="prepared")
    assert {a.trainee_id for a in prepared} == {m.pk for m in members}
    listed = instructor_client.get(response.url).content.decode()
    assert "Prepared 2 attempt(s)" in listed
    assert listed.count("Prepared (not started)") >= 2


def test_the_confirm_is_a_csrf_protected_post(quiz, instructor):
    """Preparing writes: a POST without the CSRF token is refused."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(instructor)
    UserFactory()
    assert client.post(url(quiz), {}).status_code == 403
    assert not Attempt.objects.exists()


def test_an_unknown_group_is_a_clear_400(instructor_client, quiz):
    response = instructor_client.get(url(quiz), {"group": "999"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_a_quiz_without_questions_says_so(instructor_client):
    quiz = QuizFactory()
    UserFactory()
    response = instructor_client.post(url(quiz), {})
    assert response.status_code == 400
    assert "no published questions" in response.content.decode()
    assert not Attempt.objects.exists()


def test_a_trainee_cannot_prepare(client, quiz):
    client.force_login(UserFactory())
    assert client.post(url(quiz), {}).status_code == 302  # to the admin's login
    assert not Attempt.objects.exists()


def test_the_attempt_list_filters_prepared_attempts(instructor_client, quiz):
    """Prepared attempts have a state filter of their own; started ones are not in
    it."""
    prepared, started = UserFactory(username="pam"), UserFactory(username="sam")
    instructor_client.post(url(quiz), {})
    attempt_start(trainee=started, quiz=quiz, now=quiz.created_at)  # takes it
    page = instructor_client.get(
        reverse("admin:quizzes_attempt_changelist"), {"state": "prepared"}
    ).content.decode()
    assert prepared.username in page and started.username not in page
