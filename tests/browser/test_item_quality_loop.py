"""The item-quality loop, end to end, as people would go through it in a browser.

A miskeyed question (the passage supports "Intramuscular 1", the key says "Oral 1")
is answered by a cohort of nine; the statistics flag it, because the top third
prefers a distractor to the key. A trainee reports it from their review; the
instructor sees the flag and the report, fixes the key, regrades the question (dry
run first, then commit with a reason), and resolves the report; the trainee reads
the regrade notice, the new score and the report's outcome.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from quizzes.choices import ReportStatus
from quizzes.models import Attempt, AttemptRegrade, Choice, ProblemReport
from quizzes.services.attempts import answer_save, attempt_finish, attempt_start
from tests.browser.conftest import DESKTOP, DOCS_SCREENSHOTS, PHONE
from tests.browser.test_admin_layout import OVERFLOW_JS
from tests.factories import UserFactory
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db(transaction=True)

REPORT = "The passage gives intramuscular when IV access fails; the key says oral."
REASON = "Question 1's key was corrected to intramuscular"
NOTE = "Thank you: the key is corrected and every attempt has been regraded."


def fits_a_phone(page: Page) -> None:
    """At 375 px the page does not scroll sideways (wide tables scroll in their own
    box); back to 1280 px after."""
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(DESKTOP)
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a phone"


def sit(trainee, quiz, *, strong: bool) -> Attempt:
    """A finished attempt. A strong trainee is right on questions 2 and 3 and picks
    what the passage supports on question 1 (keyed wrong); a weak one is wrong on 2
    and 3 and picks question 1's (wrong) key."""
    now = timezone.now()
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=now).attempt
    for answer in attempt.answers.select_related("question"):
        choices = {c.text: c.pk for c in answer.question.choices.all()}
        i = answer.position
        if i == 1:
            text = "Intramuscular 1" if strong else "Oral 1"
        else:
            text = f"Intramuscular {i}" if strong else f"Nasal {i}"
        answer_save(
            attempt=attempt,
            question_id=answer.question_id,
            choice_ids=[choices[text]],
            flagged=False,
            now=now,
        )
    return attempt_finish(attempt=attempt, now=now)


@pytest.fixture
def cohort(trainee):
    """The miskeyed exam (review as soon as an attempt is finished) and nine
    finished attempts: five strong (Alice among them), four weak."""
    quiz = quiz_with_questions(3, title="Routes exam")
    question = quiz.questions.get(quizquestion__order=1)
    Choice.objects.filter(question=question, text="Intramuscular 1").update(
        is_correct=False
    )
    Choice.objects.filter(question=question, text="Oral 1").update(is_correct=True)
    attempt = sit(trainee, quiz, strong=True)
    for n in range(4):
        sit(UserFactory(username=f"strong{n}"), quiz, strong=True)
    for n in range(4):
        sit(UserFactory(username=f"weak{n}"), quiz, strong=False)
    assert attempt.score == 2
    return quiz, question, attempt


