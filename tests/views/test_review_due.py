"""The "Review due" page (/study/review/): the due count, the next due date, and
the POST that starts a tutor-mode session of the due cards.

The clock is pinned at NOW. A first right answer is due 2 days later, a first
wrong one 1 day later (tests/services/test_reviews.py).
"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from quizzes.choices import QuizMode
from quizzes.models import Attempt, Quiz
from quizzes.services.reviews import review_record
from tests.factories import QuestionFactory, SectionFactory
from tests.views.conftest import NOW

pytestmark = pytest.mark.django_db
REVIEW = reverse("review_due")
DAY = timedelta(days=1)


def text_of(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def questions(db):
    section = SectionFactory()
    return [QuestionFactory(section=section) for _ in range(4)]


def answered(trainee, question, *, days_ago: float, correct: bool = True):
    review_record(
        trainee=trainee,
        question_id=question.pk,
        correct=correct,
        confidence=None,
        now=NOW - days_ago * DAY,
    )


@pytest.fixture
def due_cards(trainee, questions):
    """Two cards due (questions 1 then 0) and one due tomorrow at 09:00."""
    answered(trainee, questions[0], days_ago=3)  # due NOW - 1 day
    answered(trainee, questions[1], days_ago=4)  # due NOW - 2 days
    answered(trainee, questions[2], days_ago=1)  # due NOW + 1 day
    return questions


def test_the_page_needs_a_login(client):
    response = client.get(REVIEW)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_page_shows_the_due_count_and_the_next_due_date(
    client_of, trainee, due_cards, clock
):
    """Two due now; the next card after now is due 3 Mar at 09:00; the field
    offers both (min(due, 20)) and the button says so."""
    response = client_of(trainee).get(REVIEW)
    assert response.status_code == 200
    html = response.content.decode()
    page = text_of(html)
    assert "2 reviews due now." in page
    assert "The next card is due 3 Mar 2026 09:00 UTC." in page
    assert re.search(
        r'<input type="number" name="count" id="count"[^>]*value="2"', html
    )
    assert "Start review (2 questions)" in page
    assert '<label for="count">' in html


def test_the_default_count_is_at_most_20(client_of, trainee, clock):
    """25 cards due: the field offers 20."""
    section = SectionFactory()
    for _ in range(25):
        answered(trainee, QuestionFactory(section=section), days_ago=5)
    page = text_of(client_of(trainee).get(REVIEW).content.decode())
    assert "25 reviews due now." in page
    assert "Start review (20 questions)" in page


def test_nothing_answered_shows_no_form(client_of, trainee, clock):
    """No card at all: zero due, where cards come from, and no button."""
    html = client_of(trainee).get(REVIEW).content.decode()
    assert "0 reviews due now." in text_of(html)
    assert "answer some questions first" in html
    assert "Start review" not in html


def test_starting_redirects_to_a_tutor_attempt_of_the_due_cards(
    client_of, trainee, due_cards, clock
):
    """The POST builds the session (soonest due first) and opens its attempt."""
    response = client_of(trainee).post(REVIEW, {"count": 2})
    attempt = Attempt.objects.get(trainee=trainee)
    assert response.status_code == 302
    assert response["Location"] == attempt.get_absolute_url()
    assert attempt.quiz.mode == QuizMode.TUTOR and attempt.quiz.owner == trainee
    asked = attempt.answers.order_by("position").values_list("question_id", flat=True)
    assert list(asked) == [due_cards[1].pk, due_cards[0].pk]


def test_a_smaller_count_keeps_the_soonest_due(client_of, trainee, due_cards, clock):
    client_of(trainee).post(REVIEW, {"count": 1})
    attempt = Attempt.objects.get(trainee=trainee)
    assert list(attempt.answers.values_list("question_id", flat=True)) == [
        due_cards[1].pk
    ]


@pytest.mark.parametrize(
    ("count", "problem"),
    [
        ("0", "Choose between 1 and 100 questions."),
        ("101", "Choose between 1 and 100 questions."),
        ("ten", "Enter a whole number."),
    ],
)
def test_a_bad_count_is_refused_next_to_the_field(
    client_of, trainee, due_cards, clock, count, problem
):
    """400, the problem next to the count field (linked by aria-describedby),
    what was sent kept in the field, and nothing created."""
    response = client_of(trainee).post(REVIEW, {"count": count})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(
        r'name="count"[^>]*value="' + count + r'"[^>]*aria-invalid="true" '
        r'aria-describedby="count-error"',
        html,
    )
    assert f'<p class="error" id="count-error" role="alert">{problem}</p>' in html
    assert not Quiz.objects.exists()


def test_nothing_due_is_refused_with_the_next_due_date(
    client_of, trainee, questions, clock
):
    """A POST when nothing is due (say, from a stale page): 400, saying when the
    next card falls due; no quiz is created."""
    answered(trainee, questions[0], days_ago=0.5)  # due NOW + 1.5 days
    response = client_of(trainee).post(REVIEW, {"count": 5})
    assert response.status_code == 400
    assert (
        "Nothing is due for review yet: the next card is due 3 Mar 2026 21:00 UTC."
        in text_of(response.content.decode())
    )
    assert not Quiz.objects.exists()


def test_starting_a_review_needs_the_csrf_token(trainee, due_cards, clock):
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainee)
    assert client.post(REVIEW, {"count": 2}).status_code == 403
    assert not Quiz.objects.exists()


def test_the_home_page_and_the_nav_link_to_the_reviews_due(
    client_of, trainee, due_cards, clock
):
    """ "Reviews due: 2" on the home page, and "Review due" next to "Build a test"."""
    html = client_of(trainee).get(reverse("home")).content.decode()
    assert f'<a href="{REVIEW}">Reviews due: 2</a>' in html
    assert re.search(
        r'Build a test</a>\s*<a href="' + re.escape(REVIEW) + '">Review due</a>', html
    )


def test_another_trainees_cards_are_not_counted(
    client_of, other_trainee, due_cards, clock
):
    page = text_of(client_of(other_trainee).get(REVIEW).content.decode())
    assert "0 reviews due now." in page
    assert "The next card" not in page
