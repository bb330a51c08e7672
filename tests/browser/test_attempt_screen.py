"""The attempt screen as a new user finds it (issue 15): the sticky bar with the
clock and progress, hiding the timer, at desktop and phone width."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest
from playwright.sync_api import Page, expect

from quizzes.choices import QuizMode
from quizzes.models import Question
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.helpers import answer_row, attempt_opened, autosaved, on_question
from tests.browser.test_accessibility import blocking_violations, trainee_pages
from tests.factories import ChoiceFactory
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db(transaction=True)


def start_quiz(page: Page, login, trainee, *, count: int = 3, **quiz_fields):
    quiz_fields.setdefault("time_limit", timedelta(minutes=30))
    quiz = quiz_with_questions(count, title="Routes exam", **quiz_fields)
    login(trainee)
    return attempt_opened(page, quiz, trainee, count=count)


def bar(page: Page):
    return page.locator("[data-attempt-bar]")


# A short laptop window, so that the page scrolls at desktop width too.
LOW_DESKTOP = {**DESKTOP, "height": 450}


@pytest.mark.parametrize("size", [LOW_DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_bar_with_the_clock_and_progress_stays_in_view(
    page, login, trainee, screenshot, size
):
    """Scrolled to the bottom of a question (Next, the navigator), the bar with the
    clock and the number answered is still at the top of the window, and the
    number answered follows the trainee's choices."""
    page.set_viewport_size(size)
    start_quiz(page, login, trainee)
    expect(bar(page)).to_contain_text("0 of 3 answered")
    with autosaved(page):
        page.get_by_text("Intramuscular 1", exact=True).click()
    expect(bar(page)).to_contain_text("1 of 3 answered")
    page.get_by_role("link", name="Submit…").scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert page.evaluate("window.scrollY") > 100
    box = bar(page).bounding_box()
    assert box is not None and abs(box["y"]) < 1, box
    expect(page.locator("[data-timer]")).to_be_in_viewport()
    screenshot("sticky-bar")


def test_the_timer_can_be_hidden_and_stays_hidden_on_the_next_question(
    page, login, trainee
):
    """ "Hide timer" hides the clock (the bar says it is hidden); the choice is
    remembered for this attempt on the next page, and "Show timer" brings it
    back."""
    start_quiz(page, login, trainee)
    clock = page.locator("[data-timer]")
    expect(clock).to_be_visible()
    page.get_by_role("button", name="Hide timer").click()
    expect(clock).to_be_hidden()
    assert page.locator(".timer").inner_text() == "Time left: hidden"
    page.get_by_role("button", name="Next").click()
    on_question(page, 2, 3)
    expect(clock).to_be_hidden()
    page.get_by_role("button", name="Show timer").click()
    expect(clock).to_be_visible()
    page.reload()
    on_question(page, 2, 3)
    expect(clock).to_be_visible()
    expect(page.get_by_role("button", name="Hide timer")).to_be_visible()


def test_in_the_last_five_minutes_a_hidden_timer_is_shown_and_announced(
    page, login, trainee
):
    """With 5 minutes left the hidden clock comes back, its button goes, and the
    status line says so."""
    page.clock.install()
    start_quiz(page, login, trainee, time_limit=timedelta(minutes=6))
    page.get_by_role("button", name="Hide timer").click()
    expect(page.locator("[data-timer]")).to_be_hidden()
    page.clock.fast_forward("01:05")
    expect(page.locator("[data-timer]")).to_be_visible()
    expect(page.locator("[data-timer-toggle]")).to_be_hidden()
    expect(page.locator("[data-timer-announcer]")).to_have_text(
        "5 minutes left. The timer is shown again."
    )


def test_a_timer_hidden_before_is_shown_when_the_page_opens_in_the_last_minutes(
    page, login, trainee
):
    """Hidden earlier, the page opened with under 5 minutes left: the clock shows
    and the status line says why."""
    attempt = start_quiz(page, login, trainee, time_limit=timedelta(minutes=4))
    expect(page.locator("[data-timer-toggle]")).to_be_hidden()
    page.evaluate(
        "id => localStorage.setItem('quizzes.attempt.' + id + '.timer-hidden', '1')",
        attempt.pk,
    )
    page.reload()
    on_question(page, 1, 3)
    expect(page.locator("[data-timer]")).to_be_visible()
    expect(page.locator("[data-timer-announcer]")).to_have_text(
        "Less than 5 minutes left. The timer is shown again."
    )


