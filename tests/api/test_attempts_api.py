"""The JSON API, request by request, as the attempt page's script uses it."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from quizzes.choices import QuestionKind, QuizMode, ReviewFrom, ReviewShows
from quizzes.models import Answer, Attempt, LateAnswer, ReviewCard
from tests.factories import QuestionFactory, QuizFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def questions():
    section = SectionFactory()
    return [
        QuestionFactory(section=section),
        QuestionFactory(section=section, kind=QuestionKind.MULTIPLE),
        QuestionFactory(section=section, kind=QuestionKind.TRUE_FALSE),
    ]


@pytest.fixture
def quiz(questions):
    return QuizFactory(with_questions=questions, pass_mark=60)


@pytest.fixture
def trainee():
    return UserFactory()


@pytest.fixture
def api(client, trainee, time_machine):
    time_machine.move_to(T0, tick=False)
    client.force_login(trainee)
    return client


def put(client, url, body):
    return client.put(url, data=json.dumps(body), content_type="application/json")


def start(api, quiz):
    return api.post(f"/api/quizzes/{quiz.slug}/attempts")


def key_of(question):
    return [c.pk for c in question.choices.all() if c.is_correct]


class TestStart:
    def test_start_returns_201_with_questions_and_no_keys(self, api, quiz, questions):
        response = start(api, quiz)
        assert response.status_code == 201
        body = response.json()
        assert body["state"] == "in_progress"
        assert body["seconds_left"] == 600
        assert [q["id"] for q in body["questions"]] == [q.pk for q in questions]
        assert set(body["questions"][0]["choices"][0]) == {"id", "text"}

    def test_start_again_returns_the_attempt_in_progress(self, api, quiz):
        first = start(api, quiz).json()
        again = start(api, quiz)
        assert again.status_code == 200
        assert again.json()["id"] == first["id"]

    def test_no_attempts_left_is_409_with_an_error(self, api, quiz):
        quiz.attempts_allowed = 1
        quiz.save()
        attempt_id = start(api, quiz).json()["id"]
        api.post(f"/api/attempts/{attempt_id}/submit")
        response = start(api, quiz)
        assert response.status_code == 409
        assert "used all 1" in response.json()["error"]

    def test_closed_quiz_is_409(self, api, quiz):
        quiz.closes_at = T0 - timedelta(minutes=1)
        quiz.opens_at = T0 - timedelta(days=1)
        quiz.save()
        assert start(api, quiz).status_code == 409

    def test_unknown_quiz_is_404(self, api):
        assert api.post("/api/quizzes/nope/attempts").status_code == 404

    def test_anonymous_is_401(self, client, quiz):
        assert client.post(f"/api/quizzes/{quiz.slug}/attempts").status_code == 401


class TestSave:
    def test_save_returns_saved_and_the_server_time_left(
        self, api, quiz, questions, time_machine
    ):
        attempt_id = start(api, quiz).json()["id"]
        time_machine.move_to(T0 + timedelta(seconds=90), tick=False)
        url = f"/api/attempts/{attempt_id}/answers/{questions[0].pk}"
        response = put(api, url, {"choices": key_of(questions[0]), "flagged": True})
        assert response.status_code == 200
        assert response.json() == {
            "saved": True,
            "applied": True,
            "seq": 0,
            "seconds_left": 510,
        }
        answer = api.get(f"/api/attempts/{attempt_id}").json()["answers"][0]
        assert answer["choices"] == key_of(questions[0]) and answer["flagged"]

    def test_answer_after_deadline_is_409(self, api, quiz, questions, time_machine):
        attempt_id = start(api, quiz).json()["id"]
        time_machine.move_to(T0 + timedelta(minutes=10, seconds=3), tick=False)
        url = f"/api/attempts/{attempt_id}/answers/{questions[0].pk}"
        response = put(api, url, {"choices": key_of(questions[0])})
        assert response.status_code == 409
        assert "Time is up" in response.json()["error"]
        assert Attempt.objects.get(pk=attempt_id).state == "expired"

    def test_older_numbered_change_is_acknowledged_but_not_applied(
        self, api, quiz, questions
    ):
        """The page drops a replayed change from its queue either way: the reply
        says whether it was applied, and the number of the change kept."""
        attempt_id = start(api, quiz).json()["id"]
        url = f"/api/attempts/{attempt_id}/answers/{questions[1].pk}"
        choices = [c.pk for c in questions[1].choices.all()]
        newer = put(api, url, {"choices": choices[:2], "seq": 4}).json()
        older = put(api, url, {"choices": choices[:1], "seq": 3})
        assert older.status_code == 200
        assert (newer["applied"], newer["seq"]) == (True, 4)
        assert (older.json()["applied"], older.json()["seq"]) == (False, 4)
        answer = api.get(f"/api/attempts/{attempt_id}").json()["answers"][1]
        assert (answer["choices"], answer["seq"]) == (choices[:2], 4)

    def test_late_change_is_409_and_kept_once_for_the_result(
        self, api, quiz, questions, time_machine
    ):
        attempt_id = start(api, quiz).json()["id"]
        time_machine.move_to(T0 + timedelta(minutes=10, seconds=3), tick=False)
        url = f"/api/attempts/{attempt_id}/answers/{questions[0].pk}"
        for _ in range(2):
            response = put(api, url, {"choices": key_of(questions[0]), "seq": 9})
            assert response.status_code == 409
        assert list(
            LateAnswer.objects.values_list("attempt_id", "question_id", "seq")
        ) == [(attempt_id, questions[0].pk, 9)]

    @pytest.mark.parametrize(
        "seq", ["0", "-1", '"1"', "true", "1.5", str(2**31)], ids=repr
    )
    def test_sequence_number_must_be_a_positive_integer(
        self, api, quiz, questions, seq
    ):
        attempt_id = start(api, quiz).json()["id"]
        url = f"/api/attempts/{attempt_id}/answers/{questions[0].pk}"
        body = '{"choices": [], "seq": ' + seq + "}"
        response = api.put(url, data=body, content_type="application/json")
        assert response.status_code == 400
        assert "seq" in response.json()["error"]

    def test_choice_of_another_question_is_400(self, api, quiz, questions):
        attempt_id = start(api, quiz).json()["id"]
        url = f"/api/attempts/{attempt_id}/answers/{questions[0].pk}"
        response = put(api, url, {"choices": key_of(questions[1])[:1]})
        assert response.status_code == 400
        assert "not an option" in response.json()["error"]

    def test_struck_options_are_saved_and_returned(self, api, quiz, questions):
        """``struck`` travels with the autosave and comes back with the answer."""
        attempt_id = start(api, quiz).json()["id"]
        url = f"/api/attempts/{attempt_id}/answers/{questions[1].pk}"
        options = [c.pk for c in questions[1].choices.order_by("order", "pk")]
        body = {"choices": options[:1], "struck": options[1:3], "seq": 1}
        assert put(api, url, body).json()["applied"]
        answer = api.get(f"/api/attempts/{attempt_id}").json()["answers"][1]
        assert (answer["choices"], answer["struck"]) == (options[:1], options[1:3])

    def test_struck_option_of_another_question_is_400_saying_which(
        self, api, quiz, questions
    ):
        attempt_id = start(api, quiz).json()["id"]
        url = f"/api/attempts/{attempt_id}/answers/{questions[0].pk}"
        stranger = key_of(questions[1])[0]
        response = put(api, url, {"choices": [], "struck": [stranger]})
        assert response.status_code == 400
        assert response.json()["error"] == (
            f"struck: choice {stranger} is not an option of question {questions[0].pk}."
        )

    @pytest.mark.parametrize("struck", ['"1"', "[true]", '["1"]', "[1.5]"], ids=repr)
    def test_struck_must_be_a_list_of_integers(self, api, quiz, questions, struck):
        attempt_id = start(api, quiz).json()["id"]
        url = f"/api/attempts/{attempt_id}/answers/{questions[0].pk}"
        body = '{"choices": [], "struck": ' + struck + "}"
        response = api.put(url, data=body, content_type="application/json")
        assert response.status_code == 400
        assert "struck" in response.json()["error"]

    def test_two_choices_on_a_single_question_is_400(self, api, quiz, questions):
        attempt_id = start(api, quiz).json()["id"]
        url = f"/api/attempts/{attempt_id}/answers/{questions[0].pk}"
        two = [c.pk for c in questions[0].choices.all()][:2]
        assert put(api, url, {"choices": two}).status_code == 400

    def test_question_not_in_the_attempt_is_404(self, api, quiz):
        attempt_id = start(api, quiz).json()["id"]
        url = f"/api/attempts/{attempt_id}/answers/{QuestionFactory().pk}"
        assert put(api, url, {"choices": []}).status_code == 404

    def test_an_attempt_id_beyond_the_database_integer_is_404(
        self, api, quiz, questions
    ):
        """An id no row can have is simply not found, not a 500 (the save's raw
        statement would overflow the database's integer)."""
        start(api, quiz)
        url = f"/api/attempts/{10**30}/answers/{questions[0].pk}"
        assert put(api, url, {"choices": []}).status_code == 404

    def test_a_question_id_beyond_the_database_integer_is_404(
        self, api, quiz, questions
    ):
        attempt_id = start(api, quiz).json()["id"]
        url = f"/api/attempts/{attempt_id}/answers/{10**30}"
        assert put(api, url, {"choices": []}).status_code == 404
        confirm = api.post(f"{url}/confirm")
        assert confirm.status_code in (404, 409), confirm.content

    def test_a_choice_id_beyond_the_database_integer_is_400(self, api, quiz, questions):
        attempt_id = start(api, quiz).json()["id"]
        url = f"/api/attempts/{attempt_id}/answers/{questions[0].pk}"
        for body in ({"choices": [10**30]}, {"choices": [], "struck": [10**30]}):
            response = put(api, url, body)
            assert response.status_code == 400, response.content
            assert response.json()["error"]

    def test_another_trainees_attempt_is_404(self, api, quiz, questions):
        attempt_id = start(api, quiz).json()["id"]
        other = Client()
        other.force_login(UserFactory())
        url = f"/api/attempts/{attempt_id}/answers/{questions[0].pk}"
        assert put(other, url, {"choices": []}).status_code == 404
        assert other.get(f"/api/attempts/{attempt_id}").status_code == 404
        assert other.post(f"/api/attempts/{attempt_id}/submit").status_code == 404

    @pytest.mark.parametrize(
        ("body", "needle"),
        [
            ("{not json", ""),
            ('{"choices": "1"}', "choices"),
            ('{"choices": ["1"]}', "choices"),
            ('{"choices": [1], "flagged": "yes"}', "flagged"),
            ('{"choices": [1], "extra": 1}', "extra"),
            ("[]", ""),
            ('{"choices": [' + ",".join(["1"] * 100) + "]}", "choices"),
        ],
    )
    def test_malformed_bodies_are_400_with_a_clear_error(
        self, api, quiz, questions, body, needle
    ):
        attempt_id = start(api, quiz).json()["id"]
        url = f"/api/attempts/{attempt_id}/answers/{questions[0].pk}"
        response = api.put(url, data=body, content_type="application/json")
        assert response.status_code == 400
        assert needle in response.json()["error"]

    def test_oversized_body_is_413_with_a_json_error(self, api, quiz, questions):
        attempt_id = start(api, quiz).json()["id"]
        url = f"/api/attempts/{attempt_id}/answers/{questions[0].pk}"
        body = json.dumps({"choices": [1], "pad": "x" * 3_000_000})
        response = api.put(url, data=body, content_type="application/json")
        assert response.status_code == 413
        assert "limit" in response.json()["error"]

    def test_state_changes_need_the_csrf_token(self, trainee, quiz):
        client = Client(enforce_csrf_checks=True)
        client.force_login(trainee)
        assert client.post(f"/api/quizzes/{quiz.slug}/attempts").status_code == 403
        assert not Attempt.objects.exists()


class TestSubmitAndReview:
    def test_submit_scores_and_a_second_call_returns_the_same(
        self, api, quiz, questions
    ):
        attempt_id = start(api, quiz).json()["id"]
        for q in questions[:2]:
            put(
                api,
                f"/api/attempts/{attempt_id}/answers/{q.pk}",
                {"choices": key_of(q)},
            )
        first = api.post(f"/api/attempts/{attempt_id}/submit")
        assert first.status_code == 200
        assert first.json() == {
            "state": "finished",
            "score": 2.0,
            "max_score": 3,
            "percent": 66.7,
            "passed": True,
            "regrade_notices": [],
        }
        assert api.post(f"/api/attempts/{attempt_id}/submit").json() == first.json()

    def test_review_shows_keys_rationales_explanation_and_quote_after_finish(
        self, api, quiz, questions
    ):
        attempt_id = start(api, quiz).json()["id"]
        api.post(f"/api/attempts/{attempt_id}/submit")
        body = api.get(f"/api/attempts/{attempt_id}").json()
        assert body["review_allowed"] is True
        feedback = body["feedback"][0]
        assert feedback["correct_choice_ids"] == key_of(questions[0])
        assert feedback["source_quote"] == questions[0].source_quote
        assert feedback["explanation"] == questions[0].explanation
        assert feedback["choices"][0]["rationale"]

    def test_score_only_policy_never_shows_keys(self, api, quiz):
        quiz.review_shows = ReviewShows.SCORE_ONLY
        quiz.save()
        attempt_id = start(api, quiz).json()["id"]
        api.post(f"/api/attempts/{attempt_id}/submit")
        body = api.get(f"/api/attempts/{attempt_id}").json()
        assert body["result"]["max_score"] == 3
        assert (body["review_allowed"], body["feedback"]) == (False, [])

    def test_review_after_close_waits_for_the_close(self, api, quiz, time_machine):
        quiz.review_from = ReviewFrom.AFTER_CLOSE
        quiz.closes_at = T0 + timedelta(hours=1)
        quiz.save()
        attempt_id = start(api, quiz).json()["id"]
        api.post(f"/api/attempts/{attempt_id}/submit")
        assert api.get(f"/api/attempts/{attempt_id}").json()["feedback"] == []
        time_machine.move_to(T0 + timedelta(hours=1), tick=False)
        assert api.get(f"/api/attempts/{attempt_id}").json()["feedback"]

    def test_idle_attempt_is_expired_on_the_next_get(self, api, quiz, time_machine):
        attempt_id = start(api, quiz).json()["id"]
        time_machine.move_to(T0 + timedelta(hours=2), tick=False)
        body = api.get(f"/api/attempts/{attempt_id}").json()
        assert body["state"] == "expired"
        assert body["seconds_left"] == 0
        stored = Attempt.objects.get(pk=attempt_id)
        assert stored.finished_at == T0 + timedelta(minutes=10)


class TestTutorMode:
    def test_confirm_locks_and_reveals_only_that_question(self, api, questions):
        quiz = QuizFactory(with_questions=questions, mode=QuizMode.TUTOR)
        attempt_id = start(api, quiz).json()["id"]
        first = questions[0]
        put(
            api,
            f"/api/attempts/{attempt_id}/answers/{first.pk}",
            {"choices": key_of(first)},
        )
        response = api.post(f"/api/attempts/{attempt_id}/answers/{first.pk}/confirm")
        assert response.status_code == 200
        assert response.json()["feedback"]["correct_choice_ids"] == key_of(first)
        body = api.get(f"/api/attempts/{attempt_id}").json()
        assert [f["question_id"] for f in body["feedback"]] == [first.pk]
        again = put(
            api, f"/api/attempts/{attempt_id}/answers/{first.pk}", {"choices": []}
        )
        assert again.status_code == 409

    def test_confirm_in_exam_mode_is_refused(self, api, quiz, questions):
        attempt_id = start(api, quiz).json()["id"]
        q = questions[0]
        put(api, f"/api/attempts/{attempt_id}/answers/{q.pk}", {"choices": key_of(q)})
        response = api.post(f"/api/attempts/{attempt_id}/answers/{q.pk}/confirm")
        assert response.status_code == 409
        assert "tutor mode" in response.json()["error"]

    @pytest.fixture
    def saved(self, api, questions):
        """A tutor attempt whose first question holds the right answer, unconfirmed."""
        quiz = QuizFactory(with_questions=questions, mode=QuizMode.TUTOR)
        attempt_id = start(api, quiz).json()["id"]
        first = questions[0]
        url = f"/api/attempts/{attempt_id}/answers/{first.pk}"
        put(api, url, {"choices": key_of(first)})
        return f"{url}/confirm"

    @pytest.mark.parametrize(("confidence", "days"), [("sure", 8), (None, 2)])
    def test_confirm_takes_an_optional_confidence(
        self, api, trainee, saved, confidence, days
    ):
        """A JSON body's confidence rates the review: "sure" and right is Easy (due
        in 8 days, test_spaced), none is Good (2 days)."""
        response = api.post(
            saved,
            data=json.dumps({"confidence": confidence}),
            content_type="application/json",
        )
        assert response.status_code == 200
        card = ReviewCard.objects.get(trainee=trainee)
        assert card.due == T0 + timedelta(days=days)

    @pytest.mark.parametrize(
        ("body", "words"),
        [
            ({"confidence": "maybe"}, ["confidence", "'unsure' or 'sure'"]),
            ({"confidence": 1}, ["confidence"]),
            ({"confident": "sure"}, ["confident", "Extra inputs"]),
            ("[1]", ["body"]),
            ("{", ["body", "Invalid JSON"]),
        ],
    )
    def test_confirm_with_a_bad_confidence_is_a_400_naming_it(
        self, api, saved, body, words
    ):
        """The body is validated before anything changes: the answer stays open."""
        data = body if isinstance(body, str) else json.dumps(body)
        response = api.post(saved, data=data, content_type="application/json")
        assert response.status_code == 400
        for word in words:
            assert word in response.json()["error"]
        assert not Answer.objects.filter(locked_at__isnull=False).exists()
        assert not ReviewCard.objects.exists()

    def test_confirm_with_a_body_that_is_not_json_is_a_400(self, api, saved):
        """Form fields or plain text are not a confidence: refused, saying what to
        send; the body-less POST of old clients still confirms."""
        response = api.post(saved, data={"confidence": "sure"})
        assert response.status_code == 400
        assert "application/json" in response.json()["error"]
        response = api.post(saved, data="sure", content_type="text/plain")
        assert response.status_code == 400
        assert api.post(saved).status_code == 200


def test_openapi_schema_is_served(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/attempts/{attempt_id}/answers/{question_id}" in schema["paths"]
