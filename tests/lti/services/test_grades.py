"""Grade passback: a finished attempt's grade reaches the LMS gradebook (the
loopback LMS, over HTTP), retried with back-off when the LMS fails."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from quizzes.choices import GradingMethod
from quizzes.lti.models import GradePost, Membership
from quizzes.lti.services.grades import (
    MAX_TRIES,
    backoff,
    grade_posts_retry,
    grades_send_due,
)
from quizzes.services.attempts import answer_save, attempt_finish, attempt_start
from tests.factories import QuestionFactory, QuizFactory, UserFactory
from tests.lti.conftest import course_register, platform_register
from tests.lti.factories import IdentityFactory, MembershipFactory, ResourceLinkFactory
from tests.lti.loopback.harness import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz():
    questions = [QuestionFactory(), QuestionFactory()]
    return QuizFactory(with_questions=questions, time_limit=None)


@pytest.fixture
def course(loopback_lms, tool_jwks_url, quiz):
    """The LMS course "course-101" with learner ann (LMS user "u-ann") and a
    graded link to the quiz, registered on both sides."""
    urls = loopback_lms.configure(
        tool_url="http://127.0.0.1:9",
        jwks_url=tool_jwks_url,
        members=[member("u-ann", given_name="Ann")],
        links={"link-1": {"title": quiz.title, "custom": {"quiz": quiz.slug}}},
    )
    context = course_register(urls, deployment=platform_register(urls))
    ann = UserFactory(username="ann")
    IdentityFactory(issuer=urls["issuer"], subject="u-ann", user=ann)
    MembershipFactory(context=context, user=ann, role=Membership.Role.LEARNER)
    lineitem = next(iter(loopback_lms.grades()["lineitems"]))
    link = ResourceLinkFactory(
        context=context, resource_link_id="link-1", quiz=quiz, lineitem_url=lineitem
    )
    return {"ann": ann, "link": link, "lineitem": lineitem}


def _sit(quiz, trainee, *, right: int, capture) -> None:
    """An attempt with ``right`` of the quiz's two questions answered right,
    finished, its commit callbacks (the grade's post) run."""
    now = timezone.now()
    attempt = attempt_start(trainee=trainee, quiz=quiz, now=now).attempt
    for answer in list(attempt.answers.select_related("question"))[:right]:
        key = answer.question.choices.get(is_correct=True)
        answer_save(
            attempt=attempt,
            question_id=answer.question_id,
            choice_ids=[key.pk],
            flagged=None,
            now=now,
        )
    with capture(execute=True):
        attempt_finish(attempt=attempt, now=now + timedelta(seconds=30))
    # The sender's pass (lti_send_grades, beside the server).
    grades_send_due(now=timezone.now())


def test_finishing_an_attempt_queues_the_grade_without_calling_the_lms(
    loopback_lms, course, quiz, django_capture_on_commit_callbacks
):
    """The submit only writes the outbox, due at once: a slow or unreachable LMS
    never holds the trainee's request; the sender's pass posts it."""
    attempt = attempt_start(
        trainee=course["ann"], quiz=quiz, now=timezone.now()
    ).attempt
    with django_capture_on_commit_callbacks(execute=True):
        attempt_finish(attempt=attempt, now=timezone.now())
    post = GradePost.objects.get()
    assert (post.status, post.tries, post.score_given) == ("pending", 0, 0)
    assert loopback_lms.grades()["requests"] == []
    assert grades_send_due(now=timezone.now()).sent == 1
    assert len(loopback_lms.grades()["scores"]) == 1


def test_a_finished_attempt_posts_the_grade_to_the_line_item(
    loopback_lms, course, quiz, django_capture_on_commit_callbacks
):
    """Submitting sends the grade (1 of 2 right: 50 of 100) to the link's line item
    as the LMS user, Completed and FullyGraded; the outbox row is sent."""
    _sit(quiz, course["ann"], right=1, capture=django_capture_on_commit_callbacks)
    [score] = loopback_lms.grades()["scores"]
    assert score["lineitem"] == course["lineitem"]
    assert score["userId"] == "u-ann"
    assert (score["scoreGiven"], score["scoreMaximum"]) == (50.0, 100.0)
    assert score["activityProgress"] == "Completed"
    assert score["gradingProgress"] == "FullyGraded"
    assert score["timestamp"]
    post = GradePost.objects.get()
    assert (post.status, post.tries, post.last_error) == ("sent", 1, "")


def test_the_grade_follows_the_quiz_grading_method(
    loopback_lms, course, quiz, django_capture_on_commit_callbacks
):
    """Highest grade: 100 then 0 posts 100 both times (not the latest attempt)."""
    quiz.grading_method = GradingMethod.HIGHEST
    quiz.attempts_allowed = 2
    quiz.save()
    _sit(quiz, course["ann"], right=2, capture=django_capture_on_commit_callbacks)
    _sit(quiz, course["ann"], right=0, capture=django_capture_on_commit_callbacks)
    assert [s["scoreGiven"] for s in loopback_lms.grades()["scores"]] == [100.0]
    assert GradePost.objects.get().score_given == 100


def test_a_trainee_outside_the_course_is_not_posted(
    loopback_lms, course, quiz, django_capture_on_commit_callbacks
):
    """Only the course's learners have a grade in its gradebook."""
    _sit(quiz, UserFactory(), right=1, capture=django_capture_on_commit_callbacks)
    assert loopback_lms.grades()["scores"] == []
    assert not GradePost.objects.exists()


def test_a_platform_failure_is_retried_with_back_off(
    loopback_lms, course, quiz, django_capture_on_commit_callbacks
):
    """The LMS answers 500 twice: the grade waits 1 then 2 minutes, nothing is
    sent before its time, and the third try lands it once."""
    loopback_lms.fail("scores", 2)
    _sit(quiz, course["ann"], right=1, capture=django_capture_on_commit_callbacks)
    post = GradePost.objects.get()
    assert (post.status, post.tries) == ("failed", 1)
    assert "500" in post.last_error
    first_failure = post.next_try_at - backoff(1)

    assert grades_send_due(now=post.next_try_at - timedelta(seconds=1)).sent == 0
    report = grades_send_due(now=post.next_try_at)
    post.refresh_from_db()
    assert (report.failed, post.tries) == (1, 2)
    assert post.next_try_at == first_failure + backoff(1) + backoff(2)

    report = grades_send_due(now=post.next_try_at)
    post.refresh_from_db()
    assert (report.sent, post.status, post.last_error) == (1, "sent", "")
    assert len(loopback_lms.grades()["scores"]) == 1
    scores = [status for endpoint, status in loopback_lms.grades()["requests"]]
    assert scores.count(500) == 2


def test_a_grade_is_given_up_after_the_last_try(
    loopback_lms, course, quiz, django_capture_on_commit_callbacks
):
    """An LMS that keeps failing: MAX_TRIES tries, then "gave up", with the
    error kept; "Retry now" makes it due again with its count started over."""
    loopback_lms.fail("scores", MAX_TRIES + 5)
    _sit(quiz, course["ann"], right=1, capture=django_capture_on_commit_callbacks)
    post = GradePost.objects.get()
    while post.status == "failed":
        grades_send_due(now=post.next_try_at)
        post.refresh_from_db()
    assert (post.status, post.tries, post.next_try_at) == ("gave_up", MAX_TRIES, None)
    assert "500" in post.last_error
    assert loopback_lms.grades()["scores"] == []

    now = timezone.now()
    assert grade_posts_retry(posts=[post], now=now) == 1
    loopback_lms.fail("scores", 0)
    assert grades_send_due(now=now).sent == 1
    assert len(loopback_lms.grades()["scores"]) == 1


def test_the_back_off_doubles_from_a_minute_up_to_six_hours():
    """1, 2, 4 … 256 minutes, never more than 6 hours."""
    minutes = [backoff(n) / timedelta(minutes=1) for n in range(1, MAX_TRIES)]
    assert minutes == [1, 2, 4, 8, 16, 32, 64, 128, 256]
    assert backoff(20) == timedelta(hours=6)


def test_lti_send_grades_sends_what_is_due(
    loopback_lms, course, quiz, django_capture_on_commit_callbacks, capsys
):
    """``manage.py lti_send_grades`` sends the grades waiting in the outbox."""
    loopback_lms.fail("token", 1)
    _sit(quiz, course["ann"], right=2, capture=django_capture_on_commit_callbacks)
    post = GradePost.objects.get()
    assert post.status == "failed"
    GradePost.objects.update(next_try_at=timezone.now())
    call_command("lti_send_grades")
    assert "sent 1" in capsys.readouterr().out
    assert [s["scoreGiven"] for s in loopback_lms.grades()["scores"]] == [100.0]
