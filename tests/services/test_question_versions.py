"""Each attempt is pinned to the version its questions had when it started.

Its review (trainee's page, tutor feedback, the API, the admin) shows that version,
and it is scored with that version's key, whatever is edited later: Moodle's rule,
an attempt keeps the version it started with unless it is regraded.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from quizzes.choices import QuestionStatus, QuizMode
from quizzes.models import Answer, Choice, QuestionVersion
from quizzes.presenters import attempt_feedback, attempt_questions
from quizzes.services.attempts import (
    answer_confirm,
    answer_save,
    attempt_finish,
    attempt_start,
)
from quizzes.services.question_history import question_revert
from quizzes.services.question_versions import question_versions_current
from tests.factories import QuestionFactory, QuizFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _choices(question) -> list[Choice]:
    return list(question.choices.order_by("order"))


def _move_key(question, to: int = 1) -> None:
    """Correct the key: the choice at index ``to`` becomes the only right one."""
    for i, choice in enumerate(_choices(question)):
        choice.is_correct = i == to
        choice.save()


def _answer_first_choice(attempt, question, now) -> None:
    answer_save(
        attempt=attempt,
        question_id=question.pk,
        choice_ids=[_choices(question)[0].pk],
        flagged=None,
        now=now,
    )


@pytest.fixture
def question():
    return QuestionFactory()


@pytest.fixture
def quiz(question):
    return QuizFactory(with_questions=[question], time_limit=None)


def test_editing_after_an_attempt_finished_leaves_its_review_and_score(quiz, question):
    """The stem, key and explanation edited after finish change neither the review
    nor the stored score of that attempt."""
    trainee = UserFactory()
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=T0).attempt
    _answer_first_choice(attempt, question, T0)
    attempt = attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=1))
    question.stem = "A rewritten stem"
    question.explanation = "A new explanation"
    question.save()
    _move_key(question)

    answers = list(attempt.answers.select_related("question", "question_version"))
    shown = attempt_questions(attempt, answers=answers)[0]
    feedback = attempt_feedback(attempt, answers=answers, now=T0 + timedelta(hours=1))
    assert shown["stem"] == QuestionFactory.stem
    assert feedback[0]["explanation"] == QuestionFactory.explanation
    assert feedback[0]["correct_choice_ids"] == [_choices(question)[0].pk]
    attempt.refresh_from_db()
    assert attempt.score == Decimal(1)


def test_a_key_corrected_during_an_attempt_scores_it_with_the_version_it_started_with(
    quiz, question
):
    """In progress when the key changes: scored at finish with the key it started
    with (Moodle's rule); only a regrade applies the correction."""
    attempt = attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
    _answer_first_choice(attempt, question, T0)
    _move_key(question)
    attempt = attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=1))
    assert attempt.score == Decimal(1)


def test_a_new_attempt_gets_the_new_version(quiz, question):
    """An attempt started after the edit shows and scores the edited question."""
    first = attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
    question.stem = "A rewritten stem"
    question.save()
    _move_key(question)
    second = attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
    _answer_first_choice(second, question, T0)
    second = attempt_finish(attempt=second, now=T0 + timedelta(minutes=1))

    assert attempt_questions(second)[0]["stem"] == "A rewritten stem"
    assert attempt_questions(first)[0]["stem"] == QuestionFactory.stem
    assert second.score == Decimal(0)
    numbers = {
        a.attempt_id: a.question_version.number
        for a in Answer.objects.select_related("question_version")
    }
    assert numbers == {first.pk: 1, second.pk: 2}


def test_tutor_feedback_shows_the_pinned_version(question):
    """Tutor mode: the feedback after confirming is the version the attempt started
    with, not an edit made meanwhile."""
    quiz = QuizFactory(with_questions=[question], mode=QuizMode.TUTOR, time_limit=None)
    attempt = attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
    _answer_first_choice(attempt, question, T0)
    _move_key(question)
    Choice.objects.filter(question=question).update(rationale="Edited rationale")
    answer_confirm(attempt=attempt, question_id=question.pk, now=T0)

    answers = list(attempt.answers.select_related("question", "question_version"))
    feedback = attempt_feedback(attempt, answers=answers, now=T0)[0]
    assert feedback["correct"] is True
    assert feedback["correct_choice_ids"] == [_choices(question)[0].pk]
    assert {c["rationale"] for c in feedback["choices"]} == {
        "Why this option is right or wrong."
    }


