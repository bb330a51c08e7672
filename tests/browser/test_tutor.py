"""Journey 4: tutor mode. A confirmed answer shows its key and can no longer change."""

import pytest
from playwright.sync_api import expect

from quizzes.choices import QuizMode
from quizzes.models import Attempt, ReviewCard
from tests.browser.helpers import (
    answer_row,
    attempt_opened,
    autosaved,
    choice,
    chosen_texts,
    save_status,
)
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db(transaction=True)


def start_tutor_quiz(page, login, trainee) -> Attempt:
    quiz = quiz_with_questions(
        2, title="Practice: routes", mode=QuizMode.TUTOR, time_limit=None
    )
    login(trainee)
    return attempt_opened(page, quiz, trainee, count=2)


def test_a_confirmed_answer_shows_its_key_and_rationales_and_is_locked(
    page, login, trainee, screenshot
):
    """Confirming shows the key, every option's rationale, the explanation and the
    source; the options are then disabled, and neither a click nor a Save changes
    the saved answer."""
    attempt = start_tutor_quiz(page, login, trainee)
    expect(page.get_by_text("Rationale 1.1")).to_have_count(0)  # nothing before
    with autosaved(page):
        page.get_by_text("Oral 1", exact=True).click()
    page.get_by_role("button", name="Confirm answer").click()

    feedback = page.get_by_role("region", name="Feedback")
    expect(feedback).to_contain_text("Your answer does not match the key.")
    expect(feedback).to_contain_text("Explanation 1: the section names that route.")
    expect(feedback.locator("blockquote")).to_have_text(
        "Passage 1: intramuscular injection is used when IV access fails (1)."
    )
    key = page.locator(".choice.is-key")
    expect(key).to_have_count(1)
    expect(key).to_contain_text("Intramuscular 1")
    expect(key).to_contain_text("Correct answer")
    for order in range(1, 5):
        expect(page.get_by_text(f"Rationale 1.{order}:")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm answer")).to_have_count(0)
    expect(page.get_by_text("You confirmed this answer")).to_be_visible()
    screenshot("confirmed")

    for text in ("Intramuscular 1", "Oral 1", "Nasal 1", "Patch 1"):
        expect(choice(page, text)).to_be_disabled()
    page.get_by_text("Intramuscular 1", exact=True).click(force=True)
    expect(choice(page, "Oral 1")).to_be_checked()
    # Nothing left to save but the flag, which autosaves: no Save button.
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    expect(choice(page, "Oral 1")).to_be_checked()
    first = answer_row(attempt, 1)
    assert first.locked_at is not None
    assert chosen_texts(first) == ["Oral 1"]
    navigator = page.get_by_role("navigation", name="Questions")
    expect(navigator.get_by_role("link", name="Question 1")).to_contain_text(
        "Confirmed"
    )


def test_a_change_from_another_tab_after_confirming_is_refused_in_place(
    page, context, login, trainee, screenshot
):
    """A second tab still shows the question unlocked: its change is refused, the
    tab says why and reloads the question, now locked with its feedback (the
    attempt goes on: it must not be sent to a result that does not exist yet)."""
    attempt = start_tutor_quiz(page, login, trainee)
    other = context.new_page()
    other.goto(page.url)
    with autosaved(page):
        page.get_by_text("Intramuscular 1", exact=True).click()
    page.get_by_role("button", name="Confirm answer").click()
    expect(page.get_by_role("region", name="Feedback")).to_be_visible()

    other.get_by_text("Nasal 1", exact=True).click()
    expect(save_status(other)).to_contain_text(
        "This answer was confirmed and can no longer change."
    )
    expect(other.get_by_role("region", name="Feedback")).to_be_visible(timeout=15_000)
    expect(other.get_by_role("heading", name="Question 1 of 2")).to_be_visible()
    expect(choice(other, "Intramuscular 1")).to_be_checked()
    expect(choice(other, "Nasal 1")).to_be_disabled()
    assert chosen_texts(answer_row(attempt, 1)) == ["Intramuscular 1"]
    other.close()


def test_confirm_sends_the_chosen_confidence_to_the_confirm_api(page, login, trainee):
    """Tutor mode: "Sure" with Confirm goes to the confirm API as
    {"confidence": "sure"}; the right answer's card is then reviewed as Easy
    (FSRS's first stability for Easy, 8.2956 days)."""
    quiz = quiz_with_questions(1, mode=QuizMode.TUTOR, time_limit=None)
    login(trainee)
    attempt = attempt_opened(page, quiz, trainee, count=1)
    with autosaved(page):
        page.get_by_text("Intramuscular 1", exact=True).click()
    page.get_by_role("radio", name="Sure", exact=True).check()
    with page.expect_request(lambda r: r.url.endswith("/confirm")) as sent:
        page.get_by_role("button", name="Confirm answer").click()
    assert sent.value.post_data_json == {"confidence": "sure"}
    expect(page.get_by_role("region", name="Feedback")).to_be_visible()
    expect(page.get_by_text("How sure are you?")).to_have_count(0)
    answer = answer_row(attempt, 1)
    assert answer.locked_at is not None
    card = ReviewCard.objects.get(trainee=trainee, question_id=answer.question_id)
    assert card.stability == pytest.approx(8.2956, abs=1e-4)
