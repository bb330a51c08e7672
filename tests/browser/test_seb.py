"""A quiz that requires Safe Exam Browser, in Chromium.

Chromium plays SEB: a route adds to every request the header SEB would send, the
SHA-256 of that request's own URL and the Config Key (pages, the script's API calls
and the form posts alike). Without it, the quiz cannot be started or sat.
"""

import pytest
from playwright.sync_api import Page, Route, expect

from quizzes.choices import AttemptState
from quizzes.models import Attempt
from quizzes.seb import CONFIG_KEY_HEADER, request_hash
from tests.browser.helpers import answer_row, autosaved, chosen_texts, on_question
from tests.seb_requests import require_seb
from tests.test_seb import EXAM_CONFIG_KEY
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db(transaction=True)


class PlaysSeb:
    """The route that makes Chromium send SEB's header; ``on`` switches it (a
    switch rather than unroute, which could race a request in flight)."""

    def __init__(self, page: Page):
        self.on = True
        page.route("**/*", self.add_header)

    def add_header(self, route: Route) -> None:
        request = route.request
        headers = dict(request.headers)
        if self.on:
            headers[CONFIG_KEY_HEADER] = request_hash(request.url, EXAM_CONFIG_KEY)
        # Fetched here, redirects not followed: a route never sees the request of
        # a redirect, where SEB hashes each URL it asks for. A redirect comes back
        # as a page that refreshes to its target, a new request that this route
        # sees (a test device only; SEB follows redirects itself).
        response = route.fetch(headers=headers, max_redirects=0)
        location = response.headers.get("location")
        if 300 <= response.status < 400 and location:
            route.fulfill(
                status=200,
                content_type="text/html",
                body=f'<meta http-equiv="refresh" content="0;url={location}">',
            )
        else:
            route.fulfill(response=response)


def seb_quiz(title: str):
    return require_seb(quiz_with_questions(2, title=title))


def test_in_seb_a_trainee_starts_autosaves_and_submits(
    page, login, trainee, screenshot
):
    """Every request SEB makes carries its URL's hash: the page, the autosave
    (fetch from the page's script) and the submit all pass."""
    quiz = seb_quiz("Cardiology final (SEB)")
    PlaysSeb(page)
    login(trainee)
    page.goto(quiz.get_absolute_url())
    page.get_by_role("button", name="Start attempt 1").click()
    on_question(page, 1, 2)
    attempt = Attempt.objects.get(trainee=trainee, quiz=quiz)
    with autosaved(page):
        page.get_by_text("Intramuscular 1", exact=True).click()
    assert chosen_texts(answer_row(attempt, 1)) == ["Intramuscular 1"]
    page.goto(f"/attempts/{attempt.pk}/submit/")
    page.get_by_role("button", name="Submit attempt").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Result")
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED


def test_outside_seb_the_quiz_page_says_how_to_open_it(
    page, login, trainee, screenshot
):
    """No Start button: the page explains SEB and links the quiz's settings."""
    quiz = seb_quiz("Cardiology final (SEB)")
    login(trainee)
    page.goto(quiz.get_absolute_url())
    expect(
        page.get_by_role("heading", name="This quiz opens only in Safe Exam Browser")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Start attempt 1")).to_have_count(0)
    screenshot("seb-required")


def test_leaving_seb_mid_attempt_stops_the_autosave_with_the_reason(
    page, login, trainee
):
    """A save without SEB's header is refused (403, seb_required): the page says
    the quiz must be sat in SEB, not that the trainee is logged out, and the
    answer stays unsaved."""
    quiz = seb_quiz("Cardiology final (SEB)")
    seb = PlaysSeb(page)
    login(trainee)
    page.goto(quiz.get_absolute_url())
    page.get_by_role("button", name="Start attempt 1").click()
    on_question(page, 1, 2)
    attempt = Attempt.objects.get(trainee=trainee, quiz=quiz)
    seb.on = False
    with page.expect_response(lambda r: r.request.method == "PUT") as response:
        page.get_by_text("Intramuscular 1", exact=True).click()
    assert response.value.status == 403
    status = page.locator("[data-save-status]")
    expect(status).to_contain_text("must be sat in Safe Exam Browser")
    expect(status).not_to_contain_text("logged out")
    assert chosen_texts(answer_row(attempt, 1)) == []