def test_api_and_review_page_show_the_pinned_version(quiz, question):
    """The API's feedback and the review page show the version the attempt started
    with after the question was edited."""
    trainee = UserFactory()
    client = Client()
    client.force_login(trainee)
    started = client.post(f"/api/quizzes/{quiz.slug}/attempts").json()
    client.post(f"/api/attempts/{started['id']}/submit")
    question.stem = "A rewritten stem"
    question.explanation = "A new explanation"
    question.save()
    _move_key(question)

    body = client.get(f"/api/attempts/{started['id']}").json()
    assert body["questions"][0]["stem"] == QuestionFactory.stem
    assert body["feedback"][0]["explanation"] == QuestionFactory.explanation
    assert body["feedback"][0]["correct_choice_ids"] == [_choices(question)[0].pk]
    page = client.get(reverse("attempt_review", args=[started["id"]])).content.decode()
    assert "Which route is used" in page
    assert "A rewritten stem" not in page


def test_a_draft_is_never_drawn_and_makes_no_version():
    """Editing a draft never reaches a trainee: drafts are not drawn, and only a
    drawn question gets a version."""
    section = SectionFactory()
    published = QuestionFactory(section=section)
    draft = QuestionFactory(section=section, status=QuestionStatus.DRAFT)
    quiz = QuizFactory(time_limit=None)
    quiz.draws.create(section=section, count=5)
    draft.stem = "Edited while a draft"
    draft.save()

    attempt = attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
    assert [a.question_id for a in attempt.answers.all()] == [published.pk]
    assert not QuestionVersion.objects.filter(question=draft).exists()


def test_publishing_or_saving_unchanged_content_makes_no_new_version(quiz, question):
    """Only stem, kind, choices, key, rationales, explanation and source quote
    make a version: a status change or a save without change does not."""
    attempt_start(trainee=UserFactory(), quiz=quiz, now=T0)
    question.status = QuestionStatus.RETIRED
    question.save()
    question.status = QuestionStatus.PUBLISHED
    question.save()
    attempt_start(trainee=UserFactory(), quiz=quiz, now=T0)
    assert QuestionVersion.objects.filter(question=question).count() == 1


def test_a_revert_to_earlier_content_pins_the_earlier_version(quiz, question):
    """One content, one version: reverting the key brings attempts back to the
    version that had it."""
    before = Choice.history.filter(question_id=question.pk).latest().history_date
    first = question_versions_current(question_ids=[question.pk], now=T0)
    _move_key(question)
    edited = question_versions_current(question_ids=[question.pk], now=T0)
    question_revert(question=question, as_of=before + timedelta(microseconds=1))
    reverted = question_versions_current(question_ids=[question.pk], now=T0)
    assert edited[question.pk].number == 2
    assert reverted[question.pk].pk == first[question.pk].pk


def test_a_dry_run_of_new_content_writes_nothing(question):
    """``create=False`` hands back the new version unsaved."""
    versions = question_versions_current(
        question_ids=[question.pk], now=T0, create=False
    )
    assert versions[question.pk].pk is None
    assert versions[question.pk].number == 1
    assert not QuestionVersion.objects.exists()


def test_answers_older_than_versions_are_pinned_by_the_migration(quiz, question):
    """Migration 0010 pins every unpinned answer to its question's content as it
    stands, so later edits no longer reach those attempts."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "quizzes.migrations.0010_question_versions_regrades"
    )
    attempt = attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
    Answer.objects.update(question_version=None)
    QuestionVersion.objects.all().delete()
    migration.pin_existing_answers(apps, None)
    question.stem = "A rewritten stem"
    question.save()
    assert attempt_questions(attempt)[0]["stem"] == QuestionFactory.stem
