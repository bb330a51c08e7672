"""Journey 5: an instructor writes a question in the admin and follows the cohort."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from quizzes.choices import QuestionKind, QuestionStatus
from quizzes.models import Answer, Question
from quizzes.services.attempts import answer_save, attempt_finish, attempt_start
from tests.browser.conftest import PASSWORD
from tests.factories import SECTION_TEXT, SectionFactory
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db(transaction=True)

QUOTE = "Intramuscular injection is used when IV access is not feasible."
STEM = "A patient needs ketamine and IV access is not feasible. Which route fits?"
OPTIONS = [
    ("Intramuscular injection", "The overview names it for exactly this case."),
    ("Oral tablet", "Oral use is not mentioned for this case."),
    ("Intranasal spray", "Not the route the passage gives here."),
    ("Transdermal patch", "A patch is not mentioned in the passage."),
]


@pytest.fixture
def cohort(trainee):
    """A trainee with one finished attempt: 1 of 2 right."""
    quiz = quiz_with_questions(2, title="Routes exam")
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    answer = Answer.objects.get(attempt=attempt, position=1)
    key = answer.question.choices.get(is_correct=True)
    answer_save(
        attempt=attempt,
        question_id=answer.question_id,
        choice_ids=[key.pk],
        flagged=False,
        now=timezone.now(),
    )
    attempt_finish(attempt=attempt, now=timezone.now())
    return quiz


def fill_choices(page, correct: set[int]) -> None:
    """Fill the four choice rows a new question starts with (the page numbers
    their order); ``correct``: 0-based rows."""
    for row, (text, rationale) in enumerate(OPTIONS):
        page.locator(f"[name='choices-{row}-text']").fill(text)
        page.locator(f"[name='choices-{row}-rationale']").fill(rationale)
        page.locator(f"[name='choices-{row}-is_correct']").set_checked(row in correct)


def test_instructor_writes_publishes_previews_and_follows_progress(
    page, instructor, trainee, cohort, screenshot
):
    """Two keys on a single-answer question are refused with the count; fixed, the
    question is saved as a draft, published from the list, and previewed as a
    trainee sees it. The trainee's progress page and the cohort heatmap open."""
    section = SectionFactory(title="Routes of administration", text=SECTION_TEXT)

    page.goto("/admin/")
    page.get_by_label("Username").fill(instructor.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(
        page.get_by_role("heading", name="Banks, quizzes and progress")
    ).to_be_visible()

    page.goto("/admin/quizzes/question/add/")
    page.get_by_label("Section").select_option(str(section.pk))
    page.get_by_label("Kind").select_option(QuestionKind.SINGLE)
    page.get_by_label("Status").select_option(QuestionStatus.DRAFT)
    page.get_by_label("Stem").fill(STEM)
    page.get_by_label("Explanation").fill("The overview names intramuscular use.")
    page.get_by_label("Source quote").fill(QUOTE)
    fill_choices(page, correct={0, 2})
    page.get_by_role("button", name="Save", exact=True).click()

    # The rule broken is the first thing the page says, above "Please correct".
    expect(page.locator(".errornote").first).to_contain_text("2 are marked")
    expect(page.locator(".errorlist")).to_contain_text(
        "a single-best-answer question needs exactly one correct choice; 2 are marked"
    )
    assert not Question.objects.filter(stem=STEM).exists()
    screenshot("two-keys-refused")

    page.locator("[name='choices-2-is_correct']").uncheck()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    question = Question.objects.get(stem=STEM)
    assert question.status == QuestionStatus.DRAFT
    assert list(
        question.choices.filter(is_correct=True).values_list("text", flat=True)
    ) == ["Intramuscular injection"]

    row = page.get_by_role("row").filter(has_text=STEM)
    row.get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option("publish")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("1 question(s) published.")
    question.refresh_from_db()
    assert question.status == QuestionStatus.PUBLISHED
    screenshot("published")

    page.get_by_role("row").filter(has_text=STEM).get_by_role(
        "link", name="Preview"
    ).click()
    as_trainee = page.get_by_role("region", name="As a trainee sees it")
    expect(as_trainee).to_contain_text(STEM)
    for text, _ in OPTIONS:
        expect(as_trainee.get_by_label(text, exact=True)).to_be_disabled()
    expect(
        page.get_by_role("region", name="With its key and rationales")
    ).to_contain_text("Correct answer")
    screenshot("preview")

    page.goto("/admin/quizzes/trainee/")
    page.get_by_role("row").filter(has_text=trainee.username).get_by_role(
        "link", name="Progress"
    ).click()
    expect(
        page.get_by_role("heading", name="Progress: Alice Trainee (alice)")
    ).to_be_visible()
    expect(page.get_by_role("region", name="Quizzes")).to_contain_text(cohort.title)
    screenshot("trainee-progress")

    page.get_by_role("link", name="Cohort", exact=True).click()
    heatmap = page.get_by_role("table", name="Mastery per trainee")
    expect(heatmap).to_be_visible()
    expect(heatmap.get_by_role("row").filter(has_text="alice")).to_contain_text("50")
    screenshot("cohort-heatmap")
