"""Attempts in the admin: read-only, every answer shown, two logged interventions."""

import random
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse

from quizzes.choices import AttemptState, QuestionKind, ReviewShows
from quizzes.models import Answer, DeadlineExtension, LateAnswer
from quizzes.models.attempts import GRACE
from quizzes.services.attempts import answer_save, attempt_finish, attempt_start
from tests.admin.factories import (
    T0,
    AnswerFactory,
    AttemptFactory,
    InProgressAttemptFactory,
)
from tests.factories import QuestionFactory, QuizFactory, UserFactory
from tests.views.factories import quiz_with_questions

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
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        in_progress = rows_of(instructor_client.get(f"{LIST}?state=in_progress"))
    assert in_progress == [kept]
    for query in [f"quiz__id__exact={kept.quiz_id}"]:
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


# "View on site" and the instructors' review of an attempt.


def review_url(attempt):
    return reverse("admin:quizzes_attempt_review", args=[attempt.pk])


@pytest.fixture
def shuffled_attempt():
    """A finished attempt at a shuffled quiz whose review policy shows the trainee
    the score only: question 2 answered right and flagged, question 3 wrong."""
    quiz = quiz_with_questions(
        3,
        shuffle_questions=True,
        shuffle_choices=True,
        review_shows=ReviewShows.SCORE_ONLY,
    )
    trainee = UserFactory(username="ada")
    attempt = attempt_start(
        trainee=trainee, quiz=quiz, now=T0, rng=random.Random(7)
    ).attempt
    answers = list(attempt.answers.select_related("question").order_by("position"))
    for answer, pick, flagged in [(answers[1], True, True), (answers[2], False, None)]:
        choice = answer.question.choices.filter(is_correct=pick).order_by("pk").first()
        answer_save(
            attempt=attempt,
            question_id=answer.question_id,
            choice_ids=[choice.pk],
            flagged=flagged,
            now=T0 + timedelta(minutes=1),
        )
    return attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=3))


def test_the_site_attempt_page_is_the_trainees_so_the_admin_does_not_link_it(
    instructor_client, shuffled_attempt
):
    """The site's attempt page is a 404 for anyone but its trainee: the attempt's
    admin page links to the admin's own review instead of "View on site"."""
    site_url = reverse("attempt", args=[shuffled_attempt.pk])
    assert instructor_client.get(site_url).status_code == 404
    change = instructor_client.get(
        reverse("admin:quizzes_attempt_change", args=[shuffled_attempt.pk])
    )
    page = change.content.decode()
    assert f'href="{site_url}"' not in page
    assert "View on site" not in page
    assert f'href="{review_url(shuffled_attempt)}"' in page


def test_the_list_links_each_attempt_to_its_review(instructor_client):
    attempt = AttemptFactory()
    page = instructor_client.get(LIST).content.decode()
    assert f'href="{review_url(attempt)}"' in page


def test_the_review_shows_the_attempt_as_the_trainee_saw_it_with_the_key(
    instructor_client, shuffled_attempt
):
    """Questions in the attempt's frozen order, choices in their frozen order, the
    trainee's choice, the key, every rationale, the explanation and the source, even
    though the quiz's policy shows the trainee the score only."""
    response = instructor_client.get(review_url(shuffled_attempt))
    assert response.status_code == 200
    page = response.content.decode()
    answers = list(
        Answer.objects.filter(attempt=shuffled_attempt)
        .select_related("question")
        .order_by("position")
    )
    stems = [a.question.stem for a in answers]
    assert [s for s in re.findall(r"Stem \d: [^<]*", page)] == stems
    for answer in answers:
        texts = dict(answer.question.choices.values_list("pk", "text"))
        frozen = [texts[pk] for pk in answer.choice_order]
        shown = [t for t in re.findall(r'<p class="choice-text">([^<]*)</p>', page)]
        position = shown.index(frozen[0])
        assert shown[position : position + len(frozen)] == frozen
        for rationale in answer.question.choices.values_list("rationale", flat=True):
            assert rationale in page
        assert answer.question.explanation in page
        assert answer.question.source_quote in page
    assert page.count("<strong>the trainee's choice</strong>") == 2
    assert page.count("the trainee flagged this question") == 1
    assert "Not answered (0 points)" in page
    assert "Correct (1 point)" in page and "Incorrect (0 points)" in page


def test_a_trainee_cannot_open_the_review(client, shuffled_attempt):
    """Even the attempt's own trainee: the admin's review is for staff (a trainee
    reviews through the site, under the quiz's policy)."""
    client.force_login(shuffled_attempt.trainee)
    response = client.get(review_url(shuffled_attempt))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_the_view_permission_on_attempts_is_refused_the_review(
    client, shuffled_attempt
):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_quiz"))
    client.force_login(staff)
    assert client.get(review_url(shuffled_attempt)).status_code == 403


