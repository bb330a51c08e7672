"""The review page: only when the quiz's policy allows, with sources in context."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.choices import ReviewFrom, ReviewShows
from quizzes.models import Question
from quizzes.services.attempts import answer_save, attempt_finish, attempt_start
from tests.views.conftest import NOW
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db


def _finished(trainee, quiz):
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    return attempt_finish(attempt=attempt, now=timezone.now())


def test_review_is_refused_for_a_score_only_quiz(client_of, trainee, clock):
    """A score-only quiz never opens its review: 403 with the reason."""
    quiz = quiz_with_questions(2, review_shows=ReviewShows.SCORE_ONLY)
    attempt = _finished(trainee, quiz)
    response = client_of(trainee).get(reverse("attempt_review", args=[attempt.pk]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "This quiz shows scores only" in page
    assert "Rationale 1.1" not in page and "Explanation 1" not in page


def test_review_after_close_is_refused_until_the_quiz_closes(client_of, trainee, clock):
    """Review from close: 403 saying when it opens, then the review once closed."""
    closes_at = NOW + timedelta(hours=2)
    quiz = quiz_with_questions(
        2, review_from=ReviewFrom.AFTER_CLOSE, closes_at=closes_at
    )
    attempt = _finished(trainee, quiz)
    client = client_of(trainee)
    url = reverse("attempt_review", args=[attempt.pk])

    response = client.get(url)
    assert response.status_code == 403
    assert "Review opens after the quiz closes, 02 March 2026 at 11:00 UTC" in (
        response.content.decode()
    )
    result = client.get(reverse("attempt_result", args=[attempt.pk])).content.decode()
    assert url not in result

    clock.move_to(closes_at)
    assert client.get(url).status_code == 200


def test_review_of_an_attempt_in_progress_is_refused(client_of, trainee, clock):
    """No review, hence no key, before the attempt is submitted."""
    quiz = quiz_with_questions(1)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    response = client_of(trainee).get(reverse("attempt_review", args=[attempt.pk]))
    assert response.status_code == 403
    assert "still in progress" in response.content.decode()


def test_review_shows_choices_key_rationales_explanation_and_source(
    client_of, trainee, clock
):
    """Each question: the trainee's choice, the key, every rationale, the
    explanation, and the section's text with the quote marked."""
    quiz = quiz_with_questions(2)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    first = attempt.answers.get(position=1)
    wrong = first.choice_order[1]  # unshuffled: option 1 is the key
    answer_save(
        attempt=attempt,
        question_id=first.question_id,
        choice_ids=[wrong],
        flagged=None,
        now=timezone.now(),
    )
    attempt_finish(attempt=attempt, now=timezone.now())

    page = client_of(trainee).get(reverse("attempt_review", args=[attempt.pk]))
    html = page.content.decode()
    question_1 = html.split('id="review-q2"')[0]
    assert "Incorrect (0 points)" in question_1
    assert "Not the answer · <strong>your choice</strong>" in question_1
    assert "<strong>Correct answer</strong>" in question_1
    for order in range(1, 5):
        assert f"Rationale 1.{order}" in question_1
    assert "Explanation 1: the section names that route." in question_1
    assert (
        'Routes\n<mark id="quote-1" tabindex="-1">Passage 1: intramuscular '
        "injection is used when IV access fails (1).</mark>\nPassage 2" in question_1
    )
    assert "Not answered (0 points)" in html.split('id="review-q2"')[1]


def test_review_escapes_content_around_the_marked_quote(client_of, trainee, clock):
    """Section text and quote are escaped piece by piece; only <mark> is markup."""
    quiz = quiz_with_questions(1)
    question = Question.objects.get(quizzes=quiz)
    section = question.section
    section.text = "Routes\n<script>alert(1)</script> & <b>IM use</b> when IV fails.\n"
    section.save()
    question.source_quote = "<b>IM use</b>"
    question.save()
    attempt = _finished(trainee, quiz)

    page = client_of(trainee).get(reverse("attempt_review", args=[attempt.pk]))
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; "
        '<mark id="quote-1" tabindex="-1">&lt;b&gt;IM use&lt;/b&gt;</mark> when IV '
        "fails." in html
    )


