"""Cheating the clock: only the server's time counts.

Parallel submits and concurrent starts are raced for real in
tests/services/test_attempts_concurrency.py; here, the requests a trainee could
forge or replay.
"""

import json
from datetime import UTC, datetime, timedelta

import pytest

from quizzes.models import Answer, Attempt
from tests.factories import QuestionFactory, QuizFactory, UserFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def setup(client, time_machine):
    time_machine.move_to(T0, tick=False)
    questions = [QuestionFactory() for _ in range(2)]
    quiz = QuizFactory(with_questions=questions)
    client.force_login(UserFactory())
    attempt = client.post(f"/api/quizzes/{quiz.slug}/attempts").json()
    return client, quiz, attempt, questions


def put(client, url, body, **headers):
    return client.put(url, json.dumps(body), content_type="application/json", **headers)


def test_a_client_supplied_time_is_refused(setup):
    client, _, attempt, questions = setup
    url = f"/api/attempts/{attempt['id']}/answers/{questions[0].pk}"
    response = put(client, url, {"choices": [], "saved_at": "2099-01-01T00:00:00Z"})
    assert response.status_code == 400
    assert "saved_at" in response.json()["error"]


def test_a_skewed_client_clock_does_not_buy_time(setup, time_machine):
    client, _, attempt, questions = setup
    time_machine.move_to(T0 + timedelta(minutes=11), tick=False)
    url = f"/api/attempts/{attempt['id']}/answers/{questions[0].pk}"
    earlier = "Sun, 01 Mar 2026 09:01:00 GMT"  # what a clock set back would send
    response = put(client, url, {"choices": []}, HTTP_DATE=earlier)
    assert response.status_code == 409


def test_a_replayed_save_after_the_deadline_is_refused(setup, time_machine):
    client, _, attempt, questions = setup
    url = f"/api/attempts/{attempt['id']}/answers/{questions[0].pk}"
    right = questions[0].choices.get(is_correct=True).pk
    wrong = questions[0].choices.filter(is_correct=False).first().pk
    assert put(client, url, {"choices": [wrong]}).status_code == 200
    time_machine.move_to(T0 + timedelta(minutes=10, seconds=3), tick=False)
    assert put(client, url, {"choices": [right]}).status_code == 409
    stored = Answer.objects.get(attempt_id=attempt["id"], question=questions[0])
    assert stored.choice_ids == [wrong]


def test_a_replayed_save_after_submit_is_refused_and_the_score_stands(setup):
    client, _, attempt, questions = setup
    url = f"/api/attempts/{attempt['id']}/answers/{questions[0].pk}"
    right = questions[0].choices.get(is_correct=True).pk
    result = client.post(f"/api/attempts/{attempt['id']}/submit").json()
    assert put(client, url, {"choices": [right]}).status_code == 409
    again = client.post(f"/api/attempts/{attempt['id']}/submit").json()
    assert again == result
    assert Attempt.objects.get(pk=attempt["id"]).score == 0


def test_starting_again_never_opens_a_second_attempt_with_fresh_questions(setup):
    client, quiz, attempt, _ = setup
    again = client.post(f"/api/quizzes/{quiz.slug}/attempts")
    assert again.status_code == 200
    assert again.json()["id"] == attempt["id"]
    assert again.json()["questions"] == attempt["questions"]
    assert Attempt.objects.filter(quiz=quiz).count() == 1


def test_a_quiz_not_open_yet_shows_no_question(client, time_machine):
    time_machine.move_to(T0, tick=False)
    question = QuestionFactory(stem="A stem nobody may read before the opening?")
    quiz = QuizFactory(with_questions=[question], opens_at=T0 + timedelta(hours=1))
    client.force_login(UserFactory())
    assert client.post(f"/api/quizzes/{quiz.slug}/attempts").status_code == 409
    for url in ["/", f"/quizzes/{quiz.slug}/"]:
        assert question.stem not in client.get(url).content.decode()
    assert not Attempt.objects.exists()
