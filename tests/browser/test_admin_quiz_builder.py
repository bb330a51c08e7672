"""An instructor builds a timed quiz in the admin and gives one trainee an override."""

import pytest
from playwright.sync_api import expect

from quizzes.services.instructors import instructor_create
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def instructor(db):
    user, _ = instructor_create(username="ida", first_name="Ida", last_name="Tutor")
    user.set_password(PASSWORD)  # the password validators would refuse a test one
    user.save()
    return user


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
