"""Per-trainee and per-group overrides of a quiz's dates, time limit and attempts.

The order (as Moodle): the trainee's own override, field by field; else the most
lenient of their groups' overrides; else the quiz's own setting; then the
accommodation stretches the effective limit; the deadline never passes the
effective close.
"""

import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from quizzes.choices import AttemptState, ReviewFrom
from quizzes.models import QuizOverride
from quizzes.selectors import (
    quiz_settings_for,
    quiz_standings,
    review_allowed,
    review_refusal,
)
from quizzes.services.attempts import (
    QuizUnavailable,
    attempt_deadline,
    attempt_finish,
    attempt_start,
    attempt_start_refusal,
)
from quizzes.services.overrides import quiz_override_delete, quiz_override_save
from tests.factories import (
    AccommodationFactory,
    QuestionFactory,
    QuizFactory,
    QuizOverrideFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def trainee():
    return UserFactory()


@pytest.fixture
def quiz():
    return QuizFactory(
        with_questions=[QuestionFactory()],
        opens_at=T0,
        closes_at=T0 + 24 * HOUR,
        time_limit=timedelta(minutes=30),
        attempts_allowed=1,
    )


def group_of(trainee, name):
    group = Group.objects.create(name=name)
    trainee.groups.add(group)
    return group


def group_override(quiz, group, **fields):
    return QuizOverrideFactory(quiz=quiz, trainee=None, group=group, **fields)


class TestPrecedence:
    def test_without_an_override_the_quizs_own_settings_apply(self, trainee, quiz):
        """No override: the quiz's settings, and no override named."""
        settings = quiz_settings_for(trainee=trainee, quiz=quiz)
        assert (
            settings.opens_at,
            settings.closes_at,
            settings.time_limit,
            settings.attempts_allowed,
            settings.overrides,
        ) == (T0, T0 + 24 * HOUR, timedelta(minutes=30), 1, ())

    def test_the_trainees_override_wins_over_groups_field_by_field(self, trainee, quiz):
        """The trainee's own close beats the group's later one; the time limit the
        trainee's override leaves blank comes from the group."""
        mine = QuizOverrideFactory(quiz=quiz, trainee=trainee, closes_at=T0 + 30 * HOUR)
        theirs = group_override(
            quiz,
            group_of(trainee, "Night shift"),
            closes_at=T0 + 48 * HOUR,
            time_limit=timedelta(minutes=45),
        )
        settings = quiz_settings_for(trainee=trainee, quiz=quiz)
        assert settings.closes_at == T0 + 30 * HOUR
        assert settings.time_limit == timedelta(minutes=45)
        assert settings.opens_at == T0  # the quiz's: nobody overrides it
        assert settings.overrides == (mine, theirs)

    def test_among_groups_the_most_lenient_value_wins(self, trainee, quiz):
        """Earliest open, latest close, longest limit, most attempts, each from
        whichever group gives it."""
        group_override(
            quiz,
            group_of(trainee, "A"),
            opens_at=T0 - 2 * HOUR,
            closes_at=T0 + 30 * HOUR,
            time_limit=timedelta(minutes=40),
            attempts_allowed=3,
        )
        group_override(
            quiz,
            group_of(trainee, "B"),
            opens_at=T0 - HOUR,
            closes_at=T0 + 50 * HOUR,
            time_limit=timedelta(minutes=60),
            attempts_allowed=2,
        )
        settings = quiz_settings_for(trainee=trainee, quiz=quiz)
        assert (
            settings.opens_at,
            settings.closes_at,
            settings.time_limit,
            settings.attempts_allowed,
        ) == (T0 - 2 * HOUR, T0 + 50 * HOUR, timedelta(minutes=60), 3)

    def test_unlimited_attempts_beat_any_number_among_groups(self, trainee, quiz):
        """A group's 0 (unlimited) beats another group's 5."""
        group_override(quiz, group_of(trainee, "A"), attempts_allowed=5)
        group_override(quiz, group_of(trainee, "B"), attempts_allowed=0)
        settings = quiz_settings_for(trainee=trainee, quiz=quiz)
        assert settings.attempts_allowed is None
        assert settings.attempts_left(used=40) is None

    def test_a_trainees_own_number_beats_a_groups_unlimited(self, trainee, quiz):
        """The trainee's override wins even when a group's is more lenient."""
        group_override(quiz, group_of(trainee, "A"), attempts_allowed=0)
        QuizOverrideFactory(quiz=quiz, trainee=trainee, attempts_allowed=2)
        assert quiz_settings_for(trainee=trainee, quiz=quiz).attempts_allowed == 2

    def test_a_group_override_applies_to_members_only(self, trainee, quiz):
        """A non-member of the group keeps the quiz's settings."""
        group_override(quiz, group_of(trainee, "A"), attempts_allowed=4)
        outsider = UserFactory()
        assert quiz_settings_for(trainee=trainee, quiz=quiz).attempts_allowed == 4
        assert quiz_settings_for(trainee=outsider, quiz=quiz).attempts_allowed == 1

    def test_an_override_on_another_quiz_does_not_apply(self, trainee, quiz):
        """Overrides are per quiz."""
        QuizOverrideFactory(trainee=trainee, attempts_allowed=9)
        assert quiz_settings_for(trainee=trainee, quiz=quiz).attempts_allowed == 1


class TestApplied:
    def test_an_override_reopens_a_closed_quiz_for_one_trainee(self, trainee, quiz):
        """After the quiz closes, the trainee with a later close may still start;
        another trainee is refused."""
        QuizOverrideFactory(quiz=quiz, trainee=trainee, closes_at=T0 + 48 * HOUR)
        later = T0 + 30 * HOUR
        attempt = attempt_start(trainee=trainee, quiz=quiz, now=later).attempt
        assert attempt.deadline == later + timedelta(minutes=30)
        with pytest.raises(QuizUnavailable, match="closed"):
            attempt_start(trainee=UserFactory(), quiz=quiz, now=later)

    def test_an_override_can_open_a_quiz_early_for_one_trainee(self, trainee, quiz):
        """An earlier opening lets that trainee start before the others."""
        QuizOverrideFactory(quiz=quiz, trainee=trainee, opens_at=T0 - 2 * HOUR)
        settings = quiz_settings_for(trainee=trainee, quiz=quiz)
        assert (
            attempt_start_refusal(settings=settings, attempts_used=0, now=T0 - HOUR)
            is None
        )
        other = quiz_settings_for(trainee=UserFactory(), quiz=quiz)
        assert "opens at 2026-03-01 09:00 UTC" in attempt_start_refusal(
            settings=other, attempts_used=0, now=T0 - HOUR
        )

    def test_extra_attempts_allow_another_start(self, trainee, quiz):
        """With 3 attempts instead of 1, a second attempt starts; the quiz page
        counts 2 left after the first."""
        QuizOverrideFactory(quiz=quiz, trainee=trainee, attempts_allowed=3)
        first = attempt_start(trainee=trainee, quiz=quiz, now=T0).attempt
        attempt_finish(attempt=first, now=T0 + HOUR / 4)
        (standing,) = quiz_standings(trainee=trainee, now=T0 + HOUR)
        assert (standing.attempts_left, standing.settings.attempts_allowed) == (2, 3)
        second = attempt_start(trainee=trainee, quiz=quiz, now=T0 + HOUR)
        assert second.created and second.attempt.number == 2

    def test_the_quizs_own_attempt_limit_still_binds_others(self, trainee, quiz):
        """Another trainee, with no override, has used their one attempt."""
        QuizOverrideFactory(quiz=quiz, trainee=trainee, attempts_allowed=3)
        other = UserFactory()
        attempt_finish(
            attempt=attempt_start(trainee=other, quiz=quiz, now=T0).attempt,
            now=T0 + HOUR / 4,
        )
        with pytest.raises(QuizUnavailable, match="used all 1 attempt"):
            attempt_start(trainee=other, quiz=quiz, now=T0 + HOUR)

    def test_a_longer_limit_is_then_stretched_by_the_accommodation(self, trainee, quiz):
        """40 minutes by override, × 1.5 and + 5 minutes of accommodation: 65."""
        QuizOverrideFactory(
            quiz=quiz, trainee=trainee, time_limit=timedelta(minutes=40)
        )
        AccommodationFactory(
            trainee=trainee, time_factor=Decimal("1.50"), extra_minutes=5
        )
        deadline = attempt_deadline(trainee=trainee, quiz=quiz, started_at=T0)
        assert deadline == T0 + timedelta(minutes=65)

    def test_the_effective_close_clamps_the_deadline(self, trainee, quiz):
        """A 3-hour limit started 1 hour before the trainee's own close ends at it."""
        QuizOverrideFactory(
            quiz=quiz,
            trainee=trainee,
            closes_at=T0 + 30 * HOUR,
            time_limit=timedelta(hours=3),
        )
        start = T0 + 29 * HOUR
        attempt = attempt_start(trainee=trainee, quiz=quiz, now=start).attempt
        assert attempt.deadline == T0 + 30 * HOUR

    def test_a_group_override_gives_its_members_more_time(self, trainee, quiz):
        """A member of a group with 60 minutes gets a 60-minute deadline."""
        group_override(quiz, group_of(trainee, "ESL"), time_limit=timedelta(minutes=60))
        attempt = attempt_start(trainee=trainee, quiz=quiz, now=T0).attempt
        assert attempt.deadline == T0 + HOUR
        other = attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt
        assert other.deadline == T0 + timedelta(minutes=30)

    def test_review_after_close_waits_for_the_trainees_own_close(self, trainee, quiz):
        """With a later close of their own, the trainee's review (the key) stays
        closed until that close, while others' opens at the quiz's close."""
        quiz.review_from = ReviewFrom.AFTER_CLOSE
        quiz.save()
        QuizOverrideFactory(quiz=quiz, trainee=trainee, closes_at=T0 + 48 * HOUR)
        mine = attempt_finish(
            attempt=attempt_start(trainee=trainee, quiz=quiz, now=T0).attempt,
            now=T0 + HOUR / 4,
        )
        other = UserFactory()
        theirs = attempt_finish(
            attempt=attempt_start(trainee=other, quiz=quiz, now=T0).attempt,
            now=T0 + HOUR / 4,
        )
        between = T0 + 30 * HOUR
        assert review_allowed(attempt=theirs, now=between)
        assert not review_allowed(attempt=mine, now=between)
        assert "02 March 2026" not in review_refusal(attempt=mine, now=between)
        assert "03 March 2026 at 09:00" in review_refusal(attempt=mine, now=between)
        assert review_allowed(attempt=mine, now=T0 + 48 * HOUR)
        assert mine.state == AttemptState.FINISHED


class TestRecorded:
    def test_saving_records_who_and_logs_why(self, trainee, quiz, caplog):
        """created_by/updated_by come from the service; the log says what and why;
        each version is kept in the history."""
        author, editor = UserFactory(username="ida"), UserFactory(username="ben")
        override = QuizOverride(
            quiz=quiz, trainee=trainee, attempts_allowed=2, reason="Sick on the day"
        )
        with caplog.at_level(logging.INFO, logger="quizzes.services.overrides"):
            quiz_override_save(override=override, by=author)
            override.closes_at = T0 + 48 * HOUR
            quiz_override_save(override=override, by=editor)
        override.refresh_from_db()
        assert (override.created_by, override.updated_by) == (author, editor)
        assert "created by ida" in caplog.text
        assert "changed by ben" in caplog.text
        assert "2 attempts" in caplog.text and "Sick on the day" in caplog.text
        assert [h.history_user for h in override.history.order_by("history_id")] == [
            author,
            editor,
        ]
        pk = override.pk
        quiz_override_delete(override=override, by=editor)
        deleted = QuizOverride.history.filter(id=pk).latest("history_id")
        assert (deleted.history_type, deleted.history_user) == ("-", editor)

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"group": "both"}, "either one trainee or one group"),
            ({"trainee": None}, "either one trainee or one group"),
            ({"attempts_allowed": None}, "changes nothing"),
            ({"reason": ""}, "This field cannot be blank"),
            (
                {"opens_at": T0 + 25 * HOUR},
                "must come after the opening",
            ),
        ],
    )
    def test_an_invalid_override_is_refused_saying_why(
        self, trainee, quiz, fields, message
    ):
        """Both or neither of trainee and group, nothing changed, no reason, or an
        opening after the (quiz's) close are refused before any write."""
        values = {
            "quiz": quiz,
            "trainee": trainee,
            "attempts_allowed": 2,
            "reason": "Resit",
        } | fields
        if values.get("group") == "both":
            values["group"] = Group.objects.create(name="Both")
        with pytest.raises(ValidationError, match=message):
            quiz_override_save(override=QuizOverride(**values), by=trainee)
        assert not QuizOverride.objects.exists()

    def test_the_database_refuses_a_second_override_for_one_trainee(
        self, trainee, quiz
    ):
        """One override per (quiz, trainee): the constraint holds without forms."""
        QuizOverrideFactory(quiz=quiz, trainee=trainee, attempts_allowed=2)
        with pytest.raises(IntegrityError):
            QuizOverrideFactory(quiz=quiz, trainee=trainee, attempts_allowed=3)


@pytest.mark.parametrize(
    "fields",
    [
        {"group": "both", "attempts_allowed": 2},
        {"trainee": None, "attempts_allowed": 2},
        {},
        {"time_limit": timedelta(0)},
        {"opens_at": T0 + HOUR, "closes_at": T0},
        {"attempts_allowed": 2, "reason": ""},
    ],
    ids=["both", "neither", "nothing", "zero-limit", "closes-first", "no-reason"],
)
def test_the_database_refuses_a_broken_override(quiz, trainee, fields):
    """The table's constraints hold the rules even without a form or the service."""
    if fields.get("group") == "both":
        fields["group"] = Group.objects.create(name="Both")
    with pytest.raises(IntegrityError):
        QuizOverride.objects.create(
            **({"quiz": quiz, "trainee": trainee, "reason": "x"} | fields)
        )
