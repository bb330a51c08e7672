"""Numbered saves: a late replay never overwrites a newer answer, and a change that
arrives after the time is up is refused and kept for the trainee's result."""

from datetime import timedelta

import pytest

from quizzes.choices import AttemptState
from quizzes.models import Answer, LateAnswer
from quizzes.services.attempts import (
    GRACE,
    AttemptClosed,
    answer_save,
    attempt_finish,
)
from tests.services.two_questions import T0, attempt_at, two_questions

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions():
    return two_questions()


@pytest.fixture
def attempt(questions):
    return attempt_at(questions)


def ids(question):
    return [c.pk for c in question.choices.all()]


def save(attempt, question, choice_ids, *, seq=None, flagged=None, now=T0):
    return answer_save(
        attempt=attempt,
        question_id=question.pk,
        choice_ids=choice_ids,
        flagged=flagged,
        now=now,
        seq=seq,
    )


def stored(attempt, question) -> Answer:
    return Answer.objects.get(attempt=attempt, question=question)


class TestSequence:
    def test_newer_numbered_change_is_applied_and_its_number_kept(
        self, attempt, questions
    ):
        """A change numbered above the stored one is saved, with its number."""
        q = questions[0]
        saved = save(attempt, q, ids(q)[:1], seq=1, flagged=True)
        assert saved.applied and saved.answer.seq == 1
        answer = stored(attempt, q)
        assert (answer.choice_ids, answer.flagged, answer.seq) == (ids(q)[:1], True, 1)

    def test_older_replay_is_ignored_and_says_so(self, attempt, questions):
        """An older change replayed after a newer one leaves the newer answer, and
        the result says it was not applied, with the number stored."""
        q = questions[0]
        save(attempt, q, ids(q)[1:2], seq=5)
        replay = save(attempt, q, ids(q)[:1], seq=3, flagged=True, now=T0 + GRACE)
        assert not replay.applied
        assert replay.answer.seq == 5
        answer = stored(attempt, q)
        assert (answer.choice_ids, answer.flagged, answer.seq) == (
            ids(q)[1:2],
            False,
            5,
        )
        assert answer.saved_at == T0

    def test_equal_number_is_a_replay_and_is_ignored(self, attempt, questions):
        """The same change sent twice (the first reply was lost) is stored once."""
        q = questions[0]
        save(attempt, q, ids(q)[:1], seq=2)
        again = save(attempt, q, ids(q)[1:2], seq=2, now=T0 + timedelta(seconds=5))
        assert not again.applied
        assert stored(attempt, q).choice_ids == ids(q)[:1]

    def test_two_tabs_interleaved_keep_the_last_change_per_question(
        self, attempt, questions
    ):
        """Two tabs number from one counter; their saves arrive out of order, and
        each question keeps its highest-numbered change."""
        first, second = questions
        arrivals = [
            (first, ids(first)[:1], 1),  # tab A
            (second, ids(second)[:2], 2),  # tab B
            (first, ids(first)[2:3], 4),  # tab B, newer
            (first, ids(first)[1:2], 3),  # tab A's replay, arriving last
            (second, ids(second)[:1], 1),  # a stale change of tab A
        ]
        applied = [save(attempt, q, c, seq=n).applied for q, c, n in arrivals]
        assert applied == [True, True, True, False, False]
        assert (stored(attempt, first).choice_ids, stored(attempt, first).seq) == (
            ids(first)[2:3],
            4,
        )
        assert stored(attempt, second).choice_ids == ids(second)[:2]

    def test_unnumbered_save_applies_as_before_and_keeps_the_number(
        self, attempt, questions
    ):
        """The no-JS form and old clients send no number: the save applies (even
        after a numbered one) and the stored number stays for the page."""
        q = questions[0]
        save(attempt, q, ids(q)[:1], seq=7)
        saved = save(attempt, q, ids(q)[1:2])
        assert saved.applied
        answer = stored(attempt, q)
        assert (answer.choice_ids, answer.seq) == (ids(q)[1:2], 7)


class TestLateChanges:
    def late(self, attempt):
        return attempt.deadline + GRACE + timedelta(seconds=1)

    def test_late_change_is_refused_and_recorded(self, attempt, questions):
        """After the deadline plus the grace, a change is refused as today, and is
        kept with its choices (in display order), flag, number and arrival."""
        q = questions[1]
        chosen = list(reversed(ids(q)[:2]))
        with pytest.raises(AttemptClosed, match="Time is up"):
            save(attempt, q, chosen, seq=3, flagged=True, now=self.late(attempt))
        late = LateAnswer.objects.get()
        assert (late.attempt_id, late.question_id, late.seq, late.flagged) == (
            attempt.pk,
            q.pk,
            3,
            True,
        )
        assert late.choice_ids == ids(q)[:2]
        assert late.received_at == self.late(attempt)
        assert stored(attempt, q).choice_ids == []
        attempt.refresh_from_db()
        assert attempt.state == AttemptState.EXPIRED

    def test_replayed_late_change_is_recorded_once(self, attempt, questions):
        """The page replays its queue again after a refusal: the same numbered
        change is refused each time and listed once."""
        q = questions[0]
        for minutes in (0, 1, 2):
            with pytest.raises(AttemptClosed):
                save(
                    attempt,
                    q,
                    ids(q)[:1],
                    seq=4,
                    now=self.late(attempt) + timedelta(minutes=minutes),
                )
        assert LateAnswer.objects.count() == 1

    def test_replay_of_a_change_already_saved_is_not_listed_late(
        self, attempt, questions
    ):
        """A replay, after the time is up, of a change saved in time is old news,
        not a lost answer."""
        q = questions[0]
        save(attempt, q, ids(q)[:1], seq=2)
        with pytest.raises(AttemptClosed):
            save(attempt, q, ids(q)[:1], seq=2, now=self.late(attempt))
        assert not LateAnswer.objects.exists()

    def test_change_within_the_grace_is_saved_not_listed(self, attempt, questions):
        q = questions[0]
        save(attempt, q, ids(q)[:1], seq=1, now=attempt.deadline + GRACE)
        assert stored(attempt, q).choice_ids == ids(q)[:1]
        assert not LateAnswer.objects.exists()

    def test_change_to_an_attempt_submitted_in_time_is_not_listed(
        self, attempt, questions
    ):
        """Before the deadline a submitted attempt refuses changes as finished:
        the time was not up, so nothing is listed as late."""
        attempt_finish(attempt=attempt, now=T0 + timedelta(minutes=1))
        q = questions[0]
        with pytest.raises(AttemptClosed, match="finished"):
            save(attempt, q, ids(q)[:1], seq=1, now=T0 + timedelta(minutes=2))
        assert not LateAnswer.objects.exists()
