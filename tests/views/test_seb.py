"""Pages of a quiz that requires Safe Exam Browser: only SEB, run with one of the
quiz's keys, starts and sits it; any other browser gets a page (403) that says how
to open the quiz in SEB, with its .seb file to download."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from quizzes.models import Attempt, Quiz, QuizSebFile
from quizzes.services.attempts import attempt_finish, attempt_start
from tests.seb_requests import (
    OTHER_CONFIG_KEY,
    browser_exam_key_headers,
    config_key_headers,
    require_seb,
)
from tests.test_seb import BROWSER_EXAM_KEY, EXAM_CONFIG_KEY, fixture
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def quiz():
    quiz = require_seb(quiz_with_questions(2), beks=BROWSER_EXAM_KEY)
    QuizSebFile.objects.create(
        quiz=quiz, name="exam.seb", content=fixture("exam.seb"), uploaded_at=NOW
    )
    Quiz.objects.filter(pk=quiz.pk).update(seb_file_config_key=EXAM_CONFIG_KEY)
    quiz.refresh_from_db()
    return quiz


@pytest.fixture
def attempt(quiz, trainee, clock):
    return attempt_start(trainee=trainee, quiz=quiz, now=NOW).attempt


def start_path(quiz) -> str:
    return reverse("quiz_start", args=[quiz.slug])


class TestRefusalPage:
    def test_start_without_seb_is_refused_with_how_to_open_it(
        self, client_of, trainee, quiz
    ):
        """Outside SEB the start is a 403 page with the .seb file to download
        and the sebs:// link (seb:// over plain HTTP) that SEB opens; nothing is
        started."""
        response = client_of(trainee).post(start_path(quiz))
        assert response.status_code == 403
        page = response.content.decode()
        assert "Safe Exam Browser required" in page
        download = f"http://testserver/quizzes/{quiz.slug}/safe-exam-browser.seb"
        assert f'href="{download}"' in page
        assert f'href="{download.replace("http://", "seb://")}"' in page
        assert not Attempt.objects.filter(quiz=quiz).exists()

    def test_quiz_page_outside_seb_explains_instead_of_start(
        self, client_of, trainee, quiz
    ):
        page = client_of(trainee).get(quiz.get_absolute_url()).content.decode()
        assert "This quiz opens only in Safe Exam Browser" in page
        assert "Start attempt" not in page

    def test_quiz_page_in_seb_offers_start(self, client_of, trainee, quiz):
        path = quiz.get_absolute_url()
        page = client_of(trainee).get(path, headers=config_key_headers(path))
        assert "Start attempt 1" in page.content.decode()
        assert "only in Safe Exam Browser" not in page.content.decode()

    def test_quiz_without_file_asks_for_the_settings(self, client_of, trainee):
        """No .seb file uploaded (keys only): the page says whom to ask."""
        quiz = require_seb(quiz_with_questions(1))
        page = client_of(trainee).post(start_path(quiz)).content.decode()
        assert "Ask your instructor for the quiz" in page
        assert "safe-exam-browser.seb" not in page


class TestAcceptedKeys:
    def test_start_with_config_key_hash_of_this_url_is_let_through(
        self, client_of, trainee, quiz
    ):
        path = start_path(quiz)
        response = client_of(trainee).post(path, headers=config_key_headers(path))
        assert response.status_code == 302
        assert Attempt.objects.filter(quiz=quiz, trainee=trainee).exists()

    def test_attempt_page_with_browser_exam_key_hash_is_let_through(
        self, client_of, trainee, attempt
    ):
        """The hash covers the query string: SEB hashes the URL it asks for."""
        path = f"{attempt.get_absolute_url()}?q=2"
        response = client_of(trainee).get(path, headers=browser_exam_key_headers(path))
        assert response.status_code == 200
        assert "Question 2 of 2" in response.content.decode()

    def test_uploaded_file_key_alone_is_let_through(self, client_of, trainee):
        """The .seb file's Config Key is allowed though not entered by hand."""
        quiz = require_seb(
            quiz_with_questions(1), config_keys="", file_key=EXAM_CONFIG_KEY
        )
        path = start_path(quiz)
        response = client_of(trainee).post(path, headers=config_key_headers(path))
        assert response.status_code == 302


class TestRefusedRequests:
    def test_attempt_page_without_header_is_refused(self, client_of, trainee, attempt):
        response = client_of(trainee).get(attempt.get_absolute_url())
        assert response.status_code == 403
        assert "Question 1" not in response.content.decode()

    def test_hash_of_another_page_is_refused(self, client_of, trainee, attempt):
        """A header seen on question 1 does not open question 2."""
        path = attempt.get_absolute_url()
        headers = config_key_headers(f"{path}?q=1")
        assert client_of(trainee).get(f"{path}?q=2", headers=headers).status_code == (
            403
        )

    def test_another_quizs_key_is_refused(self, client_of, trainee, attempt):
        path = attempt.get_absolute_url()
        headers = config_key_headers(path, OTHER_CONFIG_KEY)
        assert client_of(trainee).get(path, headers=headers).status_code == 403

    def test_wrong_key_is_refused(self, client_of, trainee, attempt):
        path = attempt.get_absolute_url()
        headers = {"X-SafeExamBrowser-ConfigKeyHash": "0" * 64}
        assert client_of(trainee).get(path, headers=headers).status_code == 403

    def test_answer_post_outside_seb_saves_nothing(self, client_of, trainee, attempt):
        answer = attempt.answers.order_by("position").first()
        choice = answer.choice_order[0]
        response = client_of(trainee).post(
            attempt.get_absolute_url(),
            {"question": answer.question_id, "choices": [choice], "action": "save"},
        )
        assert response.status_code == 403
        answer.refresh_from_db()
        assert answer.choice_ids == []

    def test_submit_outside_seb_leaves_the_attempt_open(
        self, client_of, trainee, attempt
    ):
        client = client_of(trainee)
        path = reverse("attempt_submit", args=[attempt.pk])
        assert client.get(path).status_code == 403
        assert client.post(path).status_code == 403
        attempt.refresh_from_db()
        assert attempt.is_in_progress


