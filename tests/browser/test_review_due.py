"""Journey: a trainee with due cards opens "Review due", starts the session,
answers it in tutor mode, and finds the cards rescheduled; and the page's
accessibility.

The cards are made due by reviewing them days ago (``review_record`` with an
injected ``now``): no sleeping, no waiting for a clock.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from quizzes.models import Attempt, ReviewCard
from quizzes.services.reviews import review_record
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.helpers import tutor_answer_all_and_submit
from tests.browser.test_accessibility import (
    FITS_AND_TARGETS,
    MIN_TARGET_PX,
    blocking_violations,
)
from tests.factories import QuestionFactory, SectionFactory

pytestmark = pytest.mark.django_db(transaction=True)
DAY = timedelta(days=1)


def cards_due(trainee, *, due: int, later: int = 0):
    """``due`` cards due now (answered right 3, 4, … days ago: the oldest is due
    soonest), and ``later`` answered right an hour ago. Returns the due questions,
    soonest due first."""
    section = SectionFactory(title="Airway")
    now = timezone.now()
    questions = [QuestionFactory(section=section) for _ in range(due + later)]
    for days_ago, question in enumerate(questions[:due], start=3):
        review_record(
            trainee=trainee,
            question_id=question.pk,
            correct=True,
            confidence=None,
            now=now - days_ago * DAY,
        )
    for question in questions[due:]:
        review_record(
            trainee=trainee,
            question_id=question.pk,
            correct=True,
            confidence=None,
            now=now - timedelta(hours=1),
        )
    return list(reversed(questions[:due]))


def test_a_due_review_session_is_answered_in_tutor_mode_and_reschedules_the_cards(
    page, login, trainee, screenshot
):
    """Home says 2 reviews are due; the page offers 2; the session asks them
    soonest due first, with feedback after each; once finished, both cards are
    due again later than now, and the page says nothing is due."""
    soonest_first = cards_due(trainee, due=2, later=1)
    started = timezone.now()
    login(trainee)
    page.get_by_role("link", name="Reviews due: 2").click()
    expect(page.get_by_role("heading", name="Review due")).to_be_visible()
    expect(page.get_by_text("2 reviews due now.")).to_be_visible()
    expect(page.get_by_label("Number of questions")).to_have_value("2")
    screenshot("review-due")
    page.get_by_role("button", name="Start review (2 questions)").click()

    attempt = Attempt.objects.get(trainee=trainee)
    assert attempt.quiz.title.startswith("Review due: 2 questions")
    asked = attempt.answers.order_by("position").values_list("question_id", flat=True)
    assert list(asked) == [q.pk for q in soonest_first]
    tutor_answer_all_and_submit(page, 2)

    attempt.refresh_from_db()
    assert attempt.state == "finished"
    for question in soonest_first:
        card = ReviewCard.objects.get(trainee=trainee, question=question)
        assert card.reps == 2 and card.last_review >= started
        assert card.due > started
    page.goto("/study/review/")
    expect(page.get_by_text("0 reviews due now.")).to_be_visible()
    expect(page.get_by_text("The next card is due")).to_be_visible()
    expect(page.get_by_role("button", name="Start review")).to_have_count(0)


def test_the_button_follows_the_number_typed(page, login, trainee):
    """The label counts what will be asked; out of range it just says Start."""
    cards_due(trainee, due=3)
    login(trainee)
    page.goto("/study/review/")
    count = page.get_by_label("Number of questions")
    count.fill("1")
    expect(page.get_by_role("button", name="Start review (1 question)")).to_be_visible()
    count.fill("0")
    expect(page.get_by_role("button", name="Start review", exact=True)).to_be_visible()
    page.get_by_role("button", name="Start review").click()
    expect(page.locator("#count-error")).to_have_text(
        "Choose between 1 and 100 questions."
    )
    expect(count).to_have_attribute("aria-describedby", "count-error")


def test_the_review_page_has_no_axe_violation_and_fits_a_phone(page, login, trainee):
    """axe finds nothing serious at 1280 and 375 px, nor after a refused POST;
    at 375 px nothing scrolls sideways, every target is 44 px high, and the
    keyboard reaches the field and the button."""
    cards_due(trainee, due=2, later=1)
    login(trainee)
    page.goto("/study/review/")
    found = {}
    for width, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        found[width] = blocking_violations(page, "review due", width)
    measured = page.evaluate(FITS_AND_TARGETS, MIN_TARGET_PX)
    assert measured["scrollWidth"] <= measured["clientWidth"], measured
    assert measured["small"] == [], measured
    count = page.get_by_label("Number of questions")
    count.focus()
    count.fill("200")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Start review")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#count-error")).to_be_visible()
    found["refused"] = blocking_violations(page, "review due refused", "phone")
    assert found == {"desktop": [], "phone": [], "refused": []}
