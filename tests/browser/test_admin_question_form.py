"""An instructor writes questions from an empty add form, each in one save.

The form starts with the kind's rows, numbers them itself, reorders them from the
keyboard, and fits a 1280 px screen; the screenshot in docs/ shows it filled in.
"""

import pytest
from playwright.sync_api import expect

from quizzes.choices import QuestionKind, QuestionStatus
from quizzes.models import Question
from tests.browser.conftest import DESKTOP, DOCS_SCREENSHOTS, PASSWORD, PHONE
from tests.factories import SECTION_TEXT, QuestionFactory, SectionFactory

pytestmark = pytest.mark.django_db(transaction=True)

QUOTE = "Intramuscular injection is used when IV access is not feasible."
STEM = "A patient needs ketamine and IV access is not feasible. Which route fits?"
# Typed in this order; the key is then moved from the second row to the first.
TYPED = [
    (
        "Oral tablet",
        "Oral use is not mentioned for this case; the passage names "
        "intramuscular injection when IV access is not feasible, so a tablet is not "
        "the route it gives, however convenient it would be for the patient.",
    ),
    ("Intramuscular injection", "The overview names it for exactly this case."),
    ("Intranasal spray", "Not the route the passage gives here."),
    ("Transdermal patch", "A patch is not mentioned in the passage."),
]
ROWS = "#choices-group tbody tr.form-row:not(.empty-form)"


def log_in(page, user):
    page.goto("/admin/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(
        page.get_by_role("link", name="Log out").or_(
            page.get_by_role("button", name="Log out")
        )
    ).to_be_visible()


def places(page) -> list[str]:
    return page.locator(f"{ROWS} .choice-place").all_inner_texts()


def expect_texts(page, texts: list[str]) -> None:
    boxes = page.locator(f"{ROWS} [name$='-text']")
    expect(boxes).to_have_count(len(texts))
    for row, text in enumerate(texts):
        expect(boxes.nth(row)).to_have_value(text)


def scrolls_sideways(page, selector: str) -> bool:
    return page.locator(selector).evaluate("el => el.scrollWidth > el.clientWidth")


def test_a_question_is_written_from_an_empty_form_in_one_save(
    page, instructor, screenshot
):
    """Single best answer: four numbered rows are there; the instructor fills
    them, never touches an order, moves the key up with the keyboard, and saves
    once. Then true/false: the rows become "True" and "False", saved both."""
    section = SectionFactory(title="Routes of administration", text=SECTION_TEXT)
    log_in(page, instructor)

    page.goto("/admin/quizzes/question/add/")
    expect(page.locator(ROWS)).to_have_count(4)
    assert places(page) == ["1", "2", "3", "4"]
    expect(page.locator(f"{ROWS} input[name$='-position']").first).to_be_hidden()
    page.get_by_label("Section").select_option(str(section.pk))
    expect(page.get_by_label("Kind")).to_have_value(QuestionKind.SINGLE)
    page.get_by_label("Status").select_option(QuestionStatus.PUBLISHED)
    page.get_by_label("Stem").fill(STEM)
    page.get_by_label("Explanation").fill("The overview names intramuscular use.")
    page.get_by_label("Source quote").fill(QUOTE)
    for row, (text, rationale) in enumerate(TYPED):
        page.locator(f"[name='choices-{row}-text']").fill(text)
        page.locator(f"[name='choices-{row}-rationale']").fill(rationale)
    page.locator("[name='choices-1-is_correct']").check()

    # The long rationale grows its box rather than hiding behind a scroll bar.
    box = page.locator("[name='choices-0-rationale']")
    assert box.evaluate("el => el.scrollHeight <= el.clientHeight + 1")

    move_up = page.get_by_role("button", name="Move choice 2 of 4 up")
    move_up.focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"{ROWS} [name$='-text']").first).to_have_value(
        "Intramuscular injection"
    )
    assert places(page) == ["1", "2", "3", "4"]
    # The focus stays on the moved row's button: Space moves it on down.
    expect(page.get_by_role("button", name="Move choice 1 of 4 up")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.locator(f"{ROWS} [name$='-text']").nth(1)).to_have_value(
        "Intramuscular injection"
    )
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator(f"{ROWS} [name$='-text']").first).to_have_value(
        "Intramuscular injection"
    )

    assert page.viewport_size == DESKTOP
    assert not scrolls_sideways(page, "#choices-group fieldset")
    assert not scrolls_sideways(page, "html")
    page.screenshot(path=DOCS_SCREENSHOTS / "admin-question-add.png", full_page=True)
    page.set_viewport_size(PHONE)  # on a phone each choice is a block of its own
    assert not scrolls_sideways(page, "html")
    page.set_viewport_size(DESKTOP)
    screenshot("single-filled")

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    question = Question.objects.get(stem=STEM)
    assert question.status == QuestionStatus.PUBLISHED
    assert [
        (c.order, c.text, c.is_correct) for c in question.choices.order_by("order")
    ] == [
        (1, "Intramuscular injection", True),
        (2, "Oral tablet", False),
        (3, "Intranasal spray", False),
        (4, "Transdermal patch", False),
    ]

    page.goto("/admin/quizzes/question/add/")
    page.get_by_label("Section").select_option(str(section.pk))
    page.get_by_label("Kind").select_option(QuestionKind.TRUE_FALSE)
    expect(page.locator(ROWS)).to_have_count(2)
    expect_texts(page, ["True", "False"])
    page.get_by_label("Status").select_option(QuestionStatus.PUBLISHED)
    page.get_by_label("Stem").fill(
        "A patient without IV access can be given ketamine by intramuscular injection."
    )
    page.get_by_label("Explanation").fill("The overview says so in these words.")
    page.get_by_label("Source quote").fill(QUOTE)
    # Each cell is labelled by its choice's place, for a screen reader.
    page.get_by_label("Choice 1 rationale").fill("The passage says so.")
    page.get_by_label("Choice 2 rationale").fill("It is said outright.")
    page.get_by_label("Choice 1 correct").check()
    screenshot("true-false-filled")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    true_false = Question.objects.get(kind=QuestionKind.TRUE_FALSE)
    assert [
        (c.order, c.text, c.is_correct) for c in true_false.choices.order_by("order")
    ] == [(1, "True", True), (2, "False", False)]


