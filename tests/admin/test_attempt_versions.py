"""The admin shows an attempt as its trainee met it: the pinned version's texts and
key, on the attempt's page and its review, whatever was edited since."""

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.services.attempts import answer_save, attempt_finish, attempt_start
from tests.factories import QuestionFactory, QuizFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited_attempt():
    """A finished attempt; then the question's stem and key are edited."""
    question = QuestionFactory()
    quiz = QuizFactory(with_questions=[question], time_limit=None)
    now = timezone.now()
    attempt = attempt_start(trainee=UserFactory(), quiz=quiz, now=now).attempt
    key = question.choices.get(is_correct=True)
    answer_save(
        attempt=attempt,
        question_id=question.pk,
        choice_ids=[key.pk],
        flagged=None,
        now=now,
    )
    attempt_finish(attempt=attempt, now=now)
    question.stem = "An edited stem"
    question.save()
    for choice in question.choices.all():
        choice.text = f"Edited {choice.text}"
        choice.is_correct = not choice.is_correct
        choice.save()
    return attempt


@pytest.mark.parametrize("view", ["change", "review"])
def test_the_admin_shows_the_pinned_version_after_an_edit(
    superuser_client, edited_attempt, view
):
    """Both pages show the key and texts the attempt was scored with."""
    url = reverse(f"admin:quizzes_attempt_{view}", args=[edited_attempt.pk])
    page = superuser_client.get(url).content.decode()
    assert "Intramuscular injection" in page
    assert "Edited Intramuscular" not in page
    if view == "review":
        assert "An edited stem" not in page
