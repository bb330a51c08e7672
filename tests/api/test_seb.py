"""The API of a quiz that requires Safe Exam Browser: every call of an attempt
(start, get, save, confirm, submit) carries a SEB header for its own URL, or is
refused with 403 and ``{"error": …, "code": "seb_required"}``, changing nothing."""

import json
from datetime import UTC, datetime

import pytest

from quizzes.choices import QuizMode
from quizzes.models import Attempt
from quizzes.services.attempts import attempt_start
from tests.factories import QuestionFactory, QuizFactory, SectionFactory, UserFactory
from tests.seb_requests import (
    OTHER_CONFIG_KEY,
    browser_exam_key_headers,
    config_key_headers,
    require_seb,
)
from tests.test_seb import BROWSER_EXAM_KEY

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def quiz():
    section = SectionFactory()
    quiz = QuizFactory(with_questions=[QuestionFactory(section=section)])
    return require_seb(quiz, beks=BROWSER_EXAM_KEY)


@pytest.fixture
def trainee():
    return UserFactory()


@pytest.fixture
def api(client, trainee, time_machine):
    time_machine.move_to(T0, tick=False)
    client.force_login(trainee)
    return client


@pytest.fixture
def attempt(quiz, trainee, api):
    return attempt_start(trainee=trainee, quiz=quiz, now=T0).attempt


def save_path(attempt) -> str:
    answer = attempt.answers.get()
    return f"/api/attempts/{attempt.pk}/answers/{answer.question_id}"


def save(api, attempt, headers=None):
    choice = attempt.answers.get().choice_order[0]
    return api.put(
        save_path(attempt),
        data=json.dumps({"choices": [choice]}),
        content_type="application/json",
        headers=headers or {},
    )


def assert_seb_required(response):
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "seb_required"
    assert "Safe Exam Browser" in body["error"]


class TestRefused:
    def test_start_without_header_is_403_json_and_starts_nothing(self, api, quiz):
        assert_seb_required(api.post(f"/api/quizzes/{quiz.slug}/attempts"))
        assert not Attempt.objects.filter(quiz=quiz).exists()

    def test_save_without_header_is_refused_and_saves_nothing(self, api, attempt):
        assert_seb_required(save(api, attempt))
        assert attempt.answers.get().choice_ids == []

    def test_save_with_another_quizs_key_is_refused(self, api, attempt):
        headers = config_key_headers(save_path(attempt), OTHER_CONFIG_KEY)
        assert_seb_required(save(api, attempt, headers))
        assert attempt.answers.get().choice_ids == []

    def test_save_with_the_hash_of_another_url_is_refused(self, api, attempt):
        """The attempt's GET hash does not open its save."""
        headers = config_key_headers(f"/api/attempts/{attempt.pk}")
        assert_seb_required(save(api, attempt, headers))

    def test_get_without_header_is_refused(self, api, attempt):
        assert_seb_required(api.get(f"/api/attempts/{attempt.pk}"))

    def test_submit_without_header_is_refused_and_leaves_it_open(self, api, attempt):
        assert_seb_required(api.post(f"/api/attempts/{attempt.pk}/submit"))
        attempt.refresh_from_db()
        assert attempt.is_in_progress

    def test_confirm_without_header_is_refused(self, api, trainee):
        quiz = require_seb(
            QuizFactory(mode=QuizMode.TUTOR, with_questions=[QuestionFactory()])
        )
        attempt = attempt_start(trainee=trainee, quiz=quiz, now=T0).attempt
        headers = config_key_headers(save_path(attempt))
        assert save(api, attempt, headers).status_code == 200
        response = api.post(f"{save_path(attempt)}/confirm")
        assert_seb_required(response)
        assert attempt.answers.get().locked_at is None


class TestAccepted:
    def test_start_with_config_key_hash_is_created(self, api, quiz):
        path = f"/api/quizzes/{quiz.slug}/attempts"
        response = api.post(path, headers=config_key_headers(path))
        assert response.status_code == 201

    def test_save_with_browser_exam_key_hash_is_saved(self, api, attempt):
        headers = browser_exam_key_headers(save_path(attempt))
        response = save(api, attempt, headers)
        assert response.status_code == 200
        assert response.json()["saved"] is True
        assert attempt.answers.get().choice_ids != []

    def test_get_and_submit_with_config_key_hash_pass(self, api, attempt):
        path = f"/api/attempts/{attempt.pk}"
        assert api.get(path, headers=config_key_headers(path)).status_code == 200
        path = f"/api/attempts/{attempt.pk}/submit"
        assert api.post(path, headers=config_key_headers(path)).status_code == 200


def test_save_in_a_quiz_without_seb_stays_one_statement(
    api, trainee, django_assert_num_queries
):
    """The SEB rule costs a quiz without SEB nothing: the save is still the
    session, the user and the one conditional UPDATE (which also checks, by the
    quiz's primary key, that the quiz does not require SEB)."""
    quiz = QuizFactory(with_questions=[QuestionFactory()])
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=T0).attempt
    path, choice = save_path(attempt), attempt.answers.get().choice_order[0]
    body = json.dumps({"choices": [choice]})
    with django_assert_num_queries(3) as ctx:
        response = api.put(path, data=body, content_type="application/json")
    assert response.status_code == 200
    assert "seb_required" in ctx.captured_queries[-1]["sql"]
