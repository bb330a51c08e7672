"""Journey 3: the network drops mid-attempt; the page keeps the answer and says so."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    answer_row,
    attempt_opened,
    autosaved,
    choice,
    chosen_texts,
    save_status,
)
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db(transaction=True)


def test_answers_changed_offline_are_saved_when_the_network_returns(
    page, context, login, trainee, screenshot
):
    """Offline, the page says an answer is waiting and keeps the latest answer and
    flag; back online, it saves them without being asked, and a reload shows them."""
    quiz = quiz_with_questions(2, title="Offline exam")
    login(trainee)
    attempt = attempt_opened(page, quiz, trainee, count=2)
    with autosaved(page):
        page.get_by_text("Oral 1", exact=True).click()

    context.set_offline(True)
    page.get_by_text("Nasal 1", exact=True).click()
    page.get_by_text("Intramuscular 1", exact=True).click()
    page.get_by_text("Flag for review", exact=True).click()
    status = save_status(page)
    expect(status).to_have_text("1 answer waiting to be saved — retrying.")
    expect(status).to_have_class("save-status is-error")
    screenshot("offline")
    first = answer_row(attempt, 1)
    assert chosen_texts(first) == ["Oral 1"]
    assert not first.flagged

    with autosaved(page):  # by itself: nothing is clicked
        context.set_offline(False)
    screenshot("back-online")
    first = answer_row(attempt, 1)
    assert chosen_texts(first) == ["Intramuscular 1"]
    assert first.flagged

    page.reload()  # stays on question 1, though question 2 is the first unanswered
    expect(page.get_by_role("heading", name="Question 1 of 2")).to_be_visible()
    expect(choice(page, "Intramuscular 1")).to_be_checked()
    expect(page.get_by_label("Flag for review")).to_be_checked()
