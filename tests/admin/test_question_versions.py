"""The versions page: every change with who and when, and a revert button."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from tests.factories import QuestionFactory

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def question_change_post(question, correct_text):
    data = {
        "section": question.section_id,
        "kind": question.kind,
        "status": question.status,
        "stem": question.stem,
        "explanation": question.explanation,
        "source_quote": question.source_quote,
        "choices-TOTAL_FORMS": "4",
        "choices-INITIAL_FORMS": "4",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    }
    for i, choice in enumerate(question.choices.order_by("order")):
        data |= {
            f"choices-{i}-id": str(choice.pk),
            f"choices-{i}-question": str(question.pk),
            f"choices-{i}-order": str(choice.order),
            f"choices-{i}-text": choice.text,
            f"choices-{i}-rationale": choice.rationale,
        }
        if choice.text == correct_text:
            data[f"choices-{i}-is_correct"] = "on"
    return data


@pytest.mark.django_db
def test_an_instructors_key_edit_is_shown_with_who_and_can_be_reverted(
    instructor_client, instructor, time_machine
):
    time_machine.move_to(T0, tick=False)
    question = QuestionFactory()
    time_machine.move_to(T0 + timedelta(hours=1), tick=False)
    change_url = reverse("admin:quizzes_question_change", args=[question.pk])
    response = instructor_client.post(
        change_url, question_change_post(question, "Nasal spray")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert question.choices.get(is_correct=True).text == "Nasal spray"

    url = reverse("admin:quizzes_question_versions", args=[question.pk])
    page = instructor_client.get(url).content.decode()
    assert instructor.get_username() in page
    assert "is_correct" in page

    time_machine.move_to(T0 + timedelta(hours=2), tick=False)
    response = instructor_client.post(url, {"as_of": "2026-03-01T09:30:00.000000+0000"})
    assert response.status_code == 302
    assert question.choices.get(is_correct=True).text == "Intramuscular injection"


@pytest.mark.django_db
def test_trainees_cannot_see_versions(client, trainee):
    question = QuestionFactory()
    client.force_login(trainee)
    url = reverse("admin:quizzes_question_versions", args=[question.pk])
    assert client.get(url).status_code == 302
