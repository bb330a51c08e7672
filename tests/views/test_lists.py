"""The quiz list, a quiz's intro page and the trainee's history."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from quizzes.choices import GradingMethod, QuizMode
from quizzes.models import Accommodation, Attempt
from quizzes.services.attempts import (
    answer_save,
    attempt_finish,
    attempt_start,
    attempts_prepare,
)
from tests.views.conftest import NOW
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db


def _attempt(trainee, quiz, *, correct: int):
    """A finished attempt with the first ``correct`` questions answered right."""
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    for answer in attempt.answers.filter(position__lte=correct):
        answer_save(
            attempt=attempt,
            question_id=answer.question_id,
            choice_ids=answer.choice_order[:1],  # unshuffled: option 1 is the key
            flagged=None,
            now=timezone.now(),
        )
    return attempt_finish(attempt=attempt, now=timezone.now())


def test_quiz_list_shows_grade_pass_fail_and_attempts(client_of, trainee, clock):
    """Each quiz, under Exams or Practice by its mode: time limit, size, attempts
    used and left, grade; open or not is said only when it is not open."""
    quiz = quiz_with_questions(
        4, attempts_allowed=3, grading_method=GradingMethod.HIGHEST, pass_mark=70
    )
    _attempt(trainee, quiz, correct=2)
    _attempt(trainee, quiz, correct=3)
    page = client_of(trainee).get(reverse("home")).content.decode()
    assert quiz.title in page
    exams = page.split("<h3>Exams</h3>", 1)[1].split("<h3>Practice</h3>", 1)[0]
    assert quiz.title in exams
    assert "10 minutes" in page
    assert "<dd>4</dd>" in page
    assert "2 used, 1 left" in page
    assert "75% (highest attempt): <strong>passed</strong>" in page
    assert "<dt>Status</dt>" not in page


def test_quiz_list_offers_resume_for_an_attempt_in_progress(client_of, trainee, clock):
    quiz = quiz_with_questions(2, time_limit=None)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    page = client_of(trainee).get(reverse("home")).content.decode()
    assert f'href="{attempt.get_absolute_url()}">Resume' in page
    assert "Untimed" in page


def test_quiz_list_says_when_a_quiz_opens_or_closed(client_of, trainee, clock):
    quiz_with_questions(1, title="Later", opens_at=NOW + timedelta(days=1))
    quiz_with_questions(1, title="Earlier", closes_at=NOW - timedelta(days=1))
    page = client_of(trainee).get(reverse("home")).content.decode()
    assert "Not open yet: opens 03 March 2026 at 09:00 UTC" in page
    assert "Closed since 01 March 2026 at 09:00 UTC" in page


def test_intro_page_explains_rules_and_extra_time(client_of, trainee, clock):
    """The intro names the mode, the limit and the trainee's own extended limit."""
    quiz = quiz_with_questions(3, time_limit=timedelta(minutes=12), attempts_allowed=2)
    Accommodation.objects.create(
        trainee=trainee, time_factor=Decimal("1.5"), extra_minutes=2
    )
    page = client_of(trainee).get(quiz.get_absolute_url()).content.decode()
    assert "Exam mode." in page
    assert "Time limit: 12 minutes." in page
    assert "you have <strong>20 minutes</strong>" in page
    assert "2 of 2" in page
    assert "Start attempt 1" in page


def test_intro_page_of_a_tutor_quiz_explains_confirming(client_of, trainee, clock):
    quiz = quiz_with_questions(1, mode=QuizMode.TUTOR, time_limit=None)
    page = client_of(trainee).get(quiz.get_absolute_url()).content.decode()
    assert "Tutor mode." in page
    assert "Confirm answer" in page
    assert "Untimed." in page


def test_intro_page_of_an_unknown_quiz_is_not_found(client_of, trainee):
    assert client_of(trainee).get("/quizzes/no-such-quiz/").status_code == 404


def test_start_when_no_attempts_are_left_is_refused_with_the_reason(
    client_of, trainee, clock
):
    """The intro hides the start button, and a forced POST gets the service's reason."""
    quiz = quiz_with_questions(1, attempts_allowed=1)
    _attempt(trainee, quiz, correct=1)
    client = client_of(trainee)
    assert "Start attempt" not in client.get(quiz.get_absolute_url()).content.decode()

    response = client.post(reverse("quiz_start", args=[quiz.slug]))

    assert response.url == quiz.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "You have used all 1 attempt(s) on this quiz."
    ]
    assert Attempt.objects.filter(quiz=quiz).count() == 1


def test_start_on_a_closed_quiz_is_refused(client_of, trainee, clock):
    quiz = quiz_with_questions(1, closes_at=NOW - timedelta(minutes=1))
    response = client_of(trainee).post(reverse("quiz_start", args=[quiz.slug]))
    assert response.url == quiz.get_absolute_url()
    assert not quiz.attempts.exists()


def test_start_with_an_attempt_in_progress_resumes_it(client_of, trainee, clock):
    quiz = quiz_with_questions(1)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    client = client_of(trainee)
    assert "Resume attempt 1" in client.get(quiz.get_absolute_url()).content.decode()
    response = client.post(reverse("quiz_start", args=[quiz.slug]))
    assert response.url == attempt.get_absolute_url()
    assert quiz.attempts.count() == 1


