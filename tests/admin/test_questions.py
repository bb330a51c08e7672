"""The question bank in the admin: statistics, filters, search, actions, preview."""

import pytest
from django.urls import reverse

from quizzes.choices import QuestionKind, QuestionStatus
from quizzes.models import Question
from tests.admin.factories import AnswerFactory, InProgressAttemptFactory
from tests.factories import (
    ChoiceFactory,
    QuestionFactory,
    QuizFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db
LIST = reverse("admin:quizzes_question_changelist")


def rows_of(response):
    return list(response.context["cl"].result_list)


def test_the_list_shows_section_kind_status_responses_and_facility(
    instructor_client,
):
    question = QuestionFactory(stem="Which route is used when IV access fails?")
    for score in ["1", "0", "0.5", "1"]:
        AnswerFactory(question=question, score=score)
    # An answer of an attempt in progress has no score: it is not a response yet.
    AnswerFactory(question=question, attempt=InProgressAttemptFactory(), score=None)
    response = instructor_client.get(LIST)
    page = response.content.decode()
    (row,) = rows_of(response)
    assert (row.responses, round(row.facility)) == (4, 62)
    for text in [question.section.title, ">single<", ">Published<", "62 %"]:
        assert text in page


def test_a_question_nobody_answered_shows_no_facility(instructor_client):
    QuestionFactory()
    response = instructor_client.get(LIST)
    (row,) = rows_of(response)
    assert row.responses == 0
    assert row.facility is None


def test_the_list_filters_by_document_section_kind_and_status(instructor_client):
    kept = QuestionFactory(kind=QuestionKind.TRUE_FALSE, status=QuestionStatus.DRAFT)
    QuestionFactory()
    section = kept.section
    for query in [
        f"section__document__id__exact={section.document_id}",
        f"section={section.pk}",
        "kind__exact=true_false",
        "status__exact=draft",
    ]:
        response = instructor_client.get(f"{LIST}?{query}")
        assert rows_of(response) == [kept], query


def test_search_finds_a_question_by_its_stem_or_a_choice_text(instructor_client):
    by_choice = QuestionFactory(stem="Which dose?", choices=[])
    ChoiceFactory(question=by_choice, text="Zanzibar protocol")
    by_stem = QuestionFactory(stem="Which zanzibar route?")
    QuestionFactory(stem="Unrelated")
    response = instructor_client.get(f"{LIST}?q=zanzibar")
    assert set(rows_of(response)) == {by_choice, by_stem}
    # A question matched by two choices is listed once.
    ChoiceFactory(question=by_choice, text="Zanzibar again")
    assert len(rows_of(instructor_client.get(f"{LIST}?q=zanzibar"))) == 2


def action(client, name, questions):
    return client.post(
        LIST,
        {"action": name, "_selected_action": [q.pk for q in questions]},
        follow=True,
    )


def test_publish_publishes_a_valid_draft(instructor_client):
    draft = QuestionFactory(status=QuestionStatus.DRAFT)
    response = action(instructor_client, "publish", [draft])
    draft.refresh_from_db()
    assert draft.status == QuestionStatus.PUBLISHED
    assert "1 question(s) published." in response.content.decode()


def test_publish_refuses_a_question_that_breaks_the_rules_and_says_why(
    instructor_client,
):
    broken = QuestionFactory(
        status=QuestionStatus.DRAFT,
        choices=[("A", True), ("B", True), ("C", False), ("D", False)],
    )
    response = action(instructor_client, "publish", [broken])
    broken.refresh_from_db()
    assert broken.status == QuestionStatus.DRAFT
    assert (
        "a single-best-answer question needs exactly one correct choice; 2 are marked"
        in response.content.decode()
    )


def test_retire_retires_and_warns_when_a_quiz_still_fixes_the_question(
    instructor_client,
):
    fixed = QuestionFactory()
    QuizFactory(with_questions=[fixed])
    response = action(instructor_client, "retire", [fixed])
    fixed.refresh_from_db()
    assert fixed.status == QuestionStatus.RETIRED
    assert "Still fixed in a quiz" in response.content.decode()


def test_duplicate_as_draft_copies_the_question_and_its_choices(instructor_client):
    original = QuestionFactory(ref="bank-1")
    response = instructor_client.post(
        LIST, {"action": "duplicate_as_draft", "_selected_action": [original.pk]}
    )
    copy = Question.objects.exclude(pk=original.pk).get()
    assert response["Location"] == reverse(
        "admin:quizzes_question_change", args=[copy.pk]
    )
    assert (copy.status, copy.ref, copy.stem) == (
        QuestionStatus.DRAFT,
        None,
        original.stem,
    )
    assert list(copy.choices.values_list("text", "is_correct")) == list(
        original.choices.values_list("text", "is_correct")
    )


def test_the_preview_shows_the_question_as_a_trainee_sees_it_then_with_its_key(
    instructor_client,
):
    question = QuestionFactory()
    response = instructor_client.get(
        reverse("admin:quizzes_question_preview", args=[question.pk])
    )
    page = response.content.decode()
    trainee_part, key_part = page.split("With its key and rationales")
    assert question.stem in trainee_part
    assert "Choose one answer." in trainee_part
    assert "Intramuscular injection" in trainee_part
    assert "Correct answer" not in trainee_part
    assert "Why this option is right or wrong." not in trainee_part
    assert "Correct answer" in key_part
    assert "Why this option is right or wrong." in key_part
    assert question.explanation in key_part
    assert f"<mark>{question.source_quote}</mark>" in key_part


def test_the_question_form_links_to_the_preview(instructor_client):
    question = QuestionFactory()
    page = instructor_client.get(
        reverse("admin:quizzes_question_change", args=[question.pk])
    ).content.decode()
    assert reverse("admin:quizzes_question_preview", args=[question.pk]) in page


def test_sections_are_offered_with_their_document_and_depth(instructor_client):
    top = SectionFactory(title="Routes")
    SectionFactory(document=top.document, parent=top, level=2, title="Nasal")
    page = instructor_client.get(reverse("admin:quizzes_question_add")).content.decode()
    assert f"{top.document.title} · Routes" in page
    assert f"{top.document.title} · — Nasal" in page


def test_filtering_by_a_section_includes_its_subsections(instructor_client):
    top = SectionFactory(title="Routes")
    sub = SectionFactory(
        document=top.document, parent=top, level=2, order=top.order + 1
    )
    other = SectionFactory(document=top.document, order=top.order + 2)
    in_top, in_sub = QuestionFactory(section=top), QuestionFactory(section=sub)
    QuestionFactory(section=other)
    response = instructor_client.get(f"{LIST}?section={top.pk}")
    assert set(rows_of(response)) == {in_top, in_sub}
    response = instructor_client.get(f"{LIST}?section={sub.pk}")
    assert rows_of(response) == [in_sub]
