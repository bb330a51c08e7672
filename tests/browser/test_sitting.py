"""Journey 1: a trainee sits a timed section quiz from login to the review."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from quizzes.choices import AttemptState, QuestionKind
from quizzes.models import Attempt
from tests.browser.helpers import (
    answer_row,
    autosaved,
    choice,
    chosen_texts,
    clock_seconds,
    on_question,
    tab_to,
)
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db(transaction=True)


def test_answers_and_flags_survive_a_reload_and_the_review_marks_the_source(
    page, login, trainee, screenshot
):
    """Mouse and keyboard answers and a flag are kept across a reload, the clock
    resumes from the server's deadline, and submitting with a question unanswered
    warns first, then shows the result and a review with the source highlighted."""
    quiz = quiz_with_questions(
        3,
        kinds=[QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE],
        title="Routes of administration",
        time_limit=timedelta(minutes=10),
    )

    login(trainee, path="/")
    expect(page).to_have_title("Quizzes · Clinical quizzes")
    page.get_by_role("link", name="Routes of administration", exact=True).click()
    page.get_by_role("button", name="Start attempt 1").click()
    on_question(page, 1, 3)
    attempt = Attempt.objects.get(trainee=trainee, quiz=quiz)
    screenshot("question-1")

    # Question 1 with the mouse: a click on the option's label.
    with autosaved(page):
        page.get_by_text("Intramuscular 1", exact=True).click()
    assert chosen_texts(answer_row(attempt, 1)) == ["Intramuscular 1"]
    page.get_by_role("button", name="Next").click()
    on_question(page, 2, 3)

    # Question 2 with the keyboard only: Tab to each option, Space ticks it.
    for text in ("Intravenous 2", "Intramuscular 2"):
        tab_to(page, choice(page, text))
        with autosaved(page):
            page.keyboard.press("Space")
    tab_to(page, page.get_by_label("Flag for review"))
    with autosaved(page):
        page.keyboard.press("Space")
    second = answer_row(attempt, 2)
    assert chosen_texts(second) == ["Intravenous 2", "Intramuscular 2"]
    assert second.flagged

    page.reload()
    expect(choice(page, "Intravenous 2")).to_be_checked()
    expect(choice(page, "Intramuscular 2")).to_be_checked()
    expect(choice(page, "Skin patch 2")).not_to_be_checked()
    expect(page.get_by_label("Flag for review")).to_be_checked()
    navigator = page.get_by_role("navigation", name="Questions")
    expect(navigator.get_by_role("link", name="Question 1")).to_contain_text("Answered")
    expect(navigator.get_by_role("link", name="Question 2")).to_contain_text(
        "Answered, flagged"
    )
    # The reloaded clock starts from the server's deadline, not from the limit.
    server_left = (attempt.deadline - timezone.now()).total_seconds()
    shown = clock_seconds(page)
    assert server_left - 2 <= shown <= server_left + 1
    assert shown < 600
    clock = page.locator("[data-timer]")
    expect(clock).not_to_have_text(clock.inner_text())  # and it keeps counting
    screenshot("question-2-after-reload")

    navigator.get_by_role("link", name="Question 1").click()
    expect(choice(page, "Intramuscular 1")).to_be_checked()

    navigator.get_by_role("link", name="Submit…").click()
    warning = "1 question is not answered: it will score 0 if you submit now."
    expect(page.locator("main")).to_contain_text(warning)
    expect(page.get_by_role("link", name="Question 3")).to_be_visible()
    submit = page.get_by_role("button", name="Submit attempt")
    # A screen reader hears the warning on the button that would ignore it.
    expect(submit).to_have_accessible_description(warning)
    screenshot("submit-warning")
    submit.click()

    expect(page.get_by_role("heading", name="Result: Routes of")).to_be_visible()
    expect(page.locator(".result-headline")).to_contain_text("66.7%: not passed")
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED
    assert attempt.score == 2
    screenshot("result")

    page.get_by_role("link", name="Review your answers").click()
    first = page.get_by_role("region", name="Question 1")
    expect(first).to_contain_text("Correct (1 point)")
    expect(page.get_by_role("region", name="Question 3")).to_contain_text(
        "Not answered (0 points)"
    )
    first.get_by_text("Show the passage in its section").click()
    highlighted = first.locator("mark")
    expect(highlighted).to_be_visible()
    expect(highlighted).to_have_text(answer_row(attempt, 1).question.source_quote)
    screenshot("review")
