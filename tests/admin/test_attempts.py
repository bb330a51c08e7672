"""Attempts in the admin: read-only, every answer shown, two logged interventions."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from quizzes.choices import AttemptState, QuestionKind
from quizzes.models import DeadlineExtension
from quizzes.services.attempts import answer_save, attempt_start
from tests.admin.factories import (
    T0,
    AnswerFactory,
    AttemptFactory,
    InProgressAttemptFactory,
)
from tests.factories import QuestionFactory, QuizFactory, UserFactory

pytestmark = pytest.mark.django_db
LIST = reverse("admin:quizzes_attempt_changelist")


def rows_of(response):
    return list(response.context["cl"].result_list)


def test_an_attempt_shows_every_answer_with_its_choice_score_and_time(
    instructor_client,
):
    attempt = AttemptFactory(started_at=T0)
    single = QuestionFactory()
    multiple = QuestionFactory(kind=QuestionKind.MULTIPLE)
    chosen = single.choices.get(text="Oral tablet")
    AnswerFactory(
        attempt=attempt,
        question=single,
        choice_ids=[chosen.pk],
        score=Decimal(0),
        saved_at=T0 + timedelta(minutes=2, seconds=5),
    )
    AnswerFactory(attempt=attempt, question=multiple, choice_ids=[], saved_at=None)
    response = instructor_client.get(
        reverse("admin:quizzes_attempt_change", args=[attempt.pk])
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Oral tablet" in page  # the choice made
    assert "Intramuscular injection" in page  # the key
    assert "2:05" in page  # saved 2 min 5 s into the attempt
    assert "— (not answered)" in page
    assert 'name="_save"' not in page  # read-only


def test_the_list_filters_by_quiz_state_and_trainee(instructor_client):
    kept = InProgressAttemptFactory(trainee=UserFactory(username="ada"))
    AttemptFactory()
    for query in [f"quiz__id__exact={kept.quiz_id}", "state__exact=in_progress"]:
        assert rows_of(instructor_client.get(f"{LIST}?{query}")) == [kept], query
    response = instructor_client.get(f"{LIST}?trainee=ada")
    assert rows_of(response) == [kept]
    assert 'name="trainee" value="ada"' in response.content.decode()


def select(client, action, attempts, **extra):
    return client.post(
        LIST,
        {"action": action, "_selected_action": [a.pk for a in attempts], **extra},
        follow=True,
    )


@pytest.fixture
def timed_attempt():
    question = QuestionFactory()
    quiz = QuizFactory(with_questions=[question], time_limit=timedelta(minutes=10))
    attempt = attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
    key = question.choices.get(is_correct=True)
    answer_save(
        attempt=attempt,
        question_id=question.pk,
        choice_ids=[key.pk],
        flagged=None,
        now=T0 + timedelta(minutes=1),
    )
    return attempt


def test_finish_now_closes_an_attempt_past_its_deadline_at_its_deadline(
    instructor_client, timed_attempt
):
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        response = select(instructor_client, "finish_expired_now", [timed_attempt])
    timed_attempt.refresh_from_db()
    assert timed_attempt.state == AttemptState.EXPIRED
    assert timed_attempt.finished_at == T0 + timedelta(minutes=10)
    assert (timed_attempt.score, timed_attempt.max_score) == (1, 1)
    assert "1 attempt(s) closed at their deadline" in response.content.decode()


def test_finish_now_leaves_an_attempt_with_time_left_alone(
    instructor_client, timed_attempt
):
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        response = select(instructor_client, "finish_expired_now", [timed_attempt])
    timed_attempt.refresh_from_db()
    assert timed_attempt.state == AttemptState.IN_PROGRESS
    assert "still have time left and were left alone" in response.content.decode()


def test_extending_a_deadline_asks_how_long_and_why_then_logs_it(
    client, instructor, timed_attempt
):
    client.force_login(instructor)
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        form = select(client, "extend_deadline", [timed_attempt])
        assert 'name="reason"' in form.content.decode()
        response = select(
            client,
            "extend_deadline",
            [timed_attempt],
            apply="1",
            minutes="15",
            reason="Fire alarm at 09:04",
        )
    timed_attempt.refresh_from_db()
    assert timed_attempt.deadline == T0 + timedelta(minutes=25)
    log = DeadlineExtension.objects.get()
    assert (log.extended_by, log.reason, log.minutes) == (
        instructor,
        "Fire alarm at 09:04",
        15,
    )
    assert (log.old_deadline, log.new_deadline) == (
        T0 + timedelta(minutes=10),
        T0 + timedelta(minutes=25),
    )
    assert "deadline moved from 09:10 to 09:25" in response.content.decode()
    change = client.get(reverse("admin:quizzes_attempt_change", args=[log.attempt_id]))
    assert "Fire alarm at 09:04" in change.content.decode()


def test_an_extension_without_a_reason_is_refused(instructor_client, timed_attempt):
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        response = select(
            instructor_client,
            "extend_deadline",
            [timed_attempt],
            apply="1",
            minutes="15",
            reason="",
        )
    assert "This field is required." in response.content.decode()
    assert not DeadlineExtension.objects.exists()


def test_an_extension_past_the_deadline_is_refused_with_the_reason(
    instructor_client, timed_attempt
):
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        response = select(
            instructor_client,
            "extend_deadline",
            [timed_attempt],
            apply="1",
            minutes="15",
            reason="Late",
        )
    assert "the clock has closed this attempt" in response.content.decode()
    assert not DeadlineExtension.objects.exists()


def test_only_one_attempt_at_a_time_gets_more_time(instructor_client):
    two = [InProgressAttemptFactory(), InProgressAttemptFactory()]
    response = select(instructor_client, "extend_deadline", two)
    assert "Select exactly one attempt" in response.content.decode()


def test_the_selected_attempts_export_as_csv(instructor_client):
    attempt = AttemptFactory(
        trainee=UserFactory(username="=cmd"), score=Decimal("2.5"), max_score=4
    )
    response = instructor_client.post(
        LIST, {"action": "export_csv", "_selected_action": [attempt.pk]}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="attempts')
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("attempt id,username,name,quiz,number,state")
    assert lines[1].startswith(f"{attempt.pk},'=cmd,")
    assert lines[1].endswith(",2.5000,4,62.5")


def test_the_extension_log_lists_who_extended_what_and_why(instructor_client):
    attempt = InProgressAttemptFactory()
    DeadlineExtension.objects.create(
        attempt=attempt,
        extended_by=UserFactory(username="dr-who", is_staff=True),
        extended_at=T0,
        reason="Power cut",
        old_deadline=attempt.deadline,
        new_deadline=attempt.deadline + timedelta(minutes=5),
    )
    page = instructor_client.get(
        reverse("admin:quizzes_deadlineextension_changelist")
    ).content.decode()
    assert "Power cut" in page
    assert "dr-who" in page