def glyph(page: Page, position: int, part: str, pseudo: str) -> str:
    """The glyph CSS puts before or after a part of a navigator item."""
    return page.locator(f'[data-nav-position="{position}"] .{part}').evaluate(
        f"el => getComputedStyle(el, '{pseudo}').content"
    )


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_navigator_states_have_their_own_glyph_and_colour_and_a_legend(
    page, login, trainee, screenshot, size
):
    """Answered, flagged and current are told apart by a glyph as well as a colour
    (not colour alone), the glyphs follow an autosaved change, and a legend says
    what each means."""
    page.set_viewport_size(size)
    start_quiz(page, login, trainee)
    assert "◆" in glyph(page, 1, "nav-number", "::after")
    assert "✓" not in glyph(page, 1, "nav-number", "::before")
    with autosaved(page):
        page.get_by_text("Intramuscular 1", exact=True).click()
    with autosaved(page):
        page.get_by_label("Flag for review").check()
    assert "✓" in glyph(page, 1, "nav-number", "::before")
    assert "⚑" in glyph(page, 1, "nav-state", "::before")
    assert "⚑" not in glyph(page, 2, "nav-state", "::before")
    answered = page.locator('[data-nav-position="1"]').evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    unanswered = page.locator('[data-nav-position="2"]').evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert answered != unanswered
    legend = page.get_by_role("list", name="Legend")
    for word in ("Answered", "Flagged", "Current"):
        expect(legend).to_contain_text(word)
    screenshot("navigator")


def test_on_a_phone_next_comes_before_the_navigator(page, login, trainee):
    """At 375 px Next is reached before the question list, not after it."""
    page.set_viewport_size(PHONE)
    start_quiz(page, login, trainee)
    next_box = page.get_by_role("button", name="Next").bounding_box()
    nav_box = page.get_by_role("navigation", name="Questions").bounding_box()
    assert next_box["y"] < nav_box["y"]


@pytest.mark.parametrize("mode", [QuizMode.EXAM, QuizMode.TUTOR])
def test_on_a_phone_next_is_on_the_first_screen_and_the_bar_stays(
    page, login, trainee, mode
):
    """At 375×667, a question with five options (one long) shows Save and Next on
    the first screen, held at the foot of the window; scrolled down, the bar with
    the clock stays at the top and Next is still in reach and works."""
    page.set_viewport_size(PHONE)
    quiz = quiz_with_questions(3, title="Routes exam", mode=mode)
    for question in Question.objects.filter(quizquestion__quiz=quiz):
        ChoiceFactory(
            question=question,
            order=5,
            text="Subcutaneous, into the fat under the skin of the abdomen",
        )
    login(trainee)
    attempt_opened(page, quiz, trainee, count=3)
    expect(page.locator("input[name=choices]")).to_have_count(5)
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 60, header  # one row
    for name in ("Next", "Save"):
        expect(page.get_by_role("button", name=name)).to_be_in_viewport(ratio=1)
    box = page.get_by_role("button", name="Next").bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"]
    page.evaluate("window.scrollTo(0, 300)")
    assert page.evaluate("window.scrollY") >= 300
    assert abs(bar(page).bounding_box()["y"]) < 1
    expect(page.locator("[data-timer]")).to_be_in_viewport()
    expect(page.get_by_role("button", name="Next")).to_be_in_viewport(ratio=1)
    page.get_by_role("button", name="Next").click()
    on_question(page, 2, 3)


def test_keyboard_shortcuts_choose_flag_and_move_on(page, login, trainee):
    """2 chooses the second option, F flags (both autosaved), N opens the next
    question with the focus on its heading, P goes back; the keys are listed on
    the page."""
    attempt = start_quiz(page, login, trainee)
    page.get_by_text("Keyboard shortcuts").click()
    expect(page.locator("[data-shortcuts]")).to_contain_text("flag or unflag")
    page.locator("main").focus()
    second = page.locator("input[name=choices]").nth(1)
    with autosaved(page):
        page.keyboard.press("2")
    expect(second).to_be_checked()
    with autosaved(page):
        page.keyboard.press("f")
    expect(page.get_by_label("Flag for review")).to_be_checked()
    page.keyboard.press("n")
    on_question(page, 2, 3)
    heading = page.get_by_role("heading", name="Question 2 of 3")
    expect(heading).to_be_focused()
    with autosaved(page):
        page.keyboard.press("a")
    expect(page.locator("input[name=choices]").first).to_be_checked()
    page.keyboard.press("p")
    on_question(page, 1, 3)
    expect(page.get_by_role("heading", name="Question 1 of 3")).to_be_focused()
    first = answer_row(attempt, 1)
    assert first.flagged and len(first.choice_ids) == 1
    assert answer_row(attempt, 2).choice_ids


