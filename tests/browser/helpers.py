"""Small steps the browser journeys share: data, the clock on the page, the keyboard."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Locator, Page, Response, expect

from quizzes.models import Answer, Attempt


def clock_seconds(page: Page) -> int:
    """The countdown on the page (``mm:ss``, minutes may pass 59) in seconds."""
    minutes, seconds = page.locator("[data-timer]").inner_text().split(":")
    return int(minutes) * 60 + int(seconds)


def on_question(page: Page, position: int, count: int) -> None:
    """Wait for question ``position`` and for its page's script (deferred, so it has
    run once the load event has fired): a click before it would not be autosaved."""
    expect(
        page.get_by_role("heading", name=f"Question {position} of {count}")
    ).to_be_visible()
    page.wait_for_load_state("load")


def attempt_opened(page: Page, quiz, trainee, *, count: int) -> Attempt:
    """Start the trainee's first attempt from the quiz's page (the trainee is logged
    in), wait for question 1 of ``count``, and return the attempt."""
    page.goto(quiz.get_absolute_url())
    page.get_by_role("button", name="Start attempt 1").click()
    on_question(page, 1, count)
    return Attempt.objects.get(trainee=trainee, quiz=quiz)


def save_status(page: Page) -> Locator:
    return page.locator("[data-save-status]")


@contextmanager
def autosaved(page: Page) -> Iterator[None]:
    """The step inside changes the answer: wait for its autosave's 200 (the server
    has committed it) and for the page to say "Saved.".

    Waiting for the response, not only the text, matters when the status already
    said "Saved." for the change before.
    """
    with page.expect_response(_is_autosave) as response:
        yield
    assert response.value.status == 200
    expect(save_status(page)).to_have_text("Saved.")


def _is_autosave(response: Response) -> bool:
    return response.request.method == "PUT" and "/answers/" in response.url


def tab_to(page: Page, target: Locator, *, limit: int = 40) -> None:
    """Press Tab until ``target`` has the focus: it is reachable by keyboard alone."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{target} was not reached with {limit} presses of Tab")


def choice(page: Page, text: str) -> Locator:
    """A choice's input, found by its visible label as a trainee would."""
    return page.get_by_label(text, exact=True)


def answer_row(attempt: Attempt, position: int) -> Answer:
    return Answer.objects.get(attempt=attempt, position=position)


def chosen_texts(answer: Answer) -> list[str]:
    """The texts of the choices saved for ``answer``, in their order of display."""
    texts = dict(answer.question.choices.values_list("pk", "text"))
    return [texts[pk] for pk in answer.choice_ids]


def tutor_answer_all_and_submit(page: Page, count: int) -> None:
    """In a tutor-mode attempt open at question 1: choose the first option of each
    question, confirm it and see its feedback, then submit the attempt."""
    for position in range(1, count + 1):
        on_question(page, position, count)
        with autosaved(page):
            page.locator(".choice label").first.click()
        page.get_by_role("button", name="Confirm answer").click()
        expect(page.get_by_role("region", name="Feedback")).to_be_visible()
        if position < count:
            page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Save and finish…").click()
    page.get_by_role("button", name="Submit attempt").click()
