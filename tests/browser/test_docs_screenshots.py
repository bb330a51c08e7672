"""The trainee's two main screens on the seed content, as docs/ shows them.

With UPDATE_DOCS_SCREENSHOTS=1 these tests write docs/trainee-dashboard-*.png and
docs/trainee-attempt-*.png (1280 and 375 px wide); otherwise the pictures go with
the other browser artefacts. Either way they check what the pictures must show: the
dashboard's parts in order, and on the attempt screen the sticky bar and Next within
the first screen, with nothing scrolling sideways.
"""

import random

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from quizzes.models import Quiz
from quizzes.services.attempts import answer_save, attempt_finish, attempt_start
from tests.browser.conftest import DESKTOP, DOCS_SCREENSHOTS, PHONE
from tests.browser.helpers import on_question

# What a page looks like, not how it is stored: once is enough (tests/conftest.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.backend_independent]

SIZES = {"1280": DESKTOP, "375": PHONE}
DASHBOARD_PARTS = ["In progress", "Today", "Next step", "Mastery by section"]


@pytest.fixture
def sitting(seeded, trainee):
    """Two finished practice quizzes (about two answers in three right) and the
    comprehensive exam in progress, its first question answered."""
    now = timezone.now()
    rng = random.Random(3)
    for quiz in Quiz.objects.filter(slug__startswith="practice-").order_by("pk")[:2]:
        attempt = attempt_start(trainee=trainee, quiz=quiz, now=now, rng=rng).attempt
        for answer in attempt.answers.select_related("question"):
            right = rng.random() < 0.67
            choice = answer.question.choices.filter(is_correct=right).first()
            answer_save(
                attempt=attempt,
                question_id=answer.question_id,
                choice_ids=[choice.pk],
                flagged=None,
                now=now,
            )
        attempt_finish(attempt=attempt, now=now)
    exam = Quiz.objects.get(slug__startswith="comprehensive-")
    return attempt_start(trainee=trainee, quiz=exam, now=now, rng=rng).attempt


def fits(page: Page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement"
        ".clientWidth"
    )


@pytest.mark.parametrize("width", SIZES)
def test_the_dashboard_shows_its_parts_in_order_at(page: Page, login, sitting, width):
    page.set_viewport_size(SIZES[width])
    login(sitting.trainee)
    headings = page.get_by_role("heading", level=2).all_inner_texts()
    assert [h for h in headings if h in DASHBOARD_PARTS] == DASHBOARD_PARTS
    expect(page.get_by_role("region", name="In progress")).to_contain_text(
        sitting.quiz.title
    )
    assert fits(page)
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=DOCS_SCREENSHOTS / f"trainee-dashboard-{width}.png", full_page=True
    )


@pytest.mark.parametrize("width", SIZES)
def test_the_attempt_screen_keeps_its_bar_and_next_in_view_at(
    page: Page, login, sitting, width
):
    size = SIZES[width]
    page.set_viewport_size(size)
    login(sitting.trainee, path=sitting.get_absolute_url())
    count = sitting.answers.count()
    on_question(page, 1, count)
    page.get_by_role("radio").first.check()
    expect(page.locator("[data-save-status]")).to_have_text("Saved.")
    next_button = page.get_by_role("button", name="Next", exact=True)
    box = next_button.bounding_box()
    assert box and box["y"] + box["height"] <= size["height"], box
    assert fits(page)
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=DOCS_SCREENSHOTS / f"trainee-attempt-{width}.png")
    page.mouse.wheel(0, 400)
    expect(page.locator(".attempt-bar")).to_be_in_viewport()
