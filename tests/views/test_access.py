"""Who may open the trainee pages: the owner, never another trainee, never anonymous."""

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.services.attempts import attempt_finish, attempt_start
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db

ATTEMPT_PAGES = ["attempt", "attempt_submit", "attempt_result", "attempt_review"]


@pytest.fixture
def quiz(db):
    return quiz_with_questions(3)


@pytest.fixture
def open_attempt(trainee, quiz, clock):
    return attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt


@pytest.fixture
def finished_attempt(open_attempt):
    return attempt_finish(attempt=open_attempt, now=timezone.now())


def test_each_page_renders_for_its_owner(client_of, trainee, quiz, clock):
    """The list, the intro, every page of an attempt and the history answer 200."""
    client = client_of(trainee)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    for url in [
        reverse("home"),
        quiz.get_absolute_url(),
        attempt.get_absolute_url(),
        reverse("attempt_submit", args=[attempt.pk]),
    ]:
        assert client.get(url).status_code == 200, url
    attempt_finish(attempt=attempt, now=timezone.now())
    for url in [
        reverse("attempt_result", args=[attempt.pk]),
        reverse("attempt_review", args=[attempt.pk]),
        reverse("history"),
    ]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("name", ATTEMPT_PAGES)
def test_another_trainees_attempt_is_not_found(
    client_of, other_trainee, finished_attempt, name
):
    """Someone else's attempt id is a 404 on every page, finished or not."""
    response = client_of(other_trainee).get(reverse(name, args=[finished_attempt.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["attempt", "attempt_submit"])
def test_another_trainee_cannot_post_to_an_attempt(
    client_of, other_trainee, open_attempt, name
):
    """A POST on someone else's attempt is a 404 and changes nothing."""
    question_id = open_attempt.answers.first().question_id
    response = client_of(other_trainee).post(
        reverse(name, args=[open_attempt.pk]),
        {"question": question_id, "action": "save"},
    )
    assert response.status_code == 404
    open_attempt.refresh_from_db()
    assert open_attempt.is_in_progress


def test_anonymous_visitor_is_sent_to_login(client, quiz, open_attempt):
    """Every page asks an anonymous visitor to log in first."""
    urls = [
        reverse("home"),
        reverse("history"),
        quiz.get_absolute_url(),
        *(reverse(name, args=[open_attempt.pk]) for name in ATTEMPT_PAGES),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_anonymous_post_starts_nothing(client, quiz):
    """Starting a quiz needs a login; the POST is redirected to the login page."""
    response = client.post(reverse("quiz_start", args=[quiz.slug]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not quiz.attempts.exists()


def test_starting_needs_a_post(client_of, trainee, quiz):
    """A GET on the start URL (a link, a prefetch) starts no attempt."""
    response = client_of(trainee).get(reverse("quiz_start", args=[quiz.slug]))
    assert response.status_code == 405
    assert not quiz.attempts.exists()


def test_state_changes_need_the_csrf_token(trainee, quiz, clock):
    """The start and submit forms are refused without their CSRF token."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(trainee)
    response = client.post(reverse("quiz_start", args=[quiz.slug]))
    assert response.status_code == 403
    assert not quiz.attempts.exists()
