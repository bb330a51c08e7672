"""Journey: build a test from the questions one got wrong, sit it, find it on the
home page under "My tests"; and the builder page's accessibility."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from quizzes.models import Attempt
from quizzes.services.attempts import answer_save, attempt_finish, attempt_start
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.helpers import tutor_answer_all_and_submit
from tests.browser.test_accessibility import (
    FITS_AND_TARGETS,
    MIN_TARGET_PX,
    blocking_violations,
)
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db(transaction=True)


def sat_with_two_wrong(trainee):
    """Routes exam, finished: question 1 right, questions 2 and 3 wrong."""
    quiz = quiz_with_questions(3, title="Routes exam", time_limit=None)
    now = timezone.now()
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=now).attempt
    for answer in attempt.answers.select_related("question"):
        correct = answer.position == 1
        chosen = answer.question.choices.filter(is_correct=correct).first()
        answer_save(
            attempt=attempt,
            question_id=answer.question_id,
            choice_ids=[chosen.pk],
            flagged=None,
            now=now,
        )
    attempt_finish(attempt=attempt, now=timezone.now())
    wrong = set(
        attempt.answers.exclude(position=1).values_list("question_id", flat=True)
    )
    return quiz.fixed.first().question.section, wrong


def test_build_a_test_from_incorrect_questions_answer_it_and_find_it_at_home(
    page, login, trainee, screenshot
):
    """The section says 2 incorrect; a tutor test of 5 from them has 2, and says
    so; answered and submitted, it shows under "My tests", not among quizzes."""
    section, wrong = sat_with_two_wrong(trainee)
    login(trainee)
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Build a test"
    ).click()
    expect(page.get_by_role("heading", name="Build a test")).to_be_visible()
    box = page.get_by_role("checkbox", name=section.title)
    expect(page.get_by_text("0 unused · 2 incorrect · 0 flagged")).to_be_visible()
    box.check()
    pools = page.get_by_role("group", name="Questions to draw from")
    pools.get_by_role("checkbox", name="Unused").uncheck()
    pools.get_by_role("checkbox", name="Incorrect").check()
    page.get_by_label("Number of questions").fill("5")
    page.get_by_role("radio", name="Tutor").check()
    screenshot("builder")
    page.get_by_role("button", name="Build and start").click()

    expect(page.get_by_text("Only 2 questions match: your test has 2.")).to_be_visible()
    tutor_answer_all_and_submit(page, 2)

    mine = Attempt.objects.get(trainee=trainee, quiz__owner=trainee)
    assert mine.state == "finished"
    assert set(mine.answers.values_list("question_id", flat=True)) == wrong

    page.goto("/")
    my_tests = page.get_by_role("region", name="My tests")
    expect(my_tests).to_contain_text(f"My test: {section.title}")
    expect(my_tests).to_contain_text("Tutor, 2 questions")
    screenshot("home-my-tests")


def test_the_builder_page_has_no_axe_violation_and_fits_a_phone(page, login, trainee):
    """axe finds nothing serious at 1280 and 375 px, before and after a refused
    POST; at 375 px nothing scrolls sideways and every target is 44 px high."""
    sat_with_two_wrong(trainee)
    login(trainee)
    page.goto("/study/build/")
    found = {}
    for width, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        found[width] = blocking_violations(page, "builder", width)
    measured = page.evaluate(FITS_AND_TARGETS, MIN_TARGET_PX)
    assert measured["scrollWidth"] <= measured["clientWidth"], measured
    assert measured["small"] == [], measured
    page.get_by_role("button", name="Build and start").click()  # no section
    expect(page.get_by_text("Choose at least one section.")).to_be_visible()
    found["refused"] = blocking_violations(page, "builder refused", "phone")
    assert found == {"desktop": [], "phone": [], "refused": []}


def test_seconds_per_question_show_only_for_a_timed_test(page, login, trainee):
    """Tutor (the default): no seconds field; Timed: the field, 90 s by default."""
    sat_with_two_wrong(trainee)
    login(trainee)
    page.goto("/study/build/")
    seconds = page.get_by_label("Seconds per question")
    expect(seconds).to_be_hidden()
    page.get_by_role("radio", name=re.compile("^Timed")).check()
    expect(seconds).to_be_visible()
    expect(seconds).to_have_value("90")
    page.get_by_role("radio", name="Tutor").check()
    expect(seconds).to_be_hidden()


def test_a_second_click_while_the_test_is_being_built_builds_no_second_one(
    page, login, trainee
):
    """Clicked again while the server is still building (its answer held back
    here), the form is not sent twice: one POST, one personal test."""
    section, _ = sat_with_two_wrong(trainee)
    login(trainee, path="/study/build/")
    page.get_by_role("checkbox", name=section.title).check()
    page.get_by_role("group", name="Questions to draw from").get_by_role(
        "checkbox", name="Incorrect"
    ).check()
    # The form posts into a frame, so that the page itself stays to be clicked
    # again while the server's answer is held back.
    page.evaluate(
        """() => {
            const frame = document.createElement("iframe");
            frame.name = "sink";
            document.body.append(frame);
            document.querySelector("form.builder").target = "sink";
        }"""
    )
    held = []
    page.route(
        "**/study/build/",
        lambda route: (
            held.append(route) if route.request.method == "POST" else route.continue_()
        ),
    )
    button = page.locator("form.builder button[type=submit]")
    with page.expect_request(lambda r: r.method == "POST"):
        button.click()
    expect(button).to_have_text("Starting…")
    # A second submission would be sent at once; none comes.
    with (
        pytest.raises(PlaywrightTimeoutError),
        page.expect_request(lambda r: r.method == "POST", timeout=2000),
    ):
        button.click(force=True)  # aria-disabled: Playwright would wait for it
    assert len(held) == 1
    with page.expect_response(lambda r: r.request.method == "POST"):
        held[0].continue_()
    assert Attempt.objects.filter(trainee=trainee, quiz__owner=trainee).count() == 1
