"""End to end, in Chromium: the tool (``live_server``) and a real LMS on loopback
(``tests.lti.loopback``, its own process, built on lti1p3platform).

- a learner launches from the course, sits a timed quiz, submits, and the score
  arrives in the LMS's grade store;
- an instructor deep-links a quiz, the LMS receives the resource link with the
  quiz in its custom claim, and a launch of that new link lands on the quiz;
- a roster sync imports the LMS's members.

Over plain HTTP, with production's cookies: the LMS on 127.0.0.1, the tool on
localhost (``live_server``), two sites, as an LMS and the tool are in production
(see ``production_cookies``).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from quizzes.choices import AttemptState
from quizzes.lti.models import Context, GradePost, Identity, Membership
from quizzes.models import Attempt
from tests.browser.helpers import autosaved, on_question
from tests.lti.loopback.harness import (  # noqa: F401  (the loopback_lms fixture)
    INSTRUCTOR,
    loopback_lms_fixture,
    member,
)
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def production_cookies(settings):
    """Production's cookies (quizsite/settings/production.py with HTTPS on). The
    tool (localhost) and the LMS (127.0.0.1) are two sites, so a launch's post and
    everything inside the LMS's iframe carry only SameSite=None cookies; those must
    be Secure, which Chromium accepts from http://localhost (a secure context)
    without TLS; and this Chromium blocks third-party cookies, so inside the frame
    they must also be Partitioned (quizsite.middleware.PartitionedCookies)."""
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SESSION_COOKIE_SAMESITE = settings.CSRF_COOKIE_SAMESITE = "None"


@pytest.fixture
def tool(live_server):
    """The tool with a signing key (``lti_rotate_keys``), as an operator sets it
    up."""
    call_command("lti_rotate_keys")
    return live_server


def register(urls: dict) -> None:
    """The LMS registered with the tool by ``lti_add_platform``, as the README says."""
    call_command(
        "lti_add_platform",
        "--name",
        "Loopback LMS",
        "--issuer",
        urls["issuer"],
        "--client-id",
        "quiz-tool",
        "--auth-url",
        urls["auth_login_url"],
        "--token-url",
        urls["auth_token_url"],
        "--jwks-url",
        urls["key_set_url"],
        "--deployment-id",
        "deployment-1",
    )


def test_a_learner_launches_sits_a_timed_quiz_and_the_score_reaches_the_lms(
    loopback_lms, tool, page
):
    """From the course page to the gradebook: the launch signs Ann in and lands on
    the quiz, she answers one of two questions right within the time limit, and
    her grade (50 of 100) is in the LMS's grade store for the link's line item."""
    quiz = quiz_with_questions(2, title="Airway", time_limit=timedelta(minutes=5))
    urls = loopback_lms.configure(
        tool_url=tool.url,
        members=[member("u-ann", given_name="Ann", family_name="Lee")],
        links={"link-1": {"title": "Airway quiz", "custom": {"quiz": quiz.slug}}},
    )
    register(urls)

    page.goto(loopback_lms.launch_url(user="u-ann", link="link-1"))
    page.get_by_role("button", name="Start attempt 1").click()
    on_question(page, 1, 2)
    with autosaved(page):
        page.get_by_text("Intramuscular 1", exact=True).click()
    page.get_by_role("button", name="Next").click()
    on_question(page, 2, 2)
    with autosaved(page):
        page.get_by_text("Oral 2", exact=True).click()
    page.get_by_role("navigation", name="Questions").get_by_role(
        "link", name="Submit…"
    ).click()
    page.get_by_role("button", name="Submit attempt").click()
    expect(page.locator(".result-headline")).to_contain_text("50%: not passed")

    ann = Identity.objects.get(issuer=urls["issuer"], subject="u-ann").user
    attempt = Attempt.objects.get(trainee=ann, quiz=quiz)
    assert attempt.state == AttemptState.FINISHED and attempt.deadline is not None
    # The grade sender's pass (it runs beside the server, every minute).
    call_command("lti_send_grades")
    [score] = loopback_lms.grades()["scores"]
    lineitem = loopback_lms.grades()["lineitems"][score["lineitem"]]
    assert lineitem["resourceLinkId"] == "link-1"
    assert score["userId"] == "u-ann"
    assert (score["scoreGiven"], score["scoreMaximum"]) == (50.0, 100.0)
    assert (score["activityProgress"], score["gradingProgress"]) == (
        "Completed",
        "FullyGraded",
    )
    assert GradePost.objects.get(user=ann).status == GradePost.Status.SENT


def test_a_launch_inside_the_lms_iframe_signs_in_and_the_answers_save(
    loopback_lms, tool, page, settings
):
    """Embedded in the LMS's page (an iframe, as Moodle's "Embed"): the login, the
    launch and the quiz pages are framed by the LMS, which LTI_FRAME_ANCESTORS
    lists; the launch signs Ann in inside the frame and her answer autosaves."""
    quiz = quiz_with_questions(2, title="Airway", time_limit=timedelta(minutes=5))
    urls = loopback_lms.configure(
        tool_url=tool.url,
        members=[member("u-ann", given_name="Ann", family_name="Lee")],
        links={"link-1": {"title": "Airway quiz", "custom": {"quiz": quiz.slug}}},
    )
    register(urls)
    settings.LTI_FRAME_ANCESTORS = [loopback_lms.url]

    page.goto(loopback_lms.embedded_url(user="u-ann", link="link-1"))
    tool_frame = page.frame_locator('iframe[title="Quiz tool"]')
    tool_frame.get_by_role("button", name="Start attempt 1").click()
    expect(tool_frame.get_by_role("heading", name="Question 1 of 2")).to_be_visible()
    with page.expect_response(
        lambda r: "/api/attempts/" in r.url and r.request.method == "PUT"
    ) as saved:
        tool_frame.get_by_text("Intramuscular 1", exact=True).click()
    assert saved.value.status == 200

    ann = Identity.objects.get(issuer=urls["issuer"], subject="u-ann").user
    attempt = Attempt.objects.get(trainee=ann, quiz=quiz)
    assert [a.choice_ids != [] for a in attempt.answers.all()].count(True) == 1


def test_an_instructor_deep_links_a_quiz_and_its_link_opens_it(
    loopback_lms, tool, page
):
    """Tess picks a quiz in the tool; the LMS verifies the signed response and
    records a resource link whose custom claim names the quiz, with a line item
    out of 100; Ann's launch of that new link lands on the quiz."""
    quiz = quiz_with_questions(2, title="Sedation basics")
    urls = loopback_lms.configure(
        tool_url=tool.url,
        members=[
            member("u-tess", given_name="Tess", roles=[INSTRUCTOR]),
            member("u-ann", given_name="Ann"),
        ],
    )
    register(urls)

    page.goto(loopback_lms.launch_url(user="u-tess", deep=True))
    deep_link_pick(page, quiz)
    expect(page.get_by_role("heading", name="Content added")).to_be_visible()
    [item] = loopback_lms.deep_links()["deep_links"]
    assert item["type"] == "ltiResourceLink"
    assert item["custom"] == {"quiz": quiz.slug}
    assert item["lineItem"]["scoreMaximum"] == 100

    page.context.clear_cookies()
    page.goto(loopback_lms.launch_url(user="u-ann", link=item["resource_link_id"]))
    expect(page.get_by_role("button", name="Start attempt 1")).to_be_visible()
    expect(page.get_by_role("heading", name="Sedation basics")).to_be_visible()


