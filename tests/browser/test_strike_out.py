"""Strike-out on the attempt screen (issue 15): by key and by click, kept through
an outage and a reload, shown in the review, never scored."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    answer_row,
    attempt_opened,
    autosaved,
    on_question,
    save_status,
)
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db(transaction=True)


def strike_box(page: Page, number: int):
    return page.get_by_label(f"Strike out option {number}", exact=True)


def is_struck_through(page: Page, text: str) -> bool:
    label = page.locator(".choice-text", has_text=text)
    return "line-through" in label.evaluate(
        "el => getComputedStyle(el).textDecorationLine"
    )


def test_strike_out_by_key_and_click_persists_and_is_never_scored(page, login, trainee):
    """S then 1 strikes the first option (here the key) and a click strikes the
    second; the struck key can still be chosen; after a reload both are still
    struck (through, and named "struck out"); the score counts the choice only, and
    the review shows the strike-outs."""
    quiz = quiz_with_questions(2, title="Strike exam", time_limit=None)
    login(trainee)
    attempt = attempt_opened(page, quiz, trainee, count=2)
    page.get_by_text("Keyboard shortcuts").click()
    expect(page.locator("[data-shortcuts]")).to_contain_text("strike an option out")
    page.locator("main").focus()
    page.keyboard.press("s")
    expect(save_status(page)).to_have_text("Strike out which option? Press 1–5 or A–E.")
    with autosaved(page):
        page.keyboard.press("1")
    expect(strike_box(page, 1)).to_be_checked()
    with autosaved(page):
        page.locator(".strike label").nth(1).click()  # the visible "Strike out"
    expect(strike_box(page, 2)).to_be_checked()
    with autosaved(page):
        page.get_by_role("radio", name="Intramuscular 1 (struck out)").check()

    page.reload()
    on_question(page, 1, 2)
    expect(strike_box(page, 1)).to_be_checked()
    expect(strike_box(page, 2)).to_be_checked()
    expect(strike_box(page, 3)).not_to_be_checked()
    assert is_struck_through(page, "Intramuscular 1")
    assert is_struck_through(page, "Oral 1")
    assert not is_struck_through(page, "Nasal 1")
    expect(
        page.get_by_role("radio", name="Intramuscular 1 (struck out)")
    ).to_be_checked()
    first = answer_row(attempt, 1)
    assert first.struck == first.choice_order[:2]

    page.get_by_role("link", name="Submit…").click()
    page.get_by_role("button", name="Submit attempt").click()
    expect(page.get_by_text("50%: not passed")).to_be_visible()
    attempt.refresh_from_db()
    assert (attempt.score, attempt.percent) == (1, 50.0)
    page.get_by_role("link", name="Review your answers").click()
    item = page.get_by_role("region", name="Question 1")
    expect(item.get_by_text("struck out")).to_have_count(2)
    assert "line-through" in item.locator(".is-struck .choice-text").first.evaluate(
        "el => getComputedStyle(el).textDecorationLine"
    )


def test_a_strike_out_not_yet_saved_waits_in_the_queue_and_survives_a_reload(
    page, login, trainee
):
    """While saves fail, a strike-out is queued like a choice; the page reloaded
    before they get through still shows it, and sends it once it can."""
    quiz = quiz_with_questions(2, title="Strike queue exam", time_limit=None)
    login(trainee)
    attempt = attempt_opened(page, quiz, trainee, count=2)
    with autosaved(page):
        page.get_by_text("Oral 1", exact=True).click()
    page.route("**/answers/**", lambda route: route.abort())
    strike_box(page, 4).check()
    expect(save_status(page)).to_have_text("1 answer waiting to be saved — retrying.")
    page.reload()
    on_question(page, 1, 2)
    expect(strike_box(page, 4)).to_be_checked()
    assert is_struck_through(page, "Patch 1")
    assert answer_row(attempt, 1).struck == []
    page.unroute("**/answers/**")
    with autosaved(page):
        page.evaluate("window.dispatchEvent(new Event('online'))")
    first = answer_row(attempt, 1)
    assert first.struck == first.choice_order[3:]
    assert first.seq == 2
