"""A problem report's journey: a trainee reports a question from their review, an
instructor finds it in the queue and resolves it with a note, and the trainee reads
the outcome on the review. By keyboard on the trainee's side, at 375 px and 1280 px.
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from quizzes.choices import ReportCategory
from quizzes.models import ProblemReport
from quizzes.services.attempts import answer_save, attempt_finish, attempt_start
from quizzes.services.reports import report_create
from tests.admin.factories import InstructorFactory
from tests.browser.conftest import DESKTOP, DOCS_SCREENSHOTS, PHONE
from tests.browser.helpers import tab_to
from tests.browser.test_admin_layout import OVERFLOW_JS, log_in
from tests.factories import UserFactory
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "Thank you: the key is corrected, and your attempt will be regraded."
PAGE_WIDTH_JS = "() => document.documentElement.scrollWidth"


def finished_attempt(trainee, quiz=None):
    quiz = quiz or quiz_with_questions(3)
    now = timezone.now()
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=now).attempt
    for answer in attempt.answers.all():
        answer_save(
            attempt=attempt,
            question_id=answer.question_id,
            choice_ids=answer.choice_order[:1],
            flagged=False,
            now=now,
        )
    return attempt_finish(attempt=attempt, now=now)


def test_a_report_goes_from_the_review_to_the_queue_and_its_outcome_back(
    page: Page, context: BrowserContext, live_server, trainee, screenshot
):
    attempt = finished_attempt(trainee)
    review = f"/attempts/{attempt.pk}/review/"

    # The trainee opens the form and sends it with the keyboard alone.
    log_in(context, trainee, live_server)
    page.goto(review)
    question = page.get_by_role("region", name="Question 2")
    summary = question.get_by_text("Report a problem with this question")
    tab_to(page, summary, limit=80)
    page.keyboard.press("Enter")
    category = question.get_by_label("What kind of problem?")
    expect(category).to_be_visible()
    page.keyboard.press("Tab")
    expect(category).to_be_focused()
    category.select_option(label="The key is wrong")
    page.keyboard.press("Tab")
    page.keyboard.type("The section gives intramuscular, the key says oral.")
    page.keyboard.press("Tab")
    expect(question.get_by_role("button", name="Send the report")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("your report on question 2 is sent")).to_be_visible()
    expect(question.get_by_text("Status: Open")).to_be_visible()
    assert ProblemReport.objects.get().answer.position == 2
    # Another trainee's report on the same quiz, which Alice never sees.
    other = finished_attempt(UserFactory(username="bob"), attempt.quiz)
    report_create(
        trainee=other.trainee,
        attempt=other,
        question_id=other.answers.get(position=1).question_id,
        category=ReportCategory.UNCLEAR,
        text="Bob's report: does “not feasible” include a failed cannula?",
        now=timezone.now(),
    )

    # The open form fits a phone.
    page.set_viewport_size(PHONE)
    page.get_by_role("region", name="Question 1").get_by_text(
        "Report a problem with this question"
    ).click()
    assert page.evaluate(PAGE_WIDTH_JS) <= PHONE["width"]
    page.set_viewport_size(DESKTOP)
    screenshot("review-reported")

    # The instructor sees it in the queue, which fits 1280 px, and resolves it.
    context.clear_cookies()
    log_in(context, InstructorFactory(), live_server)
    page.goto("/admin/quizzes/problemreport/?status__exact=open")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    row = rows.filter(has_text="The section gives intramuscular")
    assert page.evaluate(OVERFLOW_JS) == []
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=DOCS_SCREENSHOTS / "admin-problem-reports.png")
    row.locator("th a").click()
    expect(page.get_by_text("✓ key:")).to_be_visible()
    page.get_by_label("Resolved").check()
    page.get_by_label("Note to the trainee").fill(NOTE)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("changed successfully")

    # The trainee reads the outcome and the note on the review.
    context.clear_cookies()
    log_in(context, trainee, live_server)
    page.goto(review)
    question = page.get_by_role("region", name="Question 2")
    expect(question.get_by_text("Status: Resolved")).to_be_visible()
    expect(question.get_by_text(NOTE)).to_be_visible()
    expect(page.get_by_text("Bob's report")).to_have_count(0)
    screenshot("review-outcome")