def test_the_rows_follow_the_kind_and_keep_what_was_typed(page, instructor):
    """Switching to true/false and back never loses a typed choice: rows with
    text stay, blank ones come and go, and the numbers follow."""
    log_in(page, instructor)
    page.goto("/admin/quizzes/question/add/")
    page.locator("[name='choices-0-text']").fill("Intramuscular injection")
    page.get_by_label("Kind").select_option(QuestionKind.TRUE_FALSE)
    expect_texts(page, ["Intramuscular injection", "False"])
    page.get_by_label("Kind").select_option(QuestionKind.MULTIPLE)
    expect_texts(page, ["Intramuscular injection", "", "", ""])
    assert places(page) == ["1", "2", "3", "4"]
    names = page.locator(f"{ROWS} [name$='-text']").evaluate_all(
        "els => els.map(el => el.name)"
    )
    assert names == [f"choices-{i}-text" for i in range(4)]
    expect(page.locator("#id_choices-TOTAL_FORMS")).to_have_value("4")


def test_a_saved_question_takes_new_moved_and_removed_rows_in_one_save(
    page, instructor, screenshot
):
    """On a saved question: a new row moved above stored ones, another new row
    removed, a stored one deleted; one save stores 1..4 in the page's order."""
    question = QuestionFactory(status=QuestionStatus.DRAFT)
    log_in(page, instructor)
    page.goto(f"/admin/quizzes/question/{question.pk}/change/")
    expect(page.locator(ROWS)).to_have_count(4)
    assert places(page) == ["1", "2", "3", "4"]

    add = page.get_by_role("button", name="Add another Choice")
    add.click()
    assert places(page) == ["1", "2", "3", "4", "5"]
    new_row = page.locator(ROWS).nth(4)
    new_row.locator("[name$='-text']").fill("Eye drops")
    new_row.locator("[name$='-rationale']").fill("Not a route for this case.")
    new_row.get_by_role("button", name="Move choice 5 of 5 up").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect_texts(
        page,
        [
            "Intramuscular injection",
            "Oral tablet",
            "Eye drops",
            "Nasal spray",
            "Skin patch",
        ],
    )
    add.click()
    page.locator(ROWS).nth(5).locator("a.inline-deletelink").click()
    expect(page.locator(ROWS)).to_have_count(5)
    page.locator(ROWS).nth(4).locator("[name$='-DELETE']").check()
    assert places(page) == ["1", "2", "3", "4", "–"]
    screenshot("saved-question-edited")

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert list(question.choices.order_by("order").values_list("order", "text")) == [
        (1, "Intramuscular injection"),
        (2, "Oral tablet"),
        (3, "Eye drops"),
        (4, "Nasal spray"),
    ]
