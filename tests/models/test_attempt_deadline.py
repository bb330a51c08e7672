"""One rule for "past the deadline": the attempt's method and the queryset agree."""

from datetime import timedelta

import pytest

from quizzes.choices import AttemptState
from quizzes.models import Attempt
from quizzes.models.attempts import GRACE, OVERDUE
from tests.admin.factories import T0, AttemptFactory, InProgressAttemptFactory

pytestmark = pytest.mark.django_db
DEADLINE = T0 + timedelta(minutes=10)


@pytest.mark.parametrize(
    ("now", "past"),
    [
        (DEADLINE, False),
        (DEADLINE + GRACE, False),
        (DEADLINE + GRACE + timedelta(microseconds=1), True),
    ],
)
def test_an_attempt_is_past_its_deadline_only_after_the_grace(now, past):
    """The method on one row and the filter on many give the same answer, to the
    microsecond at the edge of the grace."""
    attempt = InProgressAttemptFactory(started_at=T0)
    assert attempt.is_past_deadline(now) is past
    assert Attempt.objects.past_deadline(now).exists() is past
    assert Attempt.objects.overdue(now).exists() is past
    assert Attempt.objects.with_time_left(now).exists() is not past


def test_an_untimed_attempt_is_never_past_its_deadline():
    attempt = InProgressAttemptFactory(deadline=None)
    later = T0 + timedelta(days=365)
    assert not attempt.is_past_deadline(later)
    assert list(Attempt.objects.with_time_left(later)) == [attempt]
    assert not Attempt.objects.past_deadline(later).exists()


def test_an_overdue_attempt_is_annotated_as_such_and_a_finished_one_as_stored():
    overdue = InProgressAttemptFactory(started_at=T0)
    finished = AttemptFactory(started_at=T0)
    later = DEADLINE + timedelta(hours=1)
    states = dict(
        Attempt.objects.with_state_as_of(later).values_list("pk", "state_now")
    )
    assert states == {overdue.pk: OVERDUE, finished.pk: AttemptState.FINISHED}
    assert overdue.is_overdue(later) and not finished.is_overdue(later)
    assert set(Attempt.objects.expired_as_of(later)) == {overdue}
