"""Journey 2: the clock runs out. The server's deadline rules; the page follows it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from quizzes.choices import AttemptState
from quizzes.models import Attempt
from quizzes.services.attempts import GRACE
from tests.browser.helpers import attempt_opened, autosaved, save_status
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db(transaction=True)

# Long enough to log in, start and answer once; short enough to wait out.
SHORT_LIMIT = timedelta(seconds=5)


def start_short_quiz(page, login, trainee) -> Attempt:
    """Log in, start a two-question quiz of SHORT_LIMIT, answer question 1 right."""
    quiz = quiz_with_questions(2, title="Five seconds", time_limit=SHORT_LIMIT)
    login(trainee)
    attempt_opened(page, quiz, trainee, count=2)
    with autosaved(page):
        page.get_by_text("Intramuscular 1", exact=True).click()
    return Attempt.objects.get(trainee=trainee, quiz=quiz)


def wait_past_deadline(page, attempt: Attempt) -> None:
    """Wait (real time: the server's clock is not faked) until the deadline and its
    grace have passed, so the server refuses whatever comes next."""
    left = attempt.deadline + GRACE - timezone.now()
    page.wait_for_timeout(max(0.0, left.total_seconds()) * 1000 + 500)


def test_at_zero_the_page_submits_by_itself_and_shows_the_result(
    page, login, trainee, screenshot
):
    """Nobody presses anything: at 00:00 the page submits the attempt, scored with
    the answer saved before, and opens the result."""
    attempt = start_short_quiz(page, login, trainee)
    screenshot("counting-down")

    expect(page).to_have_url(f"/attempts/{attempt.pk}/result/?auto=1", timeout=15_000)
    expect(page.get_by_role("heading", name="Result: Five seconds")).to_be_visible()
    expect(page.locator(".result-headline")).to_contain_text("50%: not passed")
    expect(page.get_by_role("status")).to_contain_text(
        "the page submitted your attempt by itself at 00:00"
    )
    attempt.refresh_from_db()
    assert attempt.state != AttemptState.IN_PROGRESS
    assert attempt.score == 1
    screenshot("result")


@pytest.mark.parametrize("how", ["autosave", "form post"])
def test_an_answer_sent_after_the_deadline_is_refused_and_the_page_says_so(
    page, login, trainee, screenshot, how
):
    """The page's own timers are frozen (a suspended laptop, a throttled tab) while
    the server's deadline passes: the next answer, by autosave or by the Next
    button, is refused, the page says time is up, and the result shows the attempt
    closed by the clock with only the answer saved in time."""
    page.clock.install()
    attempt = start_short_quiz(page, login, trainee)
    # Playwright reads a number as seconds since the epoch.
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 0.1)
    wait_past_deadline(page, attempt)

    if how == "autosave":
        page.get_by_text("Oral 1", exact=True).click()
        status = save_status(page)
        expect(status).to_contain_text(
            "Time is up: the deadline has passed, so this answer was not saved."
        )
        expect(status).to_contain_text("Reloading the page…")
        expect(status).to_have_class("save-status is-error")
        screenshot("refused")
        # The laptop wakes up: the page's timers catch up, and it moves on.
        page.clock.fast_forward("00:05")
        page.clock.resume()
    else:
        page.get_by_role("button", name="Next").click()
        expect(page.get_by_role("alert")).to_contain_text(
            "Time is up: the deadline has passed, so this answer was not saved."
        )

    expect(page).to_have_url(f"/attempts/{attempt.pk}/result/")
    expect(page.get_by_role("alert")).to_contain_text("Time is up")
    expect(page.locator("main")).to_contain_text("Closed by the clock")
    screenshot("result")
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.EXPIRED
    assert attempt.finished_at == attempt.deadline
    assert attempt.score == 1
