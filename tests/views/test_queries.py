"""Query budgets: a page costs the same for 10 questions as for 40 (no N+1)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes.choices import QuizMode, ReviewFrom
from quizzes.services.attempts import (
    answer_confirm,
    answer_save,
    attempt_finish,
    attempt_start,
)
from tests.views.conftest import NOW
from tests.views.factories import quiz_with_questions

pytestmark = pytest.mark.django_db

# The attempt page of an exam:
#  1. session, 2. user, 3. attempt + quiz, 4. its answers + questions + the
#  versions pinned at start (which carry the option texts, keys and rationales).
ATTEMPT_PAGE_QUERIES = 4
# A confirmed tutor answer adds 5. its document's sections (the source passage in
# context) and 6. the trainee's problem reports on the attempt.
TUTOR_CONFIRMED_QUERIES = 6
# The review: 1. session, 2. user, 3. attempt + quiz, 4. answers + questions +
# pinned versions (options, keys, rationales), 5. the sections of the documents
# involved (each question's section text, for the passage in context), 6. the
# trainee's problem reports on the attempt, 7. the attempt's regrade notices.
REVIEW_QUERIES = 7
# The result: 1-3 as above, 4. answers with their sections (counts, time per
# question and per-section scores), 5. the top-level sections they fall under,
# 6. the quiz's first finished attempts (the percentile; none for a personal
# test), 7. regrade notices, 8. the changes that arrived too late, with their
# positions and pinned choices.
RESULT_QUERIES = 8
# The submit page: 1-3 as above, 4. the answers' positions and states.
SUBMIT_QUERIES = 4
# The dashboard (the home page): 1. session, 2. user, 3. the trainee's attempts due
# to close (close on read: none here); the assigned quizzes (quiz_standings):
# 4. quizzes with question counts, 5. the trainee's attempts at them, 6. their and
# their groups' overrides; 7. the top-level sections (mastery, next step, grouping),
# 8. mastery: the trainee's scored answers grouped by section (progress.mastery_grid,
# as instructors see it); the next step's pools (builder_pool_counts): 9. the
# published questions, 10. the trainee's answers, four small columns each; 11. the
# sections each quiz draws from or fixes (a UNION); 12. the latest finished
# attempts (the score chart); 13. the attempts in progress, personal tests too;
# 14. the count of review cards due; 15. the study days (a UNION of distinct
# days); 16. the latest personal tests ("My tests").
HOME_QUERIES = 16
# The quiz intro: 1-3 as above, 4. the quiz with its question count, 5. the
# trainee's attempts, 6. their overrides, 7-8. the trainee's extra time (this
# quiz's, then general).
DETAIL_QUERIES = 8
# A no-JS save: 1. session, 2. user, 3. attempt + quiz, 4. the posted answer, then
# answer_save: 5. savepoint, 6. attempt locked, 7. answer, 8. update, 9. release.
POST_SAVE_QUERIES = 9
# History: 1. session, 2. user, 3. the trainee's attempts due to close (close on
# read: none here), 4. count (pagination), 5. attempts + quizzes, 6. the regrade
# notices of the page's attempts.
HISTORY_QUERIES = 6
# ... and 7. the trainee's overrides on the quizzes whose review opens after their
# close, when the page holds any.
HISTORY_AFTER_CLOSE_QUERIES = 7


def _answered_attempt(trainee, count: int, **quiz_fields):
    quiz = quiz_with_questions(count, **quiz_fields)
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=timezone.now()).attempt
    for answer in attempt.answers.all():
        answer_save(
            attempt=attempt,
            question_id=answer.question_id,
            choice_ids=answer.choice_order[:1],
            flagged=True,
            now=timezone.now(),
        )
    return attempt


@pytest.mark.parametrize("count", [10, 40])
def test_attempt_page_query_count_does_not_grow_with_questions(
    client_of, trainee, clock, django_assert_max_num_queries, count
):
    attempt = _answered_attempt(trainee, count)
    client = client_of(trainee)
    with django_assert_max_num_queries(ATTEMPT_PAGE_QUERIES):
        response = client.get(f"{attempt.get_absolute_url()}?q={count}")
    assert response.status_code == 200


@pytest.mark.parametrize("count", [10, 40])
def test_tutor_feedback_query_count_does_not_grow_with_questions(
    client_of, trainee, clock, django_assert_max_num_queries, count
):
    attempt = _answered_attempt(trainee, count, mode=QuizMode.TUTOR)
    last = attempt.answers.get(position=count)
    answer_confirm(attempt=attempt, question_id=last.question_id, now=timezone.now())
    client = client_of(trainee)
    with django_assert_max_num_queries(TUTOR_CONFIRMED_QUERIES):
        response = client.get(f"{attempt.get_absolute_url()}?q={count}")
    assert "<mark>" in response.content.decode()


@pytest.mark.parametrize("count", [10, 40])
def test_submit_page_query_count_does_not_grow_with_questions(
    client_of, trainee, clock, django_assert_max_num_queries, count
):
    attempt = _answered_attempt(trainee, count)
    client = client_of(trainee)
    with django_assert_max_num_queries(SUBMIT_QUERIES):
        response = client.get(reverse("attempt_submit", args=[attempt.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [10, 40])
def test_result_and_review_query_counts_do_not_grow_with_questions(
    client_of, trainee, clock, django_assert_max_num_queries, count
):
    attempt = _answered_attempt(trainee, count)
    attempt_finish(attempt=attempt, now=timezone.now())
    client = client_of(trainee)
    with django_assert_max_num_queries(RESULT_QUERIES):
        response = client.get(reverse("attempt_result", args=[attempt.pk]))
    assert response.status_code == 200
    with django_assert_max_num_queries(REVIEW_QUERIES):
        response = client.get(reverse("attempt_review", args=[attempt.pk]))
    assert response.content.decode().count('<mark id="quote-') == count


@pytest.mark.parametrize("quizzes", [2, 8])
def test_quiz_list_and_history_query_counts_do_not_grow_with_quizzes(
    client_of, trainee, clock, django_assert_max_num_queries, quizzes
):
    for _ in range(quizzes):
        attempt = _answered_attempt(trainee, 2)
        attempt_finish(attempt=attempt, now=timezone.now())
    client = client_of(trainee)
    with django_assert_max_num_queries(HOME_QUERIES):
        assert client.get(reverse("home")).status_code == 200
    with django_assert_max_num_queries(HISTORY_QUERIES):
        assert client.get(reverse("history")).status_code == 200


def _home_query_count(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def test_the_dashboard_costs_the_same_for_1_and_for_50_finished_attempts(
    client_of, trainee, other_trainee, clock
):
    """The same number of queries for a trainee with one finished attempt as for one
    with fifty (and one in progress each): no query per attempt, answer or day."""
    counts = {}
    for who, finished in ((trainee, 1), (other_trainee, 50)):
        quiz = quiz_with_questions(2, attempts_allowed=None, title=f"Q{finished}")
        for n in range(finished):
            clock.move_to(NOW + timedelta(days=n))
            attempt = attempt_start(trainee=who, quiz=quiz, now=timezone.now())
            for answer in attempt.attempt.answers.all():
                answer_save(
                    attempt=attempt.attempt,
                    question_id=answer.question_id,
                    choice_ids=answer.choice_order[:1],
                    flagged=False,
                    now=timezone.now(),
                )
            attempt_finish(attempt=attempt.attempt, now=timezone.now())
        attempt_start(trainee=who, quiz=quiz_with_questions(1), now=timezone.now())
        counts[finished] = _home_query_count(client_of(who))
    assert counts[1] == counts[50] <= HOME_QUERIES


@pytest.mark.parametrize("quizzes", [2, 8])
def test_history_of_after_close_quizzes_reads_overrides_once(
    client_of, trainee, clock, django_assert_max_num_queries, quizzes
):
    """Each trainee's own close decides an after-close review: one query for the
    whole page, whatever the number of quizzes."""
    for _ in range(quizzes):
        attempt = _answered_attempt(trainee, 2, review_from=ReviewFrom.AFTER_CLOSE)
        attempt_finish(attempt=attempt, now=timezone.now())
    client = client_of(trainee)
    with django_assert_max_num_queries(HISTORY_AFTER_CLOSE_QUERIES):
        assert client.get(reverse("history")).status_code == 200


@pytest.mark.parametrize("count", [10, 40])
def test_quiz_intro_and_form_save_query_counts_do_not_grow_with_questions(
    client_of, trainee, clock, django_assert_max_num_queries, count
):
    attempt = _answered_attempt(trainee, count)
    answer = attempt.answers.get(position=count)
    client = client_of(trainee)
    with django_assert_max_num_queries(DETAIL_QUERIES):
        assert client.get(attempt.quiz.get_absolute_url()).status_code == 200
    data = {"question": answer.question_id, "choices": answer.choice_order[1:2]}
    with django_assert_max_num_queries(POST_SAVE_QUERIES):
        response = client.post(attempt.get_absolute_url(), {**data, "action": "save"})
    assert response.status_code == 302
