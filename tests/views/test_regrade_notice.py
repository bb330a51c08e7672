"""A trainee sees why an attempt's score changed after it finished: a notice with
the date, the question, the reason and the scores, on the result, the review, the
history and in the API's result."""

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.services.attempts import answer_save, attempt_finish, attempt_start
from quizzes.services.regrade import regrade_commit
from tests.factories import UserFactory
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db

NOTICE = "Regraded on 2 Mar 2026 (question 2): The key was corrected. Score 3/3 → 2/3."


def _finished_with_all_correct(trainee, quiz):
    now = timezone.now()
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=now).attempt
    for answer in attempt.answers.select_related("question"):
        key = answer.question.choices.get(is_correct=True)
        answer_save(
            attempt=attempt,
            question_id=answer.question_id,
            choice_ids=[key.pk],
            flagged=None,
            now=now,
        )
    return attempt_finish(attempt=attempt, now=now)


@pytest.fixture
def regraded(trainee, clock):
    """Alice scored 3/3; then question 2's key moves and it is regraded."""
    quiz = quiz_with_questions(3)
    attempt = _finished_with_all_correct(trainee, quiz)
    question = attempt.answers.get(position=2).question
    for choice in question.choices.all():
        choice.is_correct = not choice.is_correct
        choice.save()
    regrade_commit(
        question=question,
        by=UserFactory(),
        reason="The key was corrected",
        now=timezone.now(),
    )
    return attempt


@pytest.mark.parametrize("page", ["attempt_result", "attempt_review"])
def test_the_result_and_review_show_the_regrade_notice(
    client_of, trainee, regraded, page
):
    html = client_of(trainee).get(reverse(page, args=[regraded.pk])).content.decode()
    assert NOTICE in html


def test_the_history_shows_the_notice_on_the_regraded_attempt_only(
    client_of, trainee, regraded
):
    other = _finished_with_all_correct(trainee, quiz_with_questions(2))
    html = client_of(trainee).get(reverse("history")).content.decode()
    assert html.count("Regraded on") == 1
    assert NOTICE in html
    assert other.pk


def test_the_api_result_carries_the_notices(client_of, trainee, regraded):
    body = client_of(trainee).get(f"/api/attempts/{regraded.pk}").json()
    assert body["result"]["regrade_notices"] == [NOTICE]
    assert body["result"]["score"] == 2


def test_an_attempt_never_regraded_has_no_notice(client_of, trainee, clock):
    attempt = _finished_with_all_correct(trainee, quiz_with_questions(2))
    client = client_of(trainee)
    assert (
        "Regraded on"
        not in client.get(reverse("attempt_result", args=[attempt.pk])).content.decode()
    )
    body = client.get(f"/api/attempts/{attempt.pk}").json()
    assert body["result"]["regrade_notices"] == []