def deep_link_pick(page, quiz) -> None:
    """The tool's deep-linking page: choose the quiz and send it to the LMS."""
    page.get_by_label(quiz.title).check()
    page.get_by_role("button", name="Add this quiz").click()


def test_a_roster_sync_imports_the_lms_members(loopback_lms, tool, page):
    """Before any learner launches: the instructor's "Sync roster" on the course
    page brings the LMS's learners into the course's cohort, listed there."""
    urls = loopback_lms.configure(
        tool_url=tool.url,
        members=[
            member("u-ann", given_name="Ann", family_name="Lee"),
            member("u-ben", given_name="Ben", family_name="Ode"),
            member("u-tess", given_name="Tess", roles=[INSTRUCTOR]),
        ],
        links={"link-1": {"title": "Any quiz", "custom": {}}},
    )
    register(urls)
    page.goto(loopback_lms.launch_url(user="u-tess", link="link-1"))
    expect(page.get_by_role("heading", name="Anaesthesia 101")).to_be_visible()
    expect(page.locator("main")).to_contain_text("No learner yet")

    page.get_by_role("button", name="Sync roster").click()
    expect(page.locator("main")).to_contain_text(
        "Roster synced: 2 learner(s), 1 instructor(s)"
    )
    learners = page.get_by_role("table")
    expect(learners.get_by_role("rowheader")).to_have_text(["Ann Lee", "Ben Ode"])
    course = Context.objects.get(context_id="course-101")
    assert course.group.user_set.count() == 2
    assert Membership.objects.filter(context=course, active=True).count() == 3
