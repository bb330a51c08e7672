"""Signals the quizzes app sends for other apps to follow, without importing them.

``grade_changed`` tells that a trainee's grade for a quiz may have changed: an
attempt was finished (submitted, or closed by the clock: by the scheduler, on read
or by an instructor: every path goes through ``attempt_finish``), or a regrade
changed attempts' scores. The LMS app (``quizzes.lti``) connects a receiver that
posts the new grade to the gradebook; the quizzes app never imports it.

It is sent once the transaction that stored the score commits (a rolled-back
finish sends nothing, and a receiver reads the committed score), robustly: a
failing receiver is logged, never raised into the trainee's submit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent with ``pairs``: a frozenset of (trainee_id, quiz_id) whose grade may have
# changed, and ``reason``: "finished" or "regraded".
grade_changed = Signal()


def grade_changed_on_commit(*, pairs: Iterable[tuple[int, int]], reason: str) -> None:
    """Send ``grade_changed`` for ``pairs`` when the current transaction commits
    (at once outside one); nothing for no pairs."""
    pairs = frozenset(pairs)
    if not pairs:
        return
    transaction.on_commit(lambda: _send(pairs, reason))


def _send(pairs: frozenset[tuple[int, int]], reason: str) -> None:
    for receiver, result in grade_changed.send_robust(
        sender=None, pairs=pairs, reason=reason
    ):
        if isinstance(result, Exception):
            logger.error(
                "grade_changed receiver %r failed for %s pair(s)",
                receiver,
                len(pairs),
                exc_info=result,
            )
