"""An attempt in progress shows no key, rationale, explanation or source quote."""

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Choice, Quiz
from quizzes.services.attempts import answer_save, attempt_start
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db


def _secrets(attempt) -> list[str]:
    """Every text of the attempt's questions that only feedback may show."""
    question_ids = list(attempt.answers.values_list("question_id", flat=True))
    texts = []
    for answer in attempt.answers.select_related("question"):
        texts += [answer.question.explanation, answer.question.source_quote]
    texts += Choice.objects.filter(question_id__in=question_ids).values_list(
        "rationale", flat=True
    )
    return texts


def _leaks(page: str, secrets: list[str]) -> list[str]:
    return [s for s in secrets if s in page or html.escape(s) in page]


def test_exam_pages_in_progress_hold_no_feedback_text(
    client_of, trainee, clock, seed_quizzes
):
    """Every question page and the submit page of a 40-question seed exam are clean.

    Scans the full HTML for each explanation, source quote and option rationale of
    the attempt's questions (raw and HTML-escaped), with every question answered, so
    that a chosen option shows nothing either.
    """
    quiz = Quiz.objects.get(slug="comprehensive-ketamine-clinical-overview")
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    for answer in attempt.answers.all():
        answer_save(
            attempt=attempt,
            question_id=answer.question_id,
            choice_ids=answer.choice_order[:1],
            flagged=answer.position % 3 == 0,
            now=timezone.now(),
        )
    secrets = _secrets(attempt)
    assert len(secrets) > 200
    client = client_of(trainee)

    for position in range(1, 41):
        page = client.get(f"{attempt.get_absolute_url()}?q={position}")
        assert page.status_code == 200
        content = page.content.decode()
        assert _leaks(content, secrets) == [], f"question {position}"
        assert "is_correct" not in content and "is-key" not in content
    submit = client.get(reverse("attempt_submit", args=[attempt.pk])).content.decode()
    assert _leaks(submit, secrets) == []


def test_tutor_page_shows_feedback_only_for_confirmed_answers(
    client_of, trainee, clock
):
    """In tutor mode, an unconfirmed question's page is as clean as an exam's."""
    quiz = quiz_with_questions(2, mode="tutor", time_limit=None)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    first = attempt.answers.get(position=1)
    answer_save(
        attempt=attempt,
        question_id=first.question_id,
        choice_ids=first.choice_order[:1],
        flagged=None,
        now=timezone.now(),
    )
    page = client_of(trainee).get(f"{attempt.get_absolute_url()}?q=1")
    assert _leaks(page.content.decode(), _secrets(attempt)) == []


def test_results_page_of_a_score_only_quiz_holds_no_feedback_text(
    client_of, trainee, clock
):
    """The result page shows scores, never keys or texts, whatever the policy."""
    quiz = quiz_with_questions(3, review_shows="score_only")
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    client = client_of(trainee)
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    page = client.get(reverse("attempt_result", args=[attempt.pk])).content.decode()
    assert _leaks(page, _secrets(attempt)) == []
    assert "This quiz shows scores only" in page


def test_attempt_page_has_no_inline_script_or_embedded_data(client_of, trainee, clock):
    """The script is a static file fed by data- attributes (ready for a strict CSP);
    those attributes hold URLs and the clock, never the key."""
    quiz = quiz_with_questions(2)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    page = client_of(trainee).get(attempt.get_absolute_url()).content.decode()
    scripts = page.split("<script")[1:]
    assert len(scripts) == 1
    assert scripts[0].startswith(' src="/static/quizzes/attempt.js" defer></script>')
    assert "application/json" not in page
    assert " style=" not in page and "onclick" not in page
    assert "data-correct" not in page and "is_correct" not in page
