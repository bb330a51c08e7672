"""The quiz list and the quiz page show a trainee's own settings (their overrides)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.factories import QuizOverrideFactory
from tests.views.conftest import NOW
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_quiz():
    """Closed an hour ago, one attempt, 20 minutes."""
    return quiz_with_questions(
        1,
        title="Routes exam",
        closes_at=NOW - timedelta(hours=1),
        attempts_allowed=1,
        time_limit=timedelta(minutes=20),
    )


def test_a_reopened_quiz_reads_open_with_its_own_limit_and_attempts(
    client_of, trainee, other_trainee, clock, closed_quiz
):
    """With an override (later close, 3 attempts, 45 minutes) the trainee's list and
    quiz page say open, 3 of 3 left, 45 minutes, and offer Start; another trainee
    still reads closed."""
    QuizOverrideFactory(
        quiz=closed_quiz,
        trainee=trainee,
        closes_at=NOW + timedelta(days=1),
        attempts_allowed=3,
        time_limit=timedelta(minutes=45),
    )
    mine = client_of(trainee)
    home = mine.get(reverse("home")).content.decode()
    assert "Open until 03 March 2026" in home and "45 minutes" in home
    page = mine.get(closed_quiz.get_absolute_url()).content.decode()
    assert "Time limit: 45 minutes" in page
    assert "3 of 3" in page
    assert "This quiz is closed." not in page
    theirs = client_of(other_trainee).get(closed_quiz.get_absolute_url())
    assert "This quiz is closed." in theirs.content.decode()
    assert (
        "Closed since" in client_of(other_trainee).get(reverse("home")).content.decode()
    )
