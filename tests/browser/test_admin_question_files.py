"""An instructor imports a GIFT file through the preview, then exports the drafts
(issue 12): upload → preview → confirm → the drafts in the question list; a
selection exported to GIFT parses back to the same questions."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect

from quizzes.formats import format_module
from quizzes.models import Question
from tests.browser.conftest import DESKTOP, DOCS_SCREENSHOTS, PASSWORD, PHONE
from tests.browser.helpers import tab_to
from tests.factories import SectionFactory, SourceDocumentFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("staging_dir"),
]

SCREENSHOT = DOCS_SCREENSHOTS / "admin-question-import-preview.png"
GIFT = """\
// Two questions this platform has, and an essay it has not.
$CATEGORY: ketamine/routes

::Routes::Which route is used when IV access is not feasible? {
  =Intramuscular injection#Right: the section names it for that case.
  ~Oral tablet#Too slow and unreliable.
  ~Nasal spray
  ####The section names intramuscular injection when IV access fails.
}

::Signs::Which are signs of emergence reactions? {
  ~%50%Agitation#One of them.
  ~%50%Vivid dreams
  ~%-100%Bradycardia#Not an emergence reaction.
}

::Recovery::Describe how recovery is monitored. {}
"""
FITS = """() => {
  const page = document.scrollingElement;
  const boxes = [...document.querySelectorAll(".import-table, .preview-question")]
    .map((el) => [el.scrollWidth, el.clientWidth]);
  return {scrollWidth: page.scrollWidth, clientWidth: page.clientWidth, boxes};
}"""
# What a round trip must keep: everything but the line and the category.
KEPT = ("name", "kind", "stem", "explanation", "choices")


def assert_fits(page) -> None:
    """Neither the page nor a question card or table scrolls sideways."""
    measured = page.evaluate(FITS)
    assert measured["scrollWidth"] <= measured["clientWidth"], measured
    assert all(scroll <= client for scroll, client in measured["boxes"]), measured


def parsed(data: bytes) -> list[tuple]:
    gift = format_module("gift")
    items = [item for item in gift.parse(io.BytesIO(data)) if hasattr(item, "stem")]
    return [tuple(getattr(item, field) for field in KEPT) for item in items]


def test_instructor_imports_a_gift_file_and_exports_the_drafts_back(
    page, instructor, screenshot
):
    """The preview shows the two questions (weights, key marks, feedback, the
    scoring note of -100 %) and the skipped essay, at 1280 px and 375 px without
    scrolling sideways; nothing is saved before the confirmation, which is
    reached by keyboard. The drafts are then listed; exported to GIFT through
    the action, the file parses back to the questions that were imported."""
    section = SectionFactory(
        title="Routes", document=SourceDocumentFactory(title="Ketamine")
    )
    page.goto("/admin/")
    page.get_by_label("Username").fill(instructor.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto("/admin/quizzes/question/")
    page.get_by_role("link", name="Import questions").click()

    page.get_by_label("File").set_input_files(
        {"name": "routes.gift", "mimeType": "text/plain", "buffer": GIFT.encode()}
    )
    page.get_by_label("Target section").select_option(label="Ketamine › Routes")
    screenshot("upload")
    page.get_by_role("button", name="Upload and preview").click()

    expect(page.locator("#summary")).to_contain_text("2 questions to create")
    expect(page.locator("#summary")).to_contain_text("1 skipped, 0 errors")
    cards = page.locator(".preview-question")
    expect(cards).to_have_count(2)
    routes = cards.filter(has_text="Which route is used")
    expect(routes.get_by_role("heading")).to_have_text(re.compile(r"Line \d+ · Routes"))
    expect(routes.locator("li.key")).to_contain_text("100 %")
    expect(routes.locator("li.key")).to_contain_text("Intramuscular injection")
    expect(routes).to_contain_text("Feedback: Too slow and unreliable.")
    expect(routes).to_contain_text("Explanation: The section names intramuscular")
    signs = cards.filter(has_text="emergence reactions")
    expect(signs.locator(".weight")).to_have_text(["50 %", "50 %", "-100 %"])
    expect(signs.locator(".scoring-note")).to_be_visible()
    expect(page.locator("#skipped")).to_contain_text("essay")
    assert not Question.objects.exists()
    assert_fits(page)
    page.screenshot(path=SCREENSHOT, full_page=True)
    screenshot("preview")
    page.set_viewport_size(PHONE)
    assert_fits(page)
    page.set_viewport_size(DESKTOP)

    create = page.get_by_role("button", name="Create 2 draft questions")
    tab_to(page, create, limit=80)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/quizzes/question/\?status__exact="))
    expect(page.locator(".messagelist")).to_contain_text(
        "2 draft questions created from routes.gift; 1 skipped."
    )
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#result_list")).to_contain_text("Which route is used")
    imported = list(Question.objects.order_by("pk"))
    assert [(q.status, q.section_id) for q in imported] == [("draft", section.pk)] * 2

    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("export_selected")
    page.get_by_role("button", name="Go").click()
    expect(page.locator("#content-main")).to_contain_text("2 questions from your")
    page.locator("input[name=format][value=gift]").check()
    screenshot("export")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    exported = download.value.path().read_bytes()
    assert download.value.suggested_filename == "questions.gift"
    assert sorted(parsed(exported)) == sorted(parsed(GIFT.encode()))
    assert Question.objects.count() == 2