def test_a_miskeyed_question_is_reported_flagged_fixed_and_regraded(
    page: Page,
    context: BrowserContext,
    live_server,
    trainee,
    instructor,
    login,
    screenshot,
    cohort,
):
    """Report → flag and report in the admin → key fixed → dry run → commit →
    report resolved → the trainee reads the notice, the new score and the outcome;
    the database holds the new score, the regrade's who/why/old/new and the
    resolved report."""
    quiz, question, attempt = cohort

    # 2. Alice finds her review from her history and reports question 1.
    login(trainee)
    page.goto("/history/")
    page.get_by_role("link", name="Review Routes exam, attempt 1").click()
    first = page.get_by_role("region", name="Question 1")
    # Her attempt is pinned to the miskeyed version: "Oral 1" is the key.
    expect(first.locator(".is-key")).to_contain_text("Oral 1")
    expect(first.locator(".is-chosen")).to_contain_text("Intramuscular 1")
    first.get_by_text("Report a problem with this question").click()
    first.get_by_label("What kind of problem?").select_option(label="The key is wrong")
    first.get_by_label("What is wrong?").fill(REPORT)
    first.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("your report on question 1 is sent")).to_be_visible()
    expect(first.get_by_text("Status: Open")).to_be_visible()
    screenshot("1-reported")

    # 3. The instructor opens the statistics (which fills the cache): question 1
    # is flagged, its top third preferring a distractor to the key.
    context.clear_cookies()
    login(instructor, path="/admin/login/")
    statistics = reverse("admin:quizzes_quiz_statistics", args=[quiz.pk])
    page.goto(statistics)
    row = page.locator(f"#q-{question.pk}")
    expect(row).to_contain_text("the top third picked “Intramuscular 1”")
    assert page.evaluate(OVERFLOW_JS) == []
    fits_a_phone(page)
    screenshot("2-statistics")

    # The question list shows the flag and the open report in one column.
    page.goto(reverse("admin:quizzes_question_changelist") + "?flagged=yes")
    listed = page.locator("#result_list tbody tr").filter(has_text="Stem 1:")
    expect(listed).to_contain_text("key beaten")
    report_link = listed.get_by_role("link", name="1 open report")
    expect(report_link).to_be_visible()
    assert page.evaluate(OVERFLOW_JS) == []
    fits_a_phone(page)
    screenshot("3-question-list")

    # The link leads to the queue, filtered to the question; the report opens.
    report_link.click()
    reports = page.locator("#result_list tbody tr")
    expect(reports).to_have_count(1)
    expect(reports).to_contain_text("The passage gives intramuscular")
    reports.first.locator("th a").click()
    expect(page.get_by_text(REPORT)).to_be_visible()
    report_url = page.url
    screenshot("4-report")

    # 4. The key is fixed on the question's change page: the mark moves from
    # "Oral 1" to "Intramuscular 1".
    page.goto(reverse("admin:quizzes_question_change", args=[question.pk]))
    texts = page.locator("[name^='choices-'][name$='-text']")
    expect(texts.first).to_have_value("Intramuscular 1")
    expect(texts.nth(1)).to_have_value("Oral 1")
    page.locator("[name='choices-1-is_correct']").uncheck()
    page.locator("[name='choices-0-is_correct']").check()
    expect(page.locator("[name='choices-1-is_correct']")).not_to_be_checked()
    # The exam's three stems differ only by their number: a near-duplicate
    # warning, which a published question's save needs acknowledged.
    page.get_by_label("Acknowledge: Nearly the same as another item").fill(
        "The test exam's stems share one template."
    )
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("changed successfully")
    screenshot("5-key-fixed")

    # 5. The regrade: the dry run lists every attempt that changes, Alice's 2 → 3.
    page.get_by_role("link", name="Regrade…").click()
    expect(page.get_by_text("A dry run: nothing has changed yet")).to_be_visible()
    plan = page.locator("#regrade-plan tbody tr")
    expect(plan).to_have_count(9)
    alice = plan.filter(has_text="alice")
    expect(alice).to_contain_text("2 → 3 / 3")
    expect(plan.filter(has_text="weak0")).to_contain_text("1 → 0 / 3")
    assert Attempt.objects.get(pk=attempt.pk).score == 2  # nothing written yet
    assert page.evaluate(OVERFLOW_JS) == []
    fits_a_phone(page)  # the plan scrolls in its own box, not the page
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=DOCS_SCREENSHOTS / "admin-regrade-dry-run.png", full_page=True)
    screenshot("6-dry-run")
    page.get_by_label("Reason").fill(REASON)
    page.get_by_role("button", name="Commit the regrade").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "Regraded: 9 attempt(s) changed score"
    )
    screenshot("7-regraded")

    # 6. The report is resolved with a note.
    page.goto(report_url)
    page.get_by_label("Resolved").check()
    page.get_by_label("Note to the trainee").fill(NOTE)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("changed successfully")

    # 7. Alice reads the notice and her new score on the result, then the outcome
    # of her report on the review.
    context.clear_cookies()
    login(trainee)
    page.goto(reverse("attempt_result", args=[attempt.pk]))
    notice = page.locator(".regrade-notice")
    expect(notice).to_contain_text(f"(question 1): {REASON}.")
    expect(notice).to_contain_text("Score 2/3 → 3/3.")
    screenshot("8-result")
    page.goto(reverse("attempt_review", args=[attempt.pk]))
    expect(page.locator(".regrade-notice")).to_contain_text(REASON)
    first = page.get_by_role("region", name="Question 1")
    # The regrade moved her answer to the corrected version.
    expect(first.locator(".is-key.is-chosen")).to_contain_text("Intramuscular 1")
    expect(first.get_by_text("Status: Resolved")).to_be_visible()
    expect(first.get_by_text(NOTE)).to_be_visible()
    screenshot("9-review")

    # The database agrees.
    attempt.refresh_from_db()
    assert attempt.score == 3
    regrade = AttemptRegrade.objects.get(attempt=attempt)
    assert (regrade.regraded_by, regrade.reason) == (instructor, REASON)
    assert (regrade.old_score, regrade.new_score) == (Decimal(2), Decimal(3))
    assert regrade.question_id == question.pk
    assert AttemptRegrade.objects.count() == 9
    report = ProblemReport.objects.get()
    assert (report.status, report.resolution_note) == (ReportStatus.RESOLVED, NOTE)
    assert report.resolved_at is not None