class TestSebFileDownload:
    def test_trainee_downloads_the_seb_file(self, client_of, trainee, quiz):
        response = client_of(trainee).get(reverse("quiz_seb_file", args=[quiz.slug]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/seb"
        assert response.content == fixture("exam.seb")
        assert f'filename="{quiz.slug}.seb"' in response["Content-Disposition"]

    def test_quiz_without_file_is_not_found(self, client_of, trainee):
        quiz = quiz_with_questions(1)
        path = reverse("quiz_seb_file", args=[quiz.slug])
        assert client_of(trainee).get(path).status_code == 404

    def test_download_needs_a_log_in(self, client, quiz):
        response = client.get(reverse("quiz_seb_file", args=[quiz.slug]))
        assert response.status_code == 302
        assert "/accounts/login/" in response.url


# What production sets (quizsite/settings/production.py): the proxy terminates TLS
# and says so in X-Forwarded-Proto; it passes the browser's Host header on.
PROXIED = {"X-Forwarded-Proto": "https", "Host": "quiz.example.org"}


@pytest.fixture
def behind_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["quiz.example.org", "testserver"]


@pytest.mark.usefixtures("behind_proxy")
class TestBehindTlsProxy:
    def test_hash_of_the_https_url_the_browser_sees_is_accepted(
        self, client_of, trainee, quiz
    ):
        """Behind the proxy Django speaks plain HTTP, but SEB hashed the https
        URL: that is the one checked."""
        path = start_path(quiz)
        headers = PROXIED | config_key_headers(path, server="https://quiz.example.org")
        assert client_of(trainee).post(path, headers=headers).status_code == 302

    def test_hash_of_the_http_url_is_refused(self, client_of, trainee, quiz):
        path = start_path(quiz)
        headers = PROXIED | config_key_headers(path, server="http://quiz.example.org")
        assert client_of(trainee).post(path, headers=headers).status_code == 403

    def test_forwarded_host_is_not_trusted(self, client_of, trainee, quiz):
        """X-Forwarded-Host is ignored (USE_X_FORWARDED_HOST is off): a client
        cannot choose the host part of the URL checked."""
        path = start_path(quiz)
        headers = (
            PROXIED
            | {"X-Forwarded-Host": "evil.example"}
            | config_key_headers(path, server="https://evil.example")
        )
        assert client_of(trainee).post(path, headers=headers).status_code == 403

    def test_refusal_page_links_the_https_seb_file_as_sebs(
        self, client_of, trainee, quiz
    ):
        page = client_of(trainee).post(start_path(quiz), headers=PROXIED)
        link = f"sebs://quiz.example.org/quizzes/{quiz.slug}/safe-exam-browser.seb"
        assert f'href="{link}"' in page.content.decode()


def test_existing_quizzes_do_not_require_seb(client_of, trainee):
    """The migration's default: a quiz made before SEB (no SEB field set) is
    started and sat with no header, as before."""
    assert Quiz._meta.get_field("seb_required").default is False
    quiz = quiz_with_questions(1)
    client = client_of(trainee)
    response = client.post(start_path(quiz))
    assert response.status_code == 302
    assert client.get(response.url).status_code == 200


def test_attempt_page_in_seb_registers_no_offline_worker(client_of, trainee, attempt):
    """The offline worker's own fetches of a page need not carry SEB's headers
    (they would be refused): a SEB quiz's page does not register it."""
    path = attempt.get_absolute_url()
    page = client_of(trainee).get(path, headers=config_key_headers(path))
    assert page.status_code == 200
    assert "data-service-worker-url" not in page.content.decode()


def test_attempt_page_of_other_quizzes_keeps_the_offline_worker(client_of, trainee):
    quiz = quiz_with_questions(1)
    response = client_of(trainee).post(start_path(quiz), follow=True)
    assert "data-service-worker-url" in response.content.decode()


class TestProblemReport:
    def report(self, client, attempt, headers=None):
        answer = attempt.answers.order_by("position").first()
        path = reverse("question_report", args=[attempt.pk, answer.question_id])
        data = {"category": "key", "text": "The key looks wrong."}
        return client.post(path, data, headers=headers or {})

    def test_report_during_a_seb_sitting_outside_seb_is_refused(
        self, client_of, trainee, attempt
    ):
        assert self.report(client_of(trainee), attempt).status_code == 403

    def test_report_after_the_sitting_is_not_asked_for_seb(
        self, client_of, trainee, attempt
    ):
        """Like the result and the review: the sitting is over."""
        attempt_finish(attempt=attempt, now=NOW)
        assert self.report(client_of(trainee), attempt).status_code == 302
