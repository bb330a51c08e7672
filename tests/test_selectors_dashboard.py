"""The dashboard's reads scoped to one trainee (``quizzes.selectors``)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from quizzes.models import Attempt, QuizDraw
from quizzes.selectors import (
    attempts_in_progress,
    finished_scores,
    quiz_section_ids,
    study_days,
)
from quizzes.services.attempts import answer_save, attempt_finish, attempt_start
from tests.factories import SectionFactory, UserFactory
from tests.views.factories import QuizFactory, quiz_with_questions

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)


def _save_first(attempt, now):
    answer = attempt.answers.select_related("question").get(position=1)
    answer_save(
        attempt=attempt,
        question_id=answer.question_id,
        choice_ids=answer.choice_order[:1],
        flagged=False,
        now=now,
    )


@override_settings(TIME_ZONE="Europe/Paris")
def test_study_days_are_days_in_the_sites_time_zone():
    """An answer saved at 23:30 UTC on 10 March is 11 March in Paris (UTC+1); an
    attempt finished on 12 March adds that day; a start alone adds nothing."""
    timezone.deactivate()
    trainee = UserFactory()
    attempt = attempt_start(trainee=trainee, quiz=quiz_with_questions(2), now=T0)
    _save_first(attempt.attempt, T0)
    quiz = quiz_with_questions(1, time_limit=None)
    later = attempt_start(trainee=trainee, quiz=quiz, now=T0).attempt
    attempt_finish(attempt=later, now=T0 + timedelta(days=1, hours=2))
    attempt_start(trainee=trainee, quiz=quiz_with_questions(1), now=T0)
    assert study_days(trainee=trainee) == {date(2026, 3, 11), date(2026, 3, 12)}


def test_study_days_in_utc_are_the_utc_dates():
    """The site's default zone, UTC: 23:30 on 10 March is 10 March, and a finish at
    01:30 on 12 March is 12 March (SQL's native DATE())."""
    trainee = UserFactory()
    attempt = attempt_start(trainee=trainee, quiz=quiz_with_questions(2), now=T0)
    _save_first(attempt.attempt, T0)
    quiz = quiz_with_questions(1, time_limit=None)
    later = attempt_start(trainee=trainee, quiz=quiz, now=T0).attempt
    attempt_finish(attempt=later, now=T0 + timedelta(days=1, hours=2))
    assert study_days(trainee=trainee) == {date(2026, 3, 10), date(2026, 3, 12)}


def test_study_days_are_the_trainees_own():
    trainee, other = UserFactory(), UserFactory()
    attempt = attempt_start(trainee=other, quiz=quiz_with_questions(1), now=T0)
    _save_first(attempt.attempt, T0)
    assert study_days(trainee=trainee) == set()


def test_attempts_in_progress_soonest_deadline_first_untimed_last():
    """Assigned and personal attempts alike; finished ones and another trainee's
    are left out."""
    trainee = UserFactory()
    untimed = attempt_start(
        trainee=trainee, quiz=quiz_with_questions(1, time_limit=None), now=T0
    ).attempt
    long = attempt_start(
        trainee=trainee,
        quiz=quiz_with_questions(2, time_limit=timedelta(minutes=50)),
        now=T0,
    ).attempt
    short = attempt_start(
        trainee=trainee,
        quiz=quiz_with_questions(3, time_limit=timedelta(minutes=5)),
        now=T0,
    ).attempt
    done = attempt_start(trainee=trainee, quiz=quiz_with_questions(1), now=T0)
    attempt_finish(attempt=done.attempt, now=T0)
    attempt_start(trainee=UserFactory(), quiz=short.quiz, now=T0)
    found = attempts_in_progress(trainee=trainee)
    assert found == [short, long, untimed]
    assert [a.question_count for a in found] == [3, 2, 1]


def test_finished_scores_are_the_latest_oldest_first():
    trainee = UserFactory()
    finished = []
    for day in range(4):
        quiz = quiz_with_questions(1)
        attempt = attempt_start(trainee=trainee, quiz=quiz, now=T0).attempt
        finished.append(
            attempt_finish(attempt=attempt, now=T0 + timedelta(days=day)).pk
        )
    attempt_start(trainee=trainee, quiz=quiz_with_questions(1), now=T0)
    found = finished_scores(trainee=trainee, limit=3)
    assert [a.pk for a in found] == finished[1:]
    assert all(isinstance(a, Attempt) and a.percent == 0 for a in found)


def test_quiz_section_ids_from_draws_and_fixed_questions():
    fixed = quiz_with_questions(2)
    drawn = QuizFactory()
    sections = [SectionFactory(), SectionFactory()]
    for section in sections:
        QuizDraw.objects.create(quiz=drawn, section=section, count=1)
    own_section = fixed.fixed.first().question.section_id
    assert quiz_section_ids(quiz_ids=[fixed.pk, drawn.pk]) == {
        fixed.pk: {own_section},
        drawn.pk: {s.pk for s in sections},
    }
