"""The question admin and the item-writing warnings: shown on the page, blocking a
published save until fixed or acknowledged with a reason, kept in the history."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from quizzes.choices import QuestionStatus
from quizzes.models import Question
from tests.factories import QuestionFactory, SectionFactory

pytestmark = pytest.mark.django_db
QUOTE = "Intramuscular injection is used when IV access is not feasible."
REFERRING_STEM = "According to the section, which route is used without IV access?"
LIST = reverse("admin:quizzes_question_changelist")


def change_form(question, *, stem=None, status="published", **extra):
    """The change page's POST for ``question`` as stored, with its choices."""
    choices = list(question.choices.order_by("order"))
    data = {
        "section": question.section_id,
        "kind": question.kind,
        "status": status,
        "stem": stem or question.stem,
        "explanation": question.explanation,
        "source_quote": question.source_quote,
        "choices-TOTAL_FORMS": str(len(choices)),
        "choices-INITIAL_FORMS": str(len(choices)),
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    }
    for i, choice in enumerate(choices):
        data |= {
            f"choices-{i}-id": str(choice.pk),
            f"choices-{i}-question": str(question.pk),
            f"choices-{i}-position": str(i + 1),
            f"choices-{i}-text": choice.text,
            f"choices-{i}-rationale": choice.rationale,
        }
        if choice.is_correct:
            data[f"choices-{i}-is_correct"] = "on"
    return data | extra


def url_of(question):
    return reverse("admin:quizzes_question_change", args=[question.pk])


def test_saving_as_published_with_an_unacknowledged_warning_is_refused(
    instructor_client,
):
    """The warning is listed with its code and where to acknowledge it."""
    question = QuestionFactory()
    response = instructor_client.post(
        url_of(question), change_form(question, stem=REFERRING_STEM)
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "the stem refers to the reading" in page
    assert "[warning “stem-refers-to-text”: if it does not apply" in page
    question.refresh_from_db()
    assert question.stem != REFERRING_STEM


def test_an_acknowledged_warning_saves_and_the_history_says_who_when_and_why(
    instructor_client, instructor
):
    question = QuestionFactory()
    response = instructor_client.post(
        url_of(question),
        change_form(
            question,
            stem=REFERRING_STEM,
            acknowledge_stem_refers_to_text="The section is the protocol's name.",
        ),
        follow=True,
    )
    assert response.redirect_chain, response.content.decode()[:2000]
    assert "Saved with acknowledged warnings: stem-refers-to-text" in (
        response.content.decode()
    )
    question.refresh_from_db()
    assert question.acknowledged_warnings == {
        "stem-refers-to-text": "The section is the protocol's name."
    }
    record = question.history.latest()
    assert record.history_user == instructor
    assert record.history_change_reason == (
        "acknowledged stem-refers-to-text: “The section is the protocol's name.”"
    )


def test_withdrawing_an_acknowledgement_is_kept_in_the_history(instructor_client):
    question = QuestionFactory(
        status=QuestionStatus.DRAFT,
        acknowledged_warnings={"clang": "the clinical term"},
    )
    response = instructor_client.post(
        url_of(question), change_form(question, status="draft")
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.acknowledged_warnings == {}
    assert question.history.latest().history_change_reason == (
        "withdrew the acknowledgement of clang"
    )


def test_a_draft_is_saved_with_its_warnings(instructor_client):
    """Drafts are not held to the rules: trainees never see them."""
    question = QuestionFactory(status=QuestionStatus.DRAFT)
    response = instructor_client.post(
        url_of(question), change_form(question, stem=REFERRING_STEM, status="draft")
    )
    assert response.status_code == 302


def test_the_page_lists_the_stored_warnings_and_which_are_acknowledged(
    instructor_client,
):
    section = SectionFactory()
    question = QuestionFactory(
        section=section,
        stem=REFERRING_STEM,
        acknowledged_warnings={"stem-refers-to-text": "the protocol's name"},
    )
    QuestionFactory(section=section, ref="twin-01")
    page = instructor_client.get(url_of(question)).content.decode()
    assert "<strong>stem-refers-to-text</strong> (acknowledged)" in page
    assert "<strong>near-duplicate</strong>: near-duplicate of twin-01" in page
    assert "the protocol&#x27;s name" in page  # the reason field, filled in


def test_publish_action_refuses_an_unacknowledged_warning_and_passes_an_acknowledged(
    instructor_client,
):
    flawed = QuestionFactory(status=QuestionStatus.DRAFT, stem=REFERRING_STEM)
    response = instructor_client.post(
        LIST,
        {"action": "publish", "_selected_action": [flawed.pk]},
        follow=True,
    )
    assert "the stem refers to the reading" in response.content.decode()
    flawed.refresh_from_db()
    assert flawed.status == QuestionStatus.DRAFT
    Question.objects.filter(pk=flawed.pk).update(
        acknowledged_warnings={"stem-refers-to-text": "the protocol's name"}
    )
    instructor_client.post(
        LIST, {"action": "publish", "_selected_action": [flawed.pk]}, follow=True
    )
    flawed.refresh_from_db()
    assert flawed.status == QuestionStatus.PUBLISHED


def test_an_error_cannot_be_acknowledged_on_the_model():
    question = QuestionFactory(acknowledged_warnings={"key-union": "fine"})
    with pytest.raises(ValidationError, match="cannot be acknowledged"):
        question.full_clean()