def test_review_shows_the_section_unmarked_when_the_quote_is_gone(
    client_of, trainee, clock
):
    """If the section was edited since, its text still shows, with nothing marked."""
    quiz = quiz_with_questions(1)
    question = Question.objects.get(quizzes=quiz)
    question.section.text = "Routes\nRewritten text.\n"
    question.section.save()
    attempt = _finished(trainee, quiz)
    html = client_of(trainee).get(reverse("attempt_review", args=[attempt.pk]))
    content = html.content.decode()
    assert "<mark" not in content and 'href="#quote-1"' not in content
    assert "Rewritten text." in content
    assert question.source_quote in content  # the quote itself, as a blockquote


def _mixed_attempt(trainee, quiz):
    """Question 1 right and flagged, 2 wrong, 3 unanswered."""
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    answers = list(attempt.answers.order_by("position"))
    for answer, order, flagged in ((answers[0], 0, True), (answers[1], 1, None)):
        answer_save(
            attempt=attempt,
            question_id=answer.question_id,
            choice_ids=[answer.choice_order[order]],
            flagged=flagged,
            now=timezone.now(),
        )
    return attempt_finish(attempt=attempt, now=timezone.now())


def test_review_filter_links_count_and_mark_the_current_one(client_of, trainee, clock):
    """All (3), Not correct (2: wrong and unanswered), Flagged (1); the shown
    filter carries aria-current."""
    attempt = _mixed_attempt(trainee, quiz_with_questions(3))
    url = reverse("attempt_review", args=[attempt.pk])
    html = client_of(trainee).get(url).content.decode()
    assert '<a href="?show=all" aria-current="page">All (3)</a>' in html
    assert '<a href="?show=incorrect">Not correct (2)</a>' in html
    assert '<a href="?show=flagged">Flagged (1)</a>' in html


def test_review_filtered_to_incorrect_shows_only_those(client_of, trainee, clock):
    """?show=incorrect keeps the wrong and the unanswered questions only."""
    attempt = _mixed_attempt(trainee, quiz_with_questions(3))
    url = reverse("attempt_review", args=[attempt.pk])
    html = client_of(trainee).get(f"{url}?show=incorrect").content.decode()
    assert 'id="review-q1"' not in html
    assert 'id="review-q2"' in html and 'id="review-q3"' in html
    assert '<a href="?show=incorrect" aria-current="page">' in html


def test_review_filtered_to_flagged_shows_only_those(client_of, trainee, clock):
    """?show=flagged keeps the flagged question only."""
    attempt = _mixed_attempt(trainee, quiz_with_questions(3))
    url = reverse("attempt_review", args=[attempt.pk])
    html = client_of(trainee).get(f"{url}?show=flagged").content.decode()
    assert 'id="review-q1"' in html
    assert 'id="review-q2"' not in html and 'id="review-q3"' not in html


def test_an_empty_review_filter_says_so(client_of, trainee, clock):
    """Nothing flagged: the flagged filter says so, with a way back to all."""
    attempt = _finished(trainee, quiz_with_questions(2))
    url = reverse("attempt_review", args=[attempt.pk])
    html = client_of(trainee).get(f"{url}?show=flagged").content.decode()
    assert "You flagged no question in this attempt." in html
    assert "review-item" not in html


def test_an_unknown_review_filter_is_a_400_naming_the_choices(
    client_of, trainee, clock
):
    """?show=nonsense: 400 saying which filters exist, and no question shown."""
    attempt = _finished(trainee, quiz_with_questions(2))
    url = reverse("attempt_review", args=[attempt.pk])
    response = client_of(trainee).get(f"{url}?show=nonsense")
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is no filter “nonsense”" in html
    assert "“all”, “incorrect”, “flagged”" in html
    assert "Rationale 1.1" not in html


def test_review_links_each_source_to_its_marked_quote(client_of, trainee, clock):
    """Each question's source links to the id on its marked quote in the section."""
    attempt = _finished(trainee, quiz_with_questions(2))
    url = reverse("attempt_review", args=[attempt.pk])
    html = client_of(trainee).get(url).content.decode()
    for position in (1, 2):
        assert f'href="#quote-{position}"' in html
        assert f'<mark id="quote-{position}"' in html
