"""The statistics page of a quiz in a browser: it fits 1280 px, works on a phone and
with the keyboard, and the question list shows its flags.

The cohort is the benchmark's (``item_analysis_cohort_seed``, a logistic model),
small: 60 trainees × 14 questions.
"""

from __future__ import annotations

import random

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from quizzes.services.item_analysis_seed import item_analysis_cohort_seed
from tests.admin.factories import SuperuserFactory
from tests.browser.conftest import DESKTOP, DOCS_SCREENSHOTS, PHONE
from tests.browser.test_admin_layout import OVERFLOW_JS, log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def quiz(db):
    return item_analysis_cohort_seed(
        slug="statistics",
        attempts=60,
        questions=14,
        now=timezone.now(),
        rng=random.Random(11),
    )


def test_the_statistics_page_fits_1280_px_and_a_phone(
    page: Page, context: BrowserContext, quiz, live_server
):
    """At 1280 px nothing scrolls sideways, the histogram and both tables are in
    view; at 375 px the page itself does not scroll sideways (the question table
    scrolls in its own box). The question list then shows the flags."""
    log_in(context, SuperuserFactory(), live_server)
    url = reverse("admin:quizzes_quiz_statistics", args=[quiz.pk])
    assert page.viewport_size == DESKTOP
    assert page.goto(live_server.url + url).status == 200
    assert page.evaluate(OVERFLOW_JS) == []
    chart = page.locator("svg.chart")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["x"] + chart.bounding_box()["width"] <= 1280
    expect(page.locator("#scores-title")).to_contain_text("Scores of the first")
    expect(page.locator("table.stats-questions tbody tr")).to_have_count(14)
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=DOCS_SCREENSHOTS / "admin-quiz-statistics.png", full_page=True)

    page.set_viewport_size(PHONE)
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page {width}px wide on a phone"
    page.set_viewport_size(DESKTOP)

    questions = reverse("admin:quizzes_question_changelist")
    page.goto(live_server.url + questions + "?flagged=yes")
    assert page.evaluate(OVERFLOW_JS) == []
    links = page.locator(f'#result_list a[href^="{url}#q-"]')
    assert links.count() > 0


def test_the_switch_and_recompute_work_from_the_keyboard(
    page: Page, context: BrowserContext, quiz, live_server
):
    """Tab reaches "All attempts" and Enter follows it; "Recompute now" is a
    button that Enter submits (a CSRF-protected POST), back on the same view."""
    log_in(context, SuperuserFactory(), live_server)
    url = reverse("admin:quizzes_quiz_statistics", args=[quiz.pk])
    page.goto(live_server.url + url)
    page.get_by_role("link", name="All attempts").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**?attempts=all")
    expect(page.get_by_text("All attempts", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    page.get_by_role("button", name="Recompute now").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**?attempts=all")
    expect(page.locator(".messagelist")).to_contain_text("recomputed")
