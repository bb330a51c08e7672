"""Prepared attempts: drawn ahead of a scheduled exam, started with one UPDATE."""

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from quizzes.choices import AttemptState
from quizzes.models import Answer, Attempt, QuizDraw
from quizzes.selectors import quiz_settings_for
from quizzes.services.attempts import (
    PrepareReport,
    QuizUnavailable,
    _prepared_start,
    attempt_finish,
    attempt_start,
    attempts_prepare,
    quiz_roster,
)
from tests.factories import (
    AccommodationFactory,
    QuestionFactory,
    QuizFactory,
    QuizOverrideFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
OPENS = T0 + timedelta(hours=1)


@pytest.fixture
def section():
    return SectionFactory()


@pytest.fixture
def quiz(section):
    """An exam opening at ``OPENS`` that draws 5 of 12 questions, shuffled."""
    quiz = QuizFactory(opens_at=OPENS, shuffle_questions=True, shuffle_choices=True)
    for _ in range(12):
        QuestionFactory(section=section)
    QuizDraw.objects.create(quiz=quiz, section=section, count=5)
    return quiz


def prepare(quiz, trainees, **kwargs):
    return attempts_prepare(
        quiz=quiz, trainees=trainees, now=T0, rng=random.Random(7), **kwargs
    )


class TestPrepare:
    def test_each_trainee_gets_a_prepared_attempt_without_a_clock(self, quiz):
        trainees = UserFactory.create_batch(3)
        report = prepare(quiz, trainees)
        assert report == PrepareReport(created=3)
        attempts = Attempt.objects.filter(quiz=quiz)
        assert attempts.count() == 3
        for attempt in attempts:
            assert attempt.state == AttemptState.PREPARED
            assert attempt.started_at is None and attempt.deadline is None
            assert attempt.number == 1
            answers = list(attempt.answers.all())
            assert len(answers) == 5
            for answer in answers:
                assert answer.question_version_id
                assert sorted(answer.choice_order) == sorted(
                    answer.question.choices.values_list("pk", flat=True)
                )
                assert (answer.choice_ids, answer.flagged, answer.seq) == ([], False, 0)

    def test_draws_and_orders_are_per_trainee(self, quiz):
        """Each trainee gets their own draw, as if each had pressed Start."""
        prepare(quiz, UserFactory.create_batch(6))
        layouts = {
            tuple(a.answers.values_list("question_id", flat=True))
            for a in Attempt.objects.filter(quiz=quiz)
        }
        assert len(layouts) > 1

    def test_preparing_again_changes_nothing(self, quiz):
        """Idempotent: prepared and started trainees are counted, not prepared twice."""
        prepared, started, new = UserFactory(), UserFactory(), UserFactory()
        prepare(quiz, [prepared])
        attempt_start(trainee=started, quiz=quiz, now=OPENS)
        answers = Answer.objects.count()
        report = prepare(quiz, [prepared, started, new])
        assert report == PrepareReport(created=1, already_prepared=1, already_started=1)
        assert report.trainee_ids == (new.pk,)
        assert Answer.objects.count() == answers + 5
        assert Attempt.objects.filter(state=AttemptState.PREPARED).count() == 2

    def test_trainees_without_attempts_left_are_skipped(self, quiz):
        """The limit counts started attempts, with the trainee's own overrides."""
        quiz.attempts_allowed = 1
        quiz.save()
        done, resit = UserFactory(), UserFactory()
        for trainee in (done, resit):
            attempt = attempt_start(trainee=trainee, quiz=quiz, now=OPENS).attempt
            attempt_finish(attempt=attempt, now=OPENS + timedelta(minutes=1))
        QuizOverrideFactory(quiz=quiz, trainee=resit, attempts_allowed=2)
        report = prepare(quiz, [done, resit])
        assert report == PrepareReport(created=1, no_attempts_left=1)
        assert Attempt.objects.get(trainee=resit, state="prepared").number == 2

    def test_a_group_override_applies_to_its_members(self, quiz):
        quiz.attempts_allowed = 1
        quiz.save()
        group = Group.objects.create(name="Resits")
        trainee = UserFactory()
        trainee.groups.add(group)
        attempt = attempt_start(trainee=trainee, quiz=quiz, now=OPENS).attempt
        attempt_finish(attempt=attempt, now=OPENS + timedelta(minutes=1))
        QuizOverrideFactory(quiz=quiz, trainee=None, group=group, attempts_allowed=2)
        assert prepare(quiz, [trainee]).created == 1

    def test_dry_run_counts_and_writes_nothing(self, quiz):
        report = prepare(quiz, UserFactory.create_batch(2), dry_run=True)
        assert report.created == 2
        assert not Attempt.objects.exists()

    def test_query_count_does_not_grow_with_the_roster(
        self, quiz, django_assert_max_num_queries
    ):
        """In bulk: per batch, the trainees' attempts, their groups, two inserts."""
        few, many = UserFactory.create_batch(2), UserFactory.create_batch(40)
        with CaptureQueriesContext(connection) as small:
            prepare(quiz, few)
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert prepare(quiz, many).created == 40

    def test_progress_is_reported_per_batch(self, quiz, monkeypatch):
        monkeypatch.setattr("quizzes.services.attempts.PREPARE_BATCH", 2)
        seen = []
        prepare(quiz, UserFactory.create_batch(5), progress=seen.append)
        assert [r.created for r in seen] == [2, 4, 5]

    def test_a_personal_test_cannot_be_prepared(self, section):
        owner = UserFactory()
        quiz = QuizFactory(owner=owner, with_questions=[QuestionFactory()])
        with pytest.raises(QuizUnavailable, match="personal test"):
            prepare(quiz, [owner])

    def test_a_quiz_without_questions_cannot_be_prepared(self):
        with pytest.raises(QuizUnavailable, match="no published questions"):
            prepare(QuizFactory(), [UserFactory()])

    def test_the_roster_is_active_trainees_or_a_group(self):
        group = Group.objects.create(name="Cohort A")
        member, other = UserFactory(), UserFactory()
        member.groups.add(group)
        UserFactory(is_active=False)
        UserFactory(is_staff=True)
        quiz = QuizFactory()
        assert list(quiz_roster(quiz=quiz)) == [member, other]
        assert list(quiz_roster(quiz=quiz, group=group)) == [member]


class TestModelConstraints:
    def test_a_prepared_attempt_has_no_clock_and_no_score(self, quiz):
        trainee = UserFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Attempt.objects.create(
                trainee=trainee, quiz=quiz, number=1, state="prepared", started_at=T0
            )

    def test_a_started_attempt_has_a_start(self, quiz):
        with pytest.raises(IntegrityError), transaction.atomic():
            Attempt.objects.create(trainee=UserFactory(), quiz=quiz, number=1)

    def test_one_prepared_attempt_per_trainee_and_quiz(self, quiz):
        trainee = UserFactory()
        Attempt.objects.create(trainee=trainee, quiz=quiz, number=1, state="prepared")
        with pytest.raises(IntegrityError), transaction.atomic():
            Attempt.objects.create(
                trainee=trainee, quiz=quiz, number=2, state="prepared"
            )


class TestStartPrepared:
    def test_start_takes_the_prepared_attempt_and_starts_its_clock(self, quiz):
        trainee = UserFactory()
        AccommodationFactory(trainee=trainee, time_factor=Decimal("1.5"))
        prepare(quiz, [trainee])
        prepared = Attempt.objects.get(trainee=trainee)
        frozen = list(prepared.answers.values_list("question_id", "choice_order"))
        result = attempt_start(trainee=trainee, quiz=quiz, now=OPENS)
        assert result.created and result.attempt.pk == prepared.pk
        prepared.refresh_from_db()
        assert prepared.state == AttemptState.IN_PROGRESS
        assert prepared.started_at == OPENS
        assert prepared.deadline == OPENS + timedelta(minutes=15)
        assert (
            list(prepared.answers.values_list("question_id", "choice_order")) == frozen
        )
        again = attempt_start(trainee=trainee, quiz=quiz, now=OPENS)
        assert not again.created and again.attempt.pk == prepared.pk

    def test_starting_a_prepared_attempt_is_one_update(self, quiz):
        """Four reads (the trainee's open attempts, their overrides, their
        accommodation on the quiz, then in general) and one conditional UPDATE:
        no draw, no insert, no transaction."""
        trainee = UserFactory()
        prepare(quiz, [trainee])
        with CaptureQueriesContext(connection) as ctx:
            attempt_start(trainee=trainee, quiz=quiz, now=OPENS)
        sql = [q["sql"] for q in ctx.captured_queries]
        tables = ["attempt", "quizoverride", "accommodation", "accommodation"]
        assert len(sql) == 5
        for statement, table in zip(sql[:4], tables, strict=True):
            assert statement.startswith("SELECT") and f"quizzes_{table}" in statement
        update = sql[4]
        assert update.startswith('UPDATE "quizzes_attempt"')
        assert "'prepared'" in update
        assert '"quizzes_attempt"."id" =' in update

    def test_a_prepared_attempt_is_not_started_before_the_opening(self, quiz):
        trainee = UserFactory()
        prepare(quiz, [trainee])
        with pytest.raises(QuizUnavailable, match="opens at"):
            attempt_start(trainee=trainee, quiz=quiz, now=T0)
        assert Attempt.objects.get(trainee=trainee).state == AttemptState.PREPARED

    def test_a_prepared_attempt_does_not_use_up_the_attempts_allowed(self, quiz):
        """One attempt allowed, one prepared: the trainee may still start it."""
        quiz.attempts_allowed = 1
        quiz.save()
        trainee = UserFactory()
        prepare(quiz, [trainee])
        attempt = attempt_start(trainee=trainee, quiz=quiz, now=OPENS).attempt
        assert attempt.number == 1
        attempt_finish(attempt=attempt, now=OPENS + timedelta(minutes=1))
        with pytest.raises(QuizUnavailable, match="used all 1"):
            attempt_start(trainee=trainee, quiz=quiz, now=OPENS + timedelta(minutes=2))

    def test_an_unprepared_trainee_starts_the_normal_way(self, quiz):
        prepare(quiz, [UserFactory()])
        result = attempt_start(trainee=UserFactory(), quiz=quiz, now=OPENS)
        assert result.created and result.attempt.answers.count() == 5

    def test_a_start_taken_by_a_concurrent_start_returns_that_attempt(self, quiz):
        """The UPDATE's WHERE state='prepared' is the claim: a start that finds the
        row already taken hands back the attempt in progress, not a second one."""
        trainee = UserFactory()
        prepare(quiz, [trainee])
        prepared = Attempt.objects.get(trainee=trainee)
        first = attempt_start(trainee=trainee, quiz=quiz, now=OPENS)
        # The second start read the row while it was still prepared.
        settings = quiz_settings_for(trainee=trainee, quiz=quiz)
        prepared.trainee, prepared.quiz = trainee, quiz
        second = _prepared_start(prepared, settings=settings, now=OPENS)
        assert not second.created and second.attempt.pk == first.attempt.pk
        assert Attempt.objects.filter(trainee=trainee).count() == 1


def test_a_prepared_answer_row_holds_what_a_started_one_holds(quiz):
    """The prepare writes its answers with raw SQL: a column added to Answer later
    (as ``struck`` was) must get the value a normal start gives it."""
    prepared_by, started_by = UserFactory(), UserFactory()
    prepare(quiz, [prepared_by])
    attempt_start(trainee=started_by, quiz=quiz, now=OPENS, rng=random.Random(7))
    per_attempt = {"id", "attempt", "question", "question_version", "position"}
    per_attempt |= {"choice_order"}  # shuffled per trainee
    fields = [
        f.name
        for f in Answer._meta.concrete_fields
        if f.name not in per_attempt and not f.null
    ]

    def values(trainee):
        return list(
            Answer.objects.filter(attempt__trainee=trainee)
            .order_by("position")
            .values(*fields)
        )

    assert values(prepared_by) == values(started_by)