def test_the_review_of_an_unknown_attempt_is_a_404(instructor_client):
    url = reverse("admin:quizzes_attempt_review", args=[999_999])
    assert instructor_client.get(url).status_code == 404


# The state as of now: past the deadline is expired, closed or not.


def test_an_attempt_past_its_deadline_shows_as_expired_before_it_is_closed(
    instructor_client,
):
    """In progress in the database (nobody has closed it), but the deadline plus the
    grace has passed: the list and the attempt's page say it is expired."""
    attempt = InProgressAttemptFactory(started_at=T0)  # deadline T0 + 10 min
    change = reverse("admin:quizzes_attempt_change", args=[attempt.pk])
    with time_machine.travel(T0 + timedelta(minutes=10) + GRACE * 2, tick=False):
        listed = instructor_client.get(LIST).content.decode()
        page = instructor_client.get(change).content.decode()
    assert '<td class="field-state_now">Expired (not yet closed)</td>' in listed
    assert '<div class="readonly">Expired (not yet closed)</div>' in page
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.IN_PROGRESS  # shown, not closed


def test_within_the_grace_an_attempt_is_still_in_progress(instructor_client):
    attempt = InProgressAttemptFactory(started_at=T0)
    change = reverse("admin:quizzes_attempt_change", args=[attempt.pk])
    with time_machine.travel(T0 + timedelta(minutes=10) + GRACE, tick=False):
        page = instructor_client.get(change).content.decode()
    assert "Expired (not yet closed)" not in page


def test_the_state_filter_counts_an_overdue_attempt_as_expired_not_in_progress(
    instructor_client,
):
    overdue = InProgressAttemptFactory(started_at=T0)
    on_time = InProgressAttemptFactory(started_at=T0 + timedelta(minutes=15))
    closed = AttemptFactory(
        state=AttemptState.EXPIRED, started_at=T0 - timedelta(days=1)
    )
    finished = AttemptFactory(started_at=T0 - timedelta(days=2))
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        by_state = {
            state: set(rows_of(instructor_client.get(f"{LIST}?state={state}")))
            for state in ["in_progress", "expired", "overdue", "finished"]
        }
    assert by_state == {
        "in_progress": {on_time},
        "expired": {overdue, closed},
        "overdue": {overdue},
        "finished": {finished},
    }


def test_the_state_column_sorts_overdue_attempts_apart(instructor_client):
    overdue = InProgressAttemptFactory(started_at=T0)
    on_time = InProgressAttemptFactory(started_at=T0 + timedelta(minutes=15))
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        response = instructor_client.get(f"{LIST}?o=4")
    assert rows_of(response) == [on_time, overdue]  # "in_progress" < "overdue"


# Neutral marks.


def test_flagged_is_shown_with_neutral_marks_not_the_red_cross(instructor_client):
    """The admin's red ✗ for "not flagged" sat next to the score and read as
    "wrong": a flag is "⚑ flagged" or "—"."""
    attempt = AttemptFactory()
    flagged = AnswerFactory(attempt=attempt, flagged=True)
    AnswerFactory(attempt=attempt, flagged=False)
    pages = [
        instructor_client.get(
            reverse("admin:quizzes_attempt_change", args=[attempt.pk])
        ),
        instructor_client.get(
            reverse("admin:quizzes_answer_change", args=[flagged.pk])
        ),
    ]
    for response in pages:
        page = response.content.decode()
        assert "⚑\N{NO-BREAK SPACE}flagged" in page
        assert "icon-no.svg" not in page and "icon-yes.svg" not in page


def test_changes_that_arrived_too_late_are_listed_read_only(instructor_client):
    """The attempt lists each change refused because the time was up: question
    position, choices sent, its number and arrival, and nothing to edit."""
    attempt = AttemptFactory(started_at=T0)
    question = QuestionFactory()
    AnswerFactory(attempt=attempt, question=question, position=4)
    LateAnswer.objects.create(
        attempt=attempt,
        question=question,
        choice_ids=[question.choices.get(text="Oral tablet").pk],
        seq=12,
        received_at=T0 + timedelta(minutes=31),
    )
    response = instructor_client.get(
        reverse("admin:quizzes_attempt_change", args=[attempt.pk])
    )
    page = response.content.decode()
    assert "Changes that arrived after the time was up (not counted)" in page
    late = page.split("late_answers-group")[1].split("</fieldset>")[0]
    assert "Oral tablet" in late and ">4<" in late and ">12<" in late
    assert 'name="late_answers-0-choice_ids"' not in page  # read-only
