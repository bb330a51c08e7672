"""An instructor builds a timed quiz in the admin and gives one trainee an override."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from quizzes.models import Quiz, QuizOverride
from tests.browser.conftest import DESKTOP, DOCS_SCREENSHOTS, PASSWORD
from tests.factories import QuestionFactory, SectionFactory, SourceDocumentFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_page(page, instructor):
    page.goto("/admin/")
    page.get_by_label("Username").fill(instructor.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(
        page.get_by_role("heading", name="Banks, quizzes and progress")
    ).to_be_visible()
    return page


@pytest.mark.parametrize("how", ["typed", "pasted"])
def test_the_slug_fills_as_the_title_is_entered(admin_page, how):
    """The slug follows the title while it is typed, and also when the text arrives
    without key presses (pasted, autofilled): not only on Save."""
    page = admin_page
    page.goto("/admin/quizzes/quiz/add/")
    title = page.get_by_label("Title")
    if how == "typed":
        title.press_sequentially("Side effects exam")
    else:
        title.fill("Side effects exam")  # input events only, no keyup
    expect(page.get_by_label("Slug")).to_have_value("side-effects-exam")


@pytest.fixture
def section_tree(db):
    """ "Side Effects" is a heading in one document and a word in another's text."""
    guide = SourceDocumentFactory(title="Warfarin Guide")
    safety = SectionFactory(document=guide, title="Safety", order=1)
    effects = SectionFactory(
        document=guide, parent=safety, level=2, title="Side Effects", order=2
    )
    QuestionFactory(section=effects)
    QuestionFactory(section=effects)
    SectionFactory(
        document=SourceDocumentFactory(title="Routes"),
        title="3. Oral Administration",
        text="Side effects of oral dosing are listed elsewhere.\n",
    )
    return effects


def assert_fits(page) -> None:
    """Nothing scrolls sideways at 1280 px: no table or form is cut off."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls {overflow} px sideways"


def test_instructor_builds_a_timed_quiz_and_gives_a_trainee_an_override(
    admin_page, instructor, trainee, section_tree
):
    """The title fills the slug as it is typed; 20 in the time limit is 20 minutes;
    the draw's section is found by typing "Side Effects" (listed with its path);
    then an override gives one trainee more attempts and time, recorded as the
    instructor's."""
    page = admin_page
    page.goto("/admin/quizzes/quiz/add/")
    page.get_by_label("Title").press_sequentially("Warfarin safety exam")
    expect(page.get_by_label("Slug")).to_have_value("warfarin-safety-exam")
    # The quiz's own fields (the override inline's template has the same labels).
    page.locator("#id_time_limit").fill("20")
    page.locator("#id_attempts_allowed").fill("1")

    page.get_by_role("button", name="Add another Draw from a section").click()
    page.locator("#draws-0 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Side Effects")
    results = page.locator(".select2-results__option")
    expect(results).to_have_count(1)
    expect(results).to_have_text("Warfarin Guide › Safety › Side Effects")
    results.click()
    page.locator("[name='draws-0-count']").fill("2")
    page.set_viewport_size(DESKTOP)
    assert_fits(page)
    page.screenshot(path=DOCS_SCREENSHOTS / "admin-quiz-timed.png", full_page=True)
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    quiz = Quiz.objects.get(slug="warfarin-safety-exam")
    assert quiz.time_limit == timedelta(minutes=20)
    assert [(d.section, d.count) for d in quiz.draws.all()] == [(section_tree, 2)]
    expect(page.locator("#id_time_limit")).to_have_value("20")

    page.get_by_role(
        "button", name="Add another Override for a trainee or a group"
    ).click()
    override = page.locator("#overrides-0")
    override.get_by_label("Trainee").select_option(label="Alice Trainee (alice)")
    override.get_by_label("Time limit (minutes)").fill("40")
    override.get_by_label("Attempts allowed").fill("2")
    override.get_by_label("Reason").fill("Sick on the exam day; resit agreed")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    saved = QuizOverride.objects.get(quiz=quiz)
    assert (saved.trainee, saved.time_limit, saved.attempts_allowed) == (
        trainee,
        timedelta(minutes=40),
        2,
    )
    assert (saved.created_by, saved.updated_by) == (instructor, instructor)
    inline = page.locator("#overrides-group")
    expect(inline).to_contain_text("created by ida")
    assert_fits(page)
    inline.scroll_into_view_if_needed()
    inline.screenshot(path=DOCS_SCREENSHOTS / "admin-quiz-override.png")

    page.goto("/admin/quizzes/quizoverride/")
    row = page.get_by_role("row").filter(has_text="Warfarin safety exam")
    expect(row).to_contain_text("time limit 40 min; 2 attempts")
    assert_fits(page)
    page.goto(f"/admin/quizzes/trainee/{trainee.pk}/progress/")
    overrides = page.get_by_role("region", name="Overrides")
    expect(overrides).to_contain_text("Sick on the exam day; resit agreed")
    assert_fits(page)
