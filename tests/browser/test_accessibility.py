"""Accessibility of the trainee's pages: axe-core, the countdown's announcements, and
the attempt on a phone.

axe-core comes from ``axe-playwright-python``, which ships ``axe.min.js``; it runs
in the page, offline. A violation of impact serious or critical fails; the full
results (minor and moderate too) are written to ``test-artefacts/browser/``.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from quizzes.choices import QuestionKind, QuizMode
from quizzes.models import Answer
from quizzes.services.attempts import (
    answer_confirm,
    answer_save,
    attempt_finish,
    attempt_start,
)
from quizzes.services.seb import quiz_seb_file_set
from tests.browser.conftest import ARTEFACTS, DESKTOP, PHONE
from tests.browser.helpers import clock_seconds, on_question
from tests.seb_requests import require_seb
from tests.test_seb import fixture
from tests.views.factories import quiz_with_questions

# What a page looks like, not how it is stored: once is enough (tests/conftest.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.backend_independent]

BLOCKING_IMPACTS = {"serious", "critical"}
MIN_TARGET_PX = 44


def _answer(attempt, position: int, *, correct: bool, flagged: bool = False):
    answer = Answer.objects.select_related("question").get(
        attempt=attempt, position=position
    )
    choices = answer.question.choices.filter(is_correct=correct).order_by("order")
    save = [choices[0].pk]
    answer_save(
        attempt=attempt,
        question_id=answer.question_id,
        choice_ids=save,
        flagged=flagged,
        now=timezone.now(),
    )
    return answer


def trainee_pages(trainee) -> dict[str, str]:
    """Every kind of trainee page, with data in it: name → path.

    An exam in progress (one answer saved and flagged, one not), a finished exam
    (for the result and the review) and a tutor-mode answer confirmed, which shows
    its feedback and source on the attempt page itself.
    """
    kinds = [QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE]
    now = timezone.now()
    exam = quiz_with_questions(3, kinds=kinds, title="Routes exam")
    sitting = attempt_start(trainee=trainee, quiz=exam, now=now).attempt
    _answer(sitting, 1, correct=True, flagged=True)

    done_quiz = quiz_with_questions(3, kinds=kinds, title="Routes exam, finished")
    done = attempt_start(trainee=trainee, quiz=done_quiz, now=now).attempt
    _answer(done, 1, correct=True)
    _answer(done, 2, correct=False)
    attempt_finish(attempt=done, now=timezone.now())

    tutor_quiz = quiz_with_questions(
        2, title="Routes practice", mode=QuizMode.TUTOR, time_limit=None
    )
    tutor = attempt_start(trainee=trainee, quiz=tutor_quiz, now=now).attempt
    confirmed = _answer(tutor, 1, correct=False)
    answer_confirm(attempt=tutor, question_id=confirmed.question_id, now=timezone.now())

    # A quiz that requires Safe Exam Browser, seen from this (other) browser: its
    # page explains how to open it in SEB, and its attempt is a 403 page saying so.
    seb_quiz = require_seb(quiz_with_questions(1, title="Routes exam in SEB"))
    quiz_seb_file_set(
        quiz=seb_quiz, name="exam.seb", content=fixture("exam.seb"), now=now
    )
    seb_sitting = attempt_start(trainee=trainee, quiz=seb_quiz, now=now).attempt
    return {
        "login": reverse("login"),
        "quiz list": reverse("home"),
        "quiz page": exam.get_absolute_url(),
        "attempt": f"{sitting.get_absolute_url()}?q=1",
        "attempt, tutor feedback": f"{tutor.get_absolute_url()}?q=1",
        "submit": reverse("attempt_submit", args=[sitting.pk]),
        "result": reverse("attempt_result", args=[done.pk]),
        "review": reverse("attempt_review", args=[done.pk]),
        "history": reverse("history"),
        "password change": reverse("password_change"),
        "quiz page, Safe Exam Browser required": seb_quiz.get_absolute_url(),
        "Safe Exam Browser refusal of an attempt": seb_sitting.get_absolute_url(),
    }


def open_page(page: Page, login, trainee, name: str) -> None:
    path = trainee_pages(trainee)[name]
    if name != "login":
        login(trainee)
    page.goto(path)
    if name.startswith("attempt") and "Safe Exam Browser" not in name:
        expect(page.get_by_role("heading", name="Question 1 of")).to_be_visible()


def blocking_violations(page: Page, name: str, width: str) -> list[str]:
    """Run axe-core on the page; keep the full results as an artefact and return
    the serious and critical violations, one line per rule."""
    results = Axe().run(page).response
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    slug = name.replace(" ", "-").replace(",", "")
    (ARTEFACTS / f"axe--{slug}--{width}.json").write_text(
        json.dumps(results["violations"], indent=2)
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"])
        for v in results["violations"]
        if v["impact"] in BLOCKING_IMPACTS
    ]


def test_the_scan_reports_a_serious_violation_when_there_is_one(page):
    """The scan itself is live: an unlabelled field and a missing alt are caught."""
    page.set_content(
        '<html lang="en"><title>Bad</title><main><h1>Bad</h1>'
        '<img src="x.png"><input type="text"></main></html>'
    )
    found = blocking_violations(page, "self-check", "desktop")
    assert [line.split(" ")[0] for line in found] == ["image-alt", "label"]


PAGES = [
    "login",
    "quiz list",
    "quiz page",
    "attempt",
    "attempt, tutor feedback",
    "submit",
    "result",
    "review",
    "history",
    "password change",
    "quiz page, Safe Exam Browser required",
    "Safe Exam Browser refusal of an attempt",
]


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_serious_or_critical_axe_violation(
    page, login, trainee, screenshot, name
):
    """axe-core finds nothing serious or critical, at desktop or at phone width."""
    open_page(page, login, trainee, name)
    screenshot(name.replace(" ", "-").replace(",", ""))
    found = {}
    for width, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        found[width] = blocking_violations(page, name, width)
    assert found == {"desktop": [], "phone": []}


# --- The countdown's screen-reader announcements ---------------------------------

RECORD_ANNOUNCEMENTS = """
document.addEventListener("DOMContentLoaded", () => {
  const announcer = document.querySelector("[data-timer-announcer]");
  const clock = document.querySelector("[data-timer]");
  if (!announcer) return;
  new MutationObserver(() => {
    window.recordAnnouncement(announcer.textContent, clock.textContent);
  }).observe(announcer, {childList: true, characterData: true, subtree: true});
});
"""


@pytest.fixture
def announcements(page):
    """Every text the countdown's live region takes, with the clock at that moment,
    across page loads: [(text, "mm:ss"), ...]."""
    heard: list[tuple[str, str]] = []
    page.expose_function(
        "recordAnnouncement", lambda text, clock: heard.append((text, clock))
    )
    page.add_init_script(RECORD_ANNOUNCEMENTS)
    return heard


def start(page: Page, login, trainee, *, time_limit: timedelta) -> None:
    quiz = quiz_with_questions(2, title="Announced exam", time_limit=time_limit)
    login(trainee)
    page.goto(quiz.get_absolute_url())
    page.get_by_role("button", name="Start attempt 1").click()
    on_question(page, 1, 2)


def test_the_visible_clock_is_not_a_live_region_and_its_announcer_is(
    page, login, trainee
):
    """A screen reader is not read every second of the clock: neither the clock nor
    any ancestor is live; a separate polite status, empty at first, is."""
    start(page, login, trainee, time_limit=timedelta(minutes=30))
    clock = page.locator("[data-timer]")
    live_ancestor = clock.evaluate(
        "el => el.closest('[aria-live], [role=status], [role=alert], [role=log],"
        " [role=timer], [role=marquee]') !== null"
    )
    assert live_ancestor is False
    announcer = page.locator("[data-timer-announcer]")
    expect(announcer).to_have_attribute("aria-live", "polite")
    expect(announcer).to_have_attribute("role", "status")
    expect(announcer).to_have_text("")


def test_crossing_the_one_minute_mark_is_announced_once_and_nothing_before(
    page, login, trainee, announcements
):
    """In real time, from just over a minute left: the live region stays silent,
    then says "1 minute left." once, as the clock reaches 01:00."""
    start(page, login, trainee, time_limit=timedelta(seconds=63))
    assert clock_seconds(page) > 60
    assert announcements == []
    expect(page.locator("[data-timer-announcer]")).to_have_text(
        "1 minute left.", timeout=8_000
    )
    page.wait_for_timeout(1_500)  # a second later: nothing new
    assert announcements == [("1 minute left.", "01:00")]


def test_only_the_10_5_and_1_minute_marks_and_time_up_are_announced(
    page, login, trainee, announcements
):
    """Eleven minutes run on the page's own (fast-forwarded) timers: four
    announcements, each at its mark, then the attempt is submitted."""
    page.clock.install()
    start(page, login, trainee, time_limit=timedelta(minutes=11))
    page.clock.run_for("11:00")
    expect(page.get_by_role("heading", name="Result: Announced exam")).to_be_visible()
    assert announcements == [
        ("10 minutes left.", "10:00"),
        ("5 minutes left.", "05:00"),
        ("1 minute left.", "01:00"),
        ("Time is up. Your attempt is being submitted.", "00:00"),
    ]


# --- A phone ------------------------------------------------------------------

FITS_AND_TARGETS = """
(minHeight) => {
  const page = document.scrollingElement;
  const small = [...document.querySelectorAll(
    "button, .button, input[type=submit], input[type=button], [role=button]"
  )]
    .filter((el) => el.getClientRects().length > 0)
    .map((el) => [el.textContent.trim(), el.getBoundingClientRect().height])
    .filter(([, height]) => height < minHeight);
  return {scrollWidth: page.scrollWidth, clientWidth: page.clientWidth, small};
}
"""


@pytest.mark.parametrize(
    "name", ["attempt", "attempt, tutor feedback", "submit", "result", "review"]
)
def test_on_a_phone_nothing_scrolls_sideways_and_buttons_are_44px_high(
    page, login, trainee, name
):
    """At 375×667 the page is no wider than the screen, and every button is at
    least 44 CSS pixels high (an easy target for a thumb)."""
    page.set_viewport_size(PHONE)
    open_page(page, login, trainee, name)
    page.locator("details").evaluate_all("all => all.forEach(d => d.open = true)")
    measured = page.evaluate(FITS_AND_TARGETS, MIN_TARGET_PX)
    assert measured["scrollWidth"] <= measured["clientWidth"], measured
    assert measured["small"] == [], measured