def test_history_lists_attempts_with_score_and_links(client_of, trainee, clock):
    quiz = quiz_with_questions(2)
    finished = _attempt(trainee, quiz, correct=1)
    clock.shift(timedelta(hours=1))
    open_attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    page = client_of(trainee).get(reverse("history")).content.decode()
    assert "1 of 2 (50%): not passed" in page
    assert reverse("attempt_result", args=[finished.pk]) in page
    assert reverse("attempt_review", args=[finished.pk]) in page
    assert f'href="{open_attempt.get_absolute_url()}">Resume' in page
    assert page.index("attempt 2") < page.index("attempt 1")  # newest first


def test_history_shows_only_the_trainees_own_attempts(
    client_of, trainee, other_trainee, clock
):
    quiz = quiz_with_questions(1)
    theirs = _attempt(other_trainee, quiz, correct=1)
    page = client_of(trainee).get(reverse("history")).content.decode()
    assert reverse("attempt_result", args=[theirs.pk]) not in page
    assert "You have no attempts yet." in page


def test_quiz_page_gives_the_start_refusal_of_the_service(client_of, trainee, clock):
    """The page and attempt_start say the same thing: one rule, one message."""
    quiz = quiz_with_questions(1, attempts_allowed=1)
    now = timezone.now()
    attempt_finish(
        attempt=attempt_start(trainee=trainee, quiz=quiz, now=now).attempt, now=now
    )
    page = client_of(trainee).get(quiz.get_absolute_url()).content.decode()
    assert "You have used all 1 attempt(s) on this quiz." in page


# Time ran out and nothing has closed the attempt yet (no scheduler run, the trainee
# never came back): every page closes it on read, so it shows expired and scored.


def _overdue(trainee, clock, *, correct: int = 1):
    """An attempt of 2 questions, ``correct`` answered right, left open; the clock
    then moves past its deadline (10 minutes) and the grace."""
    quiz = quiz_with_questions(2, grading_method=GradingMethod.HIGHEST, pass_mark=50)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    for answer in attempt.answers.filter(position__lte=correct):
        answer_save(
            attempt=attempt,
            question_id=answer.question_id,
            choice_ids=answer.choice_order[:1],
            flagged=None,
            now=timezone.now(),
        )
    clock.move_to(NOW + timedelta(minutes=11))
    return attempt


def test_quiz_list_shows_an_attempt_whose_time_ran_out_graded_not_resumable(
    client_of, trainee, clock
):
    """No Resume button for a sitting the clock has ended, and its score counts in
    the grade at once."""
    attempt = _overdue(trainee, clock)
    page = client_of(trainee).get(reverse("home")).content.decode()
    assert ">Resume" not in page
    assert "50% (highest attempt): <strong>passed</strong>" in page
    attempt.refresh_from_db()
    assert attempt.state == "expired"
    assert attempt.finished_at == attempt.deadline


def test_quiz_intro_offers_a_new_attempt_not_the_one_whose_time_ran_out(
    client_of, trainee, clock
):
    attempt = _overdue(trainee, clock)
    page = client_of(trainee).get(attempt.quiz.get_absolute_url()).content.decode()
    assert "Resume attempt" not in page
    assert "Start attempt 2" in page
    assert "<dd>50%: passed</dd>" in page


def test_history_shows_an_attempt_whose_time_ran_out_as_closed_by_the_clock(
    client_of, trainee, clock
):
    _overdue(trainee, clock)
    page = client_of(trainee).get(reverse("history")).content.decode()
    assert "<dd>Closed by the clock</dd>" in page
    assert "1 of 2 (50%)" in page
    assert "Not scored yet" not in page


def test_another_trainees_overdue_attempt_is_left_for_the_scheduler(
    client_of, trainee, other_trainee, clock
):
    """Close on read is scoped to what the page shows: a trainee's page never
    writes to someone else's attempt."""
    theirs = _overdue(other_trainee, clock)
    client_of(trainee).get(reverse("home"))
    theirs.refresh_from_db()
    assert theirs.state == "in_progress"


def test_a_prepared_attempt_is_neither_history_nor_an_attempt_used(
    client_of, trainee, clock
):
    """Prepared ahead of an exam, the attempt is not the trainee's yet: not in their
    history, not opened by its id, not one of the attempts allowed."""
    quiz = quiz_with_questions(2, attempts_allowed=1)
    attempts_prepare(quiz=quiz, trainees=[trainee], now=timezone.now())
    prepared = Attempt.objects.get(trainee=trainee)
    client = client_of(trainee)
    history = client.get(reverse("history")).content.decode()
    assert "You have no attempts yet." in history
    assert client.get(prepared.get_absolute_url()).status_code == 404
    assert client.get(f"/api/attempts/{prepared.pk}").status_code == 404
    page = client.get(quiz.get_absolute_url()).content.decode()
    assert "You have used all" not in page
    response = client.post(reverse("quiz_start", args=[quiz.slug]))
    assert response.url == prepared.get_absolute_url()
