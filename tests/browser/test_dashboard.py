"""Journey: the trainee's dashboard (the home page) with a history behind it.

In progress first, continued from there; mastery and reviews due as the data say;
the suggested next step opens the builder with its section ticked; at 375 px
nothing scrolls sideways, and the page works by keyboard; axe finds nothing
serious in the dark scheme either (the light one, at 1280 and 375 px, is the
"quiz list" page of tests/browser/test_accessibility.py).
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from quizzes.models import ReviewCard
from quizzes.progress import ProgressFilter, top_sections, trainee_mastery
from quizzes.selectors import review_due_count
from quizzes.services.attempts import answer_save, attempt_finish, attempt_start
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.helpers import on_question, tab_to
from tests.browser.test_accessibility import (
    FITS_AND_TARGETS,
    MIN_TARGET_PX,
    blocking_violations,
)
from tests.factories import QuestionFactory
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db(transaction=True)


def history(trainee):
    """A finished exam on "Routes" (1 of 6 right), cards for its questions due
    since yesterday, and a timed exam on "Doses" in progress."""
    now = timezone.now()
    routes = quiz_with_questions(6, title="Routes exam", time_limit=None)
    attempt = attempt_start(trainee=trainee, quiz=routes, now=now).attempt
    for answer in attempt.answers.select_related("question"):
        chosen = answer.question.choices.filter(is_correct=answer.position == 1)
        answer_save(
            attempt=attempt,
            question_id=answer.question_id,
            choice_ids=[chosen.first().pk],
            flagged=None,
            now=now,
        )
    attempt_finish(attempt=attempt, now=now)
    routes_section = routes.fixed.first().question.section
    for _ in range(5):
        QuestionFactory(section=routes_section)  # 5 unused left: a next step
    # attempt_finish made their cards (all wrong: due tomorrow); due since
    # yesterday instead.
    ReviewCard.objects.filter(trainee=trainee).update(due=now - timedelta(days=1))
    doses = quiz_with_questions(2, title="Doses exam", time_limit=timedelta(hours=1))
    sitting = attempt_start(trainee=trainee, quiz=doses, now=now).attempt
    return routes_section, sitting


def test_a_trainee_with_history_sees_in_progress_first_and_continues_it(
    page: Page, login, trainee, screenshot
):
    section, sitting = history(trainee)
    login(trainee)
    expect(page.get_by_role("heading", name="Your dashboard")).to_be_visible()
    first_section = page.get_by_role("heading", level=2).first
    expect(first_section).to_have_text("In progress")
    in_progress = page.get_by_role("region", name="In progress")
    expect(in_progress).to_contain_text("Doses exam")
    expect(in_progress).to_contain_text(" min left")
    screenshot("dashboard")

    # Mastery and reviews due: the figures the data give.
    (mastery,) = [
        m
        for s, m in trainee_mastery(
            trainee=trainee, sections=top_sections(), filters=ProgressFilter()
        )
        if s.id == section.pk
    ]
    row = page.get_by_role("row", name=section.title)
    expect(row).to_contain_text(f"{mastery.percent:.1f} %")
    expect(row.get_by_role("cell").last).to_have_text(str(mastery.answers))
    due = review_due_count(trainee=trainee, now=timezone.now())
    assert due == 6
    expect(page.get_by_role("link", name=f"Reviews due: {due}")).to_be_visible()

    in_progress.get_by_role("link", name="Continue Doses exam").click()
    on_question(page, 1, 2)
    assert sitting.get_absolute_url() in page.url


def test_the_next_step_opens_the_builder_with_its_section_ticked(
    page: Page, login, trainee
):
    section, _ = history(trainee)
    login(trainee)
    next_step = page.get_by_role("region", name="Next step")
    expect(next_step).to_contain_text(f"5 unused questions of {section.title}")
    next_step.get_by_role("link", name="Build this test").click()
    expect(page.get_by_role("heading", name="Build a test")).to_be_visible()
    expect(page.get_by_role("checkbox", name=section.title)).to_be_checked()
    pools = page.get_by_role("group", name="Questions to draw from")
    expect(pools.get_by_role("checkbox", name="Unused")).to_be_checked()


def test_on_a_phone_nothing_scrolls_sideways_and_the_keyboard_continues(
    page: Page, login, trainee
):
    """At 375 px: no sideways scroll, every button 44 px high; Tab reaches the
    Continue link and Enter follows it."""
    _, sitting = history(trainee)
    page.set_viewport_size(PHONE)
    login(trainee)
    measured = page.evaluate(FITS_AND_TARGETS, MIN_TARGET_PX)
    assert measured["scrollWidth"] <= measured["clientWidth"], measured
    assert measured["small"] == [], measured
    link = page.get_by_role("link", name="Continue Doses exam")
    tab_to(page, link)
    page.keyboard.press("Enter")
    on_question(page, 1, 2)
    assert sitting.get_absolute_url() in page.url


def test_the_dashboard_in_dark_mode_has_no_serious_axe_violation(
    page: Page, login, trainee
):
    history(trainee)
    page.emulate_media(color_scheme="dark")
    login(trainee)
    found = {}
    for width, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        found[width] = blocking_violations(page, "dashboard dark", width)
    assert found == {"desktop": [], "phone": []}
