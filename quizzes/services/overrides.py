"""Quiz overrides: one trainee's or one group's own dates, time limit or attempts.

Who created and last changed an override is set here, never in a form: the admin
calls these functions. Every version is kept by django-simple-history, and each
change is logged with its reason.
"""

from __future__ import annotations

import logging

from django.db import transaction

from quizzes.models import QuizOverride

logger = logging.getLogger(__name__)


def quiz_override_save(*, override: QuizOverride, by) -> QuizOverride:
    """Create or change ``override`` on behalf of ``by``, validated and logged.

    Raises ``ValidationError`` for an override that breaks a rule of the model
    (both or neither of trainee and group, nothing changed, close before opening).
    """
    creating = override._state.adding
    override.full_clean()
    if creating:
        override.created_by = by
    override.updated_by = by
    # simple-history takes the request's user from its middleware; outside a
    # request (a command, a test) this names who made the change.
    override._history_user = by
    with transaction.atomic():
        override.save()
    logger.info(
        "quiz override %s %s by %s: %s for %s: %s (reason: %s)",
        override.pk,
        "created" if creating else "changed",
        getattr(by, "username", by),
        override.quiz.slug,
        override.who,
        ", ".join(override.changes()),
        override.reason,
    )
    return override


def quiz_override_delete(*, override: QuizOverride, by) -> None:
    """Delete ``override`` on behalf of ``by`` (its history keeps the deletion)."""
    pk, quiz, who = override.pk, override.quiz.slug, override.who
    override._history_user = by
    override.delete()
    logger.info(
        "quiz override %s deleted by %s: %s for %s",
        pk,
        getattr(by, "username", by),
        quiz,
        who,
    )
