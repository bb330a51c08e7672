"""Journey: read the result's standing, filter the review with the keyboard, and
open a source passage at its marked quote, with and without JavaScript; axe on
the new parts at 1280 and 375 px."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from quizzes.choices import AttemptState
from quizzes.models import Attempt
from quizzes.services.attempts import answer_save, attempt_finish, attempt_start
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_accessibility import blocking_violations
from tests.factories import UserFactory
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db(transaction=True)


def sat_exam(trainee, *, peers: int = 0) -> Attempt:
    """A finished exam of 6 questions: 1 right and flagged, 2 wrong, the rest
    unanswered; ``peers`` other trainees finished it before, at 1 of 6."""
    quiz = quiz_with_questions(6, title="Routes exam", time_limit=None)
    start = timezone.now() - timedelta(days=1)
    for _ in range(peers):
        Attempt.objects.create(
            trainee=UserFactory(),
            quiz=quiz,
            number=1,
            state=AttemptState.FINISHED,
            started_at=start,
            finished_at=start,
            score=Decimal(1),
            max_score=6,
        )
    now = timezone.now()
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=now).attempt
    answers = list(attempt.answers.order_by("position"))
    for answer, order, flagged in (
        (answers[0], 0, True),
        (answers[1], 1, None),
        (answers[2], 1, None),
    ):
        answer_save(
            attempt=attempt,
            question_id=answer.question_id,
            choice_ids=[answer.choice_order[order]],
            flagged=flagged,
            now=now,
        )
    return attempt_finish(attempt=attempt, now=now + timedelta(minutes=6))


def test_the_result_shows_counts_time_per_question_and_percentile(page, login, trainee):
    """1 correct, 2 incorrect, 3 not answered, 6 minutes: a minute a question;
    1 of 6, tied with all ten peers: the 50th percentile."""
    attempt = sat_exam(trainee, peers=10)
    login(trainee)
    page.goto(reverse("attempt_result", args=[attempt.pk]))
    standing = page.locator("dl.standing")
    expect(standing).to_contain_text("Correct1")
    expect(standing).to_contain_text("Incorrect2")
    expect(standing).to_contain_text("Not answered3")
    expect(standing).to_contain_text("Percentile50:")
    expect(page.get_by_text("1 minute on average")).to_be_visible()
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        assert blocking_violations(page, "result-standing", str(size["width"])) == []


def test_the_review_filters_by_keyboard_and_marks_the_shown_filter(
    page, login, trainee
):
    """Tab to "Not correct (5)" and press Enter: five questions remain, that link
    is current; "Flagged (1)" leaves question 1 alone. axe finds nothing."""
    attempt = sat_exam(trainee)
    login(trainee)
    page.goto(reverse("attempt_review", args=[attempt.pk]))
    filters = page.get_by_role("navigation", name="Which questions to show")
    expect(filters.get_by_role("link", name="All (6)")).to_have_attribute(
        "aria-current", "page"
    )
    not_correct = filters.get_by_role("link", name="Not correct (5)")
    not_correct.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?show=incorrect$"))
    expect(page.locator(".review-item")).to_have_count(5)
    expect(filters.get_by_role("link", name="Not correct (5)")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_role("heading", name="Question 1", exact=True)).to_have_count(0)

    filters.get_by_role("link", name="Flagged (1)").click()
    expect(page.locator(".review-item")).to_have_count(1)
    expect(page.get_by_role("heading", name="Question 1", exact=True)).to_be_visible()
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        assert blocking_violations(page, "review-flagged", str(size["width"])) == []


def test_show_the_passage_opens_the_section_at_the_marked_quote(page, login, trainee):
    """The source's link opens the closed section and scrolls to its quote."""
    attempt = sat_exam(trainee)
    login(trainee)
    page.goto(reverse("attempt_review", args=[attempt.pk]))
    mark = page.locator("#quote-5")
    expect(mark).to_be_hidden()
    link = page.get_by_role("link", name="Show the passage of question 5 at this quote")
    link.click()
    expect(mark).to_be_visible()
    expect(mark).to_be_in_viewport()
    assert mark.evaluate("m => m.closest('details').open") is True


def test_the_quote_anchor_opens_its_passage_without_javascript(
    browser, context, page, login, trainee, live_server
):
    """With scripts off, the address's #quote-5 opens the section at the quote."""
    attempt = sat_exam(trainee)
    login(trainee)
    no_script = browser.new_context(
        viewport=DESKTOP,
        base_url=live_server.url,
        java_script_enabled=False,
        storage_state=context.storage_state(),
    )
    try:
        tab = no_script.new_page()
        tab.goto(reverse("attempt_review", args=[attempt.pk]) + "#quote-5")
        mark = tab.locator("#quote-5")
        expect(mark).to_be_visible()
        expect(mark).to_be_in_viewport()
        expect(tab.locator("#quote-1")).to_be_hidden()
    finally:
        no_script.close()
