"""An instructor gives imported drafts their source quotes, by keyboard, on a phone.

From the question list's "source quote: missing" filter to the list of drafts, one
quote used from there; then a draft's own page, a suggestion used from there. At
375 px neither page scrolls sideways.
"""

import pytest
from playwright.sync_api import expect

from quizzes.choices import QuestionStatus
from tests.browser.conftest import ARTEFACTS, PASSWORD, PHONE
from tests.factories import SECTION_TEXT, QuestionFactory, SectionFactory

pytestmark = pytest.mark.django_db(transaction=True)

QUOTE = "Intramuscular injection is used when IV access is not feasible."


def log_in(page, user):
    page.goto("/admin/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def press_tab_until_focused(page, locator, limit=200):
    """Tab through the page until ``locator`` has the focus, as a keyboard user."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError("never reached by the keyboard")


def test_drafts_get_their_quotes_by_keyboard_on_a_phone(page, instructor):
    """The filter links to the list; Tab then Enter on "Use this quote" saves it;
    on a draft's page, Tab then Enter on a suggestion saves that one."""
    section = SectionFactory(title="Routes of administration", text=SECTION_TEXT)
    first, second = (
        QuestionFactory(
            section=section,
            status=QuestionStatus.DRAFT,
            source_quote="",
            name=name,
        )
        for name in ("Imported one", "Imported two")
    )
    page.set_viewport_size(PHONE)
    log_in(page, instructor)

    page.goto("/admin/quizzes/question/?source_quote=missing")
    link = page.get_by_role("link", name="Suggest a quote for each draft…")
    press_tab_until_focused(page, link)
    page.keyboard.press("Enter")
    expect(
        page.get_by_role("heading", name="Drafts lacking a source quote")
    ).to_be_visible()
    expect(page.get_by_text("2 drafts lack a source quote")).to_be_visible()
    assert page_width(page) <= PHONE["width"], "the list scrolls sideways"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTEFACTS / "quote-drafts--phone.png", full_page=True)

    button = page.get_by_role("button", name=f"Use this quote for question #{first.pk}")
    press_tab_until_focused(page, button)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Source quote saved for")).to_be_visible()
    expect(page.get_by_text("1 draft lacks a source quote")).to_be_visible()
    first.refresh_from_db()
    assert first.source_quote == QUOTE

    page.goto(f"/admin/quizzes/question/{second.pk}/change/")
    panel = page.locator("#quote-suggestions")
    expect(panel.get_by_text(QUOTE)).to_be_visible()
    assert page_width(page) <= PHONE["width"], "the draft's page scrolls sideways"
    page.screenshot(path=ARTEFACTS / "quote-draft--phone.png", full_page=True)
    use = panel.get_by_role("button", name="Use suggestion 1 as the source quote")
    press_tab_until_focused(page, use, limit=400)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Source quote saved for")).to_be_visible()
    expect(page.get_by_label("Source quote")).to_have_value(QUOTE)
    expect(page.locator("#quote-suggestions")).to_have_count(0)
    second.refresh_from_db()
    assert second.source_quote == QUOTE