def test_shortcuts_ignore_modifiers_and_can_be_turned_off(page, login, trainee):
    """Ctrl+2 or Shift+F is the browser's, not the page's; with the switch off,
    even a bare 2 does nothing, on this page and after a reload."""
    start_quiz(page, login, trainee)
    page.locator("main").focus()
    page.keyboard.press("Control+2")
    page.keyboard.press("Shift+F")
    expect(page.locator("input[name=choices]:checked")).to_have_count(0)
    expect(page.get_by_label("Flag for review")).not_to_be_checked()
    page.get_by_text("Keyboard shortcuts").click()
    page.get_by_label("Single-key shortcuts on").uncheck()
    page.locator("main").focus()
    page.keyboard.press("2")
    page.keyboard.press("n")
    expect(page.locator("input[name=choices]:checked")).to_have_count(0)
    page.reload()
    on_question(page, 1, 3)
    page.locator("main").focus()
    page.keyboard.press("2")
    expect(page.locator("input[name=choices]:checked")).to_have_count(0)
    expect(page.get_by_role("heading", name="Question 1 of 3")).to_be_visible()


def test_tutor_feedback_comes_under_the_options_with_a_wrong_choice_in_red(
    page, login, trainee
):
    """Confirmed in tutor mode: the verdict and explanation come right after the
    options and before Next, the wrong choice is outlined red, and the locked
    answer has no Save button."""
    start_quiz(page, login, trainee, count=2, mode=QuizMode.TUTOR, time_limit=None)
    with autosaved(page):
        page.get_by_text("Oral 1", exact=True).click()
    page.get_by_role("button", name="Confirm answer").click()
    feedback = page.get_by_role("region", name="Feedback")
    expect(feedback).to_contain_text("Explanation 1")
    options = page.locator("fieldset.choices").bounding_box()
    verdict = feedback.bounding_box()
    next_button = page.get_by_role("button", name="Next").bounding_box()
    assert options["y"] < verdict["y"] < next_button["y"]
    chosen = page.locator(".choice.is-chosen")
    colour = chosen.evaluate("el => getComputedStyle(el).borderTopColor")
    assert colour == "rgb(180, 35, 24)"  # --bad
    expect(page.get_by_role("button", name="Save")).to_have_count(0)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_dark_mode_follows_the_system_and_axe_finds_nothing(page, login, trainee, size):
    """With the system in dark mode every trainee page turns dark (the background
    follows prefers-color-scheme), and axe finds no serious or critical violation,
    contrast included, at desktop and phone width."""
    page.set_viewport_size(size)
    page.emulate_media(color_scheme="dark")
    pages = trainee_pages(trainee)
    login(trainee)
    width = "desktop" if size == DESKTOP else "phone"
    found = []
    for name, path in pages.items():
        if name == "login":
            continue
        page.goto(path)
        page.wait_for_load_state("load")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(13, 17, 23)", (name, background)
        if name.startswith("attempt"):
            page.get_by_text("Keyboard shortcuts").click()
        found += [
            f"{name}: {v}" for v in blocking_violations(page, f"dark {name}", width)
        ]
    assert found == []


def test_the_submit_page_bullets_do_not_sit_on_the_item_before(page, login, trainee):
    """The lists of unanswered questions wrap in a row; each bullet is inside its
    own item, clear of the one before, at phone width too."""
    attempt = start_quiz(page, login, trainee, count=6)
    page.set_viewport_size(PHONE)
    page.goto(f"/attempts/{attempt.pk}/submit/")
    items = page.locator(".position-links").first.locator("li")
    expect(items).to_have_count(6)
    assert items.first.evaluate("el => getComputedStyle(el).listStylePosition") == (
        "inside"
    )
    boxes = [items.nth(i).bounding_box() for i in range(6)]
    for before, after in pairwise(boxes):
        if after["y"] == before["y"]:
            assert after["x"] >= before["x"] + before["width"] + 16
