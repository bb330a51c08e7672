"""When the result believes the page's ``?auto=1``: a submit at the deadline only."""

from datetime import timedelta

import pytest

from quizzes.choices import AttemptState
from quizzes.models.attempts import AUTO_SUBMIT_SLACK
from tests.admin.factories import T0, AttemptFactory

DEADLINE = T0 + timedelta(minutes=10)


@pytest.mark.parametrize(
    ("state", "deadline", "finished_at", "believed"),
    [
        (AttemptState.FINISHED, DEADLINE, DEADLINE, True),
        (AttemptState.FINISHED, DEADLINE, DEADLINE - AUTO_SUBMIT_SLACK, True),
        (
            AttemptState.FINISHED,
            DEADLINE,
            DEADLINE - AUTO_SUBMIT_SLACK - timedelta(microseconds=1),
            False,
        ),
        (AttemptState.FINISHED, None, DEADLINE, False),  # untimed: no zero to reach
        (AttemptState.EXPIRED, DEADLINE, DEADLINE, False),  # the clock closed it
    ],
    ids=["at-zero", "edge-of-slack", "before-slack", "untimed", "expired"],
)
def test_an_attempt_was_submitted_at_its_deadline_only_within_the_slack(
    state, deadline, finished_at, believed
):
    """Finished (by a submit) no earlier than ``AUTO_SUBMIT_SLACK`` before a
    deadline: the page's word that it submitted by itself at 00:00 is believed."""
    attempt = AttemptFactory.build(
        state=state, deadline=deadline, finished_at=finished_at
    )
    assert attempt.submitted_at_deadline is believed
