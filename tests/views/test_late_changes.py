"""The result lists the changes that arrived after the time was up, for its trainee
only, so that an answer sent too late is neither counted nor lost silently."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.selectors import late_changes_for
from quizzes.services.attempts import AttemptClosed, answer_save, attempt_start
from tests.views.factories import quiz_with_questions
from tests.views.test_no_leaks import _leaks, _secrets

pytestmark = pytest.mark.django_db

HEADING = "Changes that arrived after the time was up and were not counted"


def _late_save(attempt, position, *, texts, seq, flagged=None):
    """The page's replay of a queued change, arriving after the deadline."""
    answer = attempt.answers.get(position=position)
    by_text = dict(answer.question.choices.values_list("text", "pk"))
    with pytest.raises(AttemptClosed):
        answer_save(
            attempt=attempt,
            question_id=answer.question_id,
            choice_ids=[by_text[t] for t in texts],
            flagged=flagged,
            now=timezone.now(),
            seq=seq,
        )


@pytest.fixture
def late_attempt(trainee, clock):
    """A 10-minute attempt whose page replayed two changes 3 minutes too late."""
    quiz = quiz_with_questions(3, time_limit=timedelta(minutes=10))
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    clock.shift(timedelta(minutes=13))
    _late_save(attempt, 2, texts=["Nasal 2"], seq=1, flagged=True)
    _late_save(attempt, 3, texts=["Oral 3"], seq=1)
    _late_save(attempt, 2, texts=["Nasal 2"], seq=1, flagged=True)  # replayed
    return attempt


def test_result_lists_late_changes_with_position_choices_and_arrival(
    client_of, trainee, late_attempt
):
    """Each late change once, oldest first: its question's position, the choices
    it carried (and its flag) and when it arrived; the score ignores them."""
    page = client_of(trainee).get(reverse("attempt_result", args=[late_attempt.pk]))
    content = page.content.decode()
    assert HEADING in content
    rows = content.split('<section class="late-changes"')[1].split("</section>")[0]
    assert rows.count('<tr><th scope="row">') == 2
    assert rows.index('scope="row">2<') < rows.index('scope="row">3<')
    assert "Nasal 2 · flagged" in rows and "Oral 3" in rows
    assert "2 March 2026, 09:13:00 UTC" in rows
    late_attempt.refresh_from_db()
    assert late_attempt.score == 0


def test_late_changes_are_the_own_trainees_only(
    client_of, trainee, other_trainee, late_attempt
):
    """Another trainee neither opens the result nor reads its late changes."""
    response = client_of(other_trainee).get(
        reverse("attempt_result", args=[late_attempt.pk])
    )
    assert response.status_code == 404
    assert late_changes_for(trainee=other_trainee, attempt=late_attempt) == []
    assert len(late_changes_for(trainee=trainee, attempt=late_attempt)) == 2


def test_result_without_late_changes_says_nothing_of_them(client_of, trainee, clock):
    quiz = quiz_with_questions(2)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    client = client_of(trainee)
    client.post(reverse("attempt_submit", args=[attempt.pk]))
    page = client.get(reverse("attempt_result", args=[attempt.pk])).content.decode()
    assert HEADING not in page


def test_late_changes_on_a_score_only_result_hold_no_key(client_of, trainee, clock):
    """The list shows what the trainee sent, never which choice was right."""
    quiz = quiz_with_questions(2, review_shows="score_only")
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    clock.shift(timedelta(minutes=11))
    _late_save(attempt, 1, texts=["Intramuscular 1"], seq=2)
    page = client_of(trainee).get(reverse("attempt_result", args=[attempt.pk]))
    content = page.content.decode()
    assert HEADING in content and "Intramuscular 1" in content
    assert _leaks(content, _secrets(attempt)) == []
    # The page counts correct answers (a total, like the score), never which
    # choice was the key.
    assert "Correct answer" not in content and "is-key" not in content
