"""No response carries a key, rationale, explanation or source quote too early.

A full attempt on the real seed content, through every API call the attempt page
makes; every response body is scanned for the key's field names and for the text of
every rationale, explanation and source quote of the attempt's questions.
"""

import json

import pytest

from quizzes.models import Choice, Question, Quiz
from tests.factories import UserFactory

SECRET_FIELDS = ["is_correct", "rationale", "explanation", "source_quote", "correct_"]


def secret_texts(question_ids):
    texts = set()
    for question in Question.objects.filter(pk__in=question_ids):
        texts |= {question.explanation, question.source_quote}
    texts |= set(
        Choice.objects.filter(question_id__in=question_ids).values_list(
            "rationale", flat=True
        )
    )
    return texts


def assert_no_secret(response, texts, *, fields=True):
    body = response.content.decode()
    for field in SECRET_FIELDS if fields else []:
        assert field not in body, f"{response.request['PATH_INFO']} leaks {field}"
    for text in texts:
        # JSON escapes non-ASCII characters and quotes; compare the escaped form too.
        escaped = json.dumps(text)[1:-1]
        assert text not in body and escaped not in body, (
            f"{response.request['PATH_INFO']} leaks “{text[:60]}”"
        )


@pytest.mark.parametrize("slug", ["comprehensive-ketamine-clinical-overview"])
def test_full_exam_attempt_leaks_nothing_before_review(seeded, client, slug):
    quiz = Quiz.objects.get(slug=slug)
    client.force_login(UserFactory())
    started = client.post(f"/api/quizzes/{quiz.slug}/attempts")
    attempt = started.json()
    question_ids = [q["id"] for q in attempt["questions"]]
    texts = secret_texts(question_ids)
    responses = [started, client.get(f"/api/attempts/{attempt['id']}")]
    for question in attempt["questions"]:
        first = question["choices"][0]["id"]
        responses.append(
            client.put(
                f"/api/attempts/{attempt['id']}/answers/{question['id']}",
                data=json.dumps({"choices": [first], "flagged": True}),
                content_type="application/json",
            )
        )
    responses.append(client.get(f"/api/attempts/{attempt['id']}"))
    responses.append(client.post(f"/api/quizzes/{quiz.slug}/attempts"))
    assert len(question_ids) == 40
    for response in responses:
        assert response.status_code in (200, 201)
        assert_no_secret(response, texts)

    # After submit, the review opens: the scan would now find the key. Proving it
    # here keeps the scan itself honest.
    client.post(f"/api/attempts/{attempt['id']}/submit")
    review = client.get(f"/api/attempts/{attempt['id']}")
    with pytest.raises(AssertionError):
        assert_no_secret(review, texts)


def test_tutor_attempt_reveals_only_locked_answers(seeded, client):
    quiz = Quiz.objects.filter(slug__startswith="practice-").first()
    client.force_login(UserFactory())
    attempt = client.post(f"/api/quizzes/{quiz.slug}/attempts").json()
    locked, *others = attempt["questions"]
    url = f"/api/attempts/{attempt['id']}/answers/{locked['id']}"
    client.put(
        url,
        data=json.dumps({"choices": [locked["choices"][0]["id"]]}),
        content_type="application/json",
    )
    assert client.post(f"{url}/confirm").status_code == 200
    body = client.get(f"/api/attempts/{attempt['id']}")
    unlocked = secret_texts([q["id"] for q in others]) - secret_texts([locked["id"]])
    assert_no_secret(body, unlocked, fields=False)
    assert [f["question_id"] for f in body.json()["feedback"]] == [locked["id"]]
