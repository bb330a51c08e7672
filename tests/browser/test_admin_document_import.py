"""An instructor imports a document through the preview (issue 10)."""

import re

import pytest
from playwright.sync_api import expect

from quizzes.models import SourceDocument
from tests.browser.conftest import DESKTOP, DOCS_SCREENSHOTS, PASSWORD, PHONE
from tests.browser.helpers import tab_to
from tests.conftest import SEDATION_NOTES

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("staging_dir"),
]

SCREENSHOT = DOCS_SCREENSHOTS / "admin-document-import-preview.png"
FITS = """() => {
  const page = document.scrollingElement;
  const tables = [...document.querySelectorAll(".import-table")]
    .map((el) => [el.scrollWidth, el.clientWidth]);
  return {scrollWidth: page.scrollWidth, clientWidth: page.clientWidth, tables};
}"""


def assert_fits(page) -> None:
    """Neither the page nor a table inside it scrolls sideways."""
    measured = page.evaluate(FITS)
    assert measured["scrollWidth"] <= measured["clientWidth"], measured
    assert all(scroll <= client for scroll, client in measured["tables"]), measured


def test_instructor_makes_two_missed_lines_headings_and_imports(
    page, instructor, screenshot
):
    """The upload previews two sections and offers "How it is given" and
    "Monitoring:"; ticked (one by keyboard) and previewed again they are sections;
    Enter in a field previews again rather than importing; Import lands on the
    document with the four sections. Nothing is saved before Import; the preview
    fits 1280 px and 375 px without scrolling sideways."""
    page.goto("/admin/")
    page.get_by_label("Username").fill(instructor.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto("/admin/quizzes/sourcedocument/add/")
    page.get_by_label("File").set_input_files(SEDATION_NOTES)
    page.get_by_role("button", name="Upload and preview").click()

    candidates = page.locator("#candidates")
    expect(candidates.get_by_role("row")).to_have_count(3)  # the header and two
    expect(candidates).to_contain_text("How it is given")
    expect(candidates).to_contain_text("Monitoring:")
    expect(page.locator("#sections tbody tr")).to_have_count(2)
    assert not SourceDocument.objects.exists()
    assert_fits(page)
    page.screenshot(path=SCREENSHOT, full_page=True)
    screenshot("preview")
    page.set_viewport_size(PHONE)
    assert_fits(page)  # each row is a card on a phone
    page.set_viewport_size(DESKTOP)

    how = candidates.get_by_role("row", name=re.compile("How it is given"))
    monitoring = candidates.get_by_role("row", name=re.compile("Monitoring:"))
    how.get_by_role("checkbox", name="make this a heading").check()
    box = monitoring.get_by_role("checkbox", name="make this a heading")
    tab_to(page, box)
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    page.get_by_role("button", name="Preview again").click()

    sections = page.locator("#sections")
    expect(sections.locator("tbody th")).to_have_text(
        [
            "Ketamine for Procedural Sedation",
            "How it is given",
            "Monitoring",
            "Recovery",
        ]
    )
    expect(page.locator("#candidates")).to_contain_text("None")
    assert not SourceDocument.objects.exists()
    screenshot("preview-again")

    # Enter in a field previews again (the first button), it never imports.
    page.get_by_label("Heading pattern").press("Enter")
    expect(page.locator("#sections tbody th")).to_have_count(4)
    assert not SourceDocument.objects.exists()

    page.get_by_role("button", name="Import", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/quizzes/sourcedocument/\d+/change/"))
    expect(page.locator(".messagelist")).to_contain_text("4 section(s) new")
    document = SourceDocument.objects.get()
    assert list(document.sections.values_list("title", flat=True)) == [
        "Ketamine for Procedural Sedation",
        "How it is given",
        "Monitoring",
        "Recovery",
    ]
