"""What the service worker may keep for a reload while offline: its script, served
from /attempts/ to everyone, and the one page it may copy, marked by a header that
only the page of an attempt in progress carries (never a result or a review)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.choices import ReviewShows
from quizzes.services.attempts import attempt_finish, attempt_start
from quizzes.views import OFFLINE_PAGE_HEADER
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db


def _started(trainee, **quiz_fields):
    quiz = quiz_with_questions(2, **quiz_fields)
    return attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt


def test_the_service_worker_is_javascript_served_from_the_attempts_path(client):
    """Its URL sits in /attempts/, so its default scope is the attempt pages; the
    browser runs it as JavaScript and checks for a new version on every visit."""
    url = reverse("service_worker")
    response = client.get(url)
    assert url == "/attempts/sw.js"
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript"
    assert response["Cache-Control"] == "no-cache"
    assert "Service-Worker-Allowed" not in response
    assert b"X-Offline-Page" in response.content


def test_the_service_worker_is_the_same_file_for_everyone(client, client_of, trainee):
    """Public (the update check may run logged out) because it holds nothing of
    any user: a trainee gets the very bytes an anonymous visitor gets."""
    url = reverse("service_worker")
    anonymous = client.get(url)
    logged_in = client_of(trainee).get(url)
    assert anonymous.content == logged_in.content
    assert "Cookie" not in anonymous.get("Vary", "")
    assert not anonymous.cookies


def test_the_service_worker_takes_only_get(client):
    """It is a script, not an endpoint: a POST is refused."""
    assert client.post(reverse("service_worker")).status_code == 405


def test_the_page_of_an_attempt_in_progress_may_be_kept_offline(
    client_of, trainee, clock
):
    """Each question's page of an attempt in progress carries the header."""
    attempt = _started(trainee)
    client = client_of(trainee)
    for query in ("", "?q=2"):
        response = client.get(reverse("attempt", args=[attempt.pk]) + query)
        assert response.status_code == 200
        assert response[OFFLINE_PAGE_HEADER] == "attempt"
        assert b'data-page-source="network"' in response.content


def test_no_other_page_of_an_attempt_may_be_kept_offline(client_of, trainee, clock):
    """The submit page, the result, the review and a finished attempt's page
    (a redirect to its result) never carry the header."""
    attempt = _started(trainee, review_shows=ReviewShows.FULL)
    client = client_of(trainee)
    submit = client.get(reverse("attempt_submit", args=[attempt.pk]))
    assert submit.status_code == 200
    assert OFFLINE_PAGE_HEADER not in submit

    attempt_finish(attempt=attempt, now=timezone.now())
    for name in ("attempt", "attempt_result", "attempt_review"):
        response = client.get(reverse(name, args=[attempt.pk]))
        assert response.status_code in (200, 302), name
        assert OFFLINE_PAGE_HEADER not in response, name
    assert client.get(reverse("attempt_review", args=[attempt.pk])).status_code == 200


def test_the_result_and_log_in_pages_forget_the_offline_copies(
    client, client_of, trainee, clock
):
    """The result page names its attempt for offline.js to delete its copies; the
    log-in page, where log-out lands, names them all."""
    attempt = _started(trainee)
    attempt_finish(attempt=attempt, now=timezone.now())
    result = client_of(trainee).get(reverse("attempt_result", args=[attempt.pk]))
    assert (
        f'<meta name="quizzes-offline-forget" content="{attempt.pk}">'
        in result.content.decode()
    )
    assert "quizzes/offline.js" in result.content.decode()
    login = client.get(reverse("login")).content.decode()
    assert '<meta name="quizzes-offline-forget" content="all">' in login
    assert "quizzes/offline.js" in login
