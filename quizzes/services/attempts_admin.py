"""What an instructor may do to trainees' attempts: more time, or close one now.

Scoring stays in ``services.attempts``: closing an expired attempt calls
``attempt_finish`` (through ``attempt_expire_if_due``), exactly as the trainee's next
request or ``close_expired_attempts`` would.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction

from quizzes.choices import AttemptState
from quizzes.models import Attempt, DeadlineExtension
from quizzes.selectors import quiz_settings_for
from quizzes.services.attempts import attempt_expire_if_due

logger = logging.getLogger(__name__)

MAX_EXTENSION_MINUTES = 24 * 60


class DeadlineNotExtended(ValueError):
    """The extension was refused; ``str()`` says why, for the instructor."""


def attempt_deadline_extend(
    *, attempt: Attempt, by, minutes: int, reason: str, now: datetime
) -> DeadlineExtension:
    """Move an in-progress attempt's deadline later, and log who did it and why.

    Refused for a finished or untimed attempt, for one already past its deadline
    (plus the grace: the clock has closed it, even if nobody has touched it yet), and
    for a new deadline past the trainee's close (the quiz's, or their override's:
    after it, reviews may show the keys). The attempt row is locked, so a submit or
    a second extension waits.
    """
    reason = reason.strip()
    if not reason:
        raise DeadlineNotExtended("Say why the deadline is extended.")
    if not 1 <= minutes <= MAX_EXTENSION_MINUTES:
        raise DeadlineNotExtended(
            f"Extend by 1 to {MAX_EXTENSION_MINUTES} minutes, not {minutes}."
        )
    with transaction.atomic():
        locked = (
            # of=("self",): lock the attempt only, not the quiz row that every
            # trainee's autosave of the exam also needs.
            Attempt.objects.select_for_update(of=("self",))
            .select_related("quiz", "trainee")
            .get(pk=attempt.pk)
        )
        if locked.state != AttemptState.IN_PROGRESS:
            raise DeadlineNotExtended(
                f"Attempt {locked.number} of {locked.trainee} on “{locked.quiz}” is "
                "finished; only an attempt in progress can get more time."
            )
        if locked.deadline is None:
            raise DeadlineNotExtended(
                f"“{locked.quiz}” is untimed: the attempt has no deadline to extend."
            )
        if locked.is_past_deadline(now):
            raise DeadlineNotExtended(
                f"The deadline ({locked.deadline:%Y-%m-%d %H:%M} UTC) has passed: the "
                "clock has closed this attempt. Finish it instead."
            )
        new_deadline = locked.deadline + timedelta(minutes=minutes)
        closes_at = quiz_settings_for(
            trainee=locked.trainee, quiz=locked.quiz
        ).closes_at
        if closes_at and new_deadline > closes_at:
            room = int((closes_at - locked.deadline).total_seconds() // 60)
            raise DeadlineNotExtended(
                f"“{locked.quiz}” closes at {closes_at:%Y-%m-%d %H:%M} UTC for "
                f"{locked.trainee}: the deadline can move by at most {room} "
                "minute(s). Move the close (the quiz's, or an override for this "
                "trainee) first if more time is needed."
            )
        extension = DeadlineExtension.objects.create(
            attempt=locked,
            extended_by=by,
            extended_at=now,
            reason=reason,
            old_deadline=locked.deadline,
            new_deadline=new_deadline,
        )
        locked.deadline = new_deadline
        locked.save(update_fields=["deadline"])
    logger.info(
        "attempt %s deadline extended by %s min by %s: %s",
        locked.pk,
        minutes,
        by.pk,
        reason,
    )
    attempt.deadline = new_deadline
    return extension


@dataclass
class FinishExpired:
    """Which attempts were closed now, and which were left alone (and why)."""

    finished: list[Attempt] = field(default_factory=list)
    not_due: list[Attempt] = field(default_factory=list)
    already_finished: list[Attempt] = field(default_factory=list)


def attempts_finish_expired(*, attempts, now: datetime) -> FinishExpired:
    """Close now each in-progress attempt whose deadline (plus the grace) has passed.

    Each is scored by ``attempt_finish`` with the answers saved before its deadline
    and recorded as finished at its deadline. Attempts still running are not touched:
    an instructor cannot cut a trainee's time short.
    """
    result = FinishExpired()
    for attempt in attempts:
        if attempt.state != AttemptState.IN_PROGRESS:
            result.already_finished.append(attempt)
            continue
        closed = attempt_expire_if_due(attempt=attempt, now=now)
        if closed.state == AttemptState.IN_PROGRESS:
            result.not_due.append(attempt)
        else:
            result.finished.append(closed)
    return result
