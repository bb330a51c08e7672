"""A trainee's effective quiz settings: the quiz's own, changed by overrides.

Pure code over loaded rows (no query here): ``selectors.quiz_settings_for`` fetches
the overrides and calls ``quiz_settings_combine``. The order is Moodle's, and the
``QuizOverride`` docstring states it for instructors:

1. the trainee's own override wins, field by field;
2. else, among the overrides of the trainee's groups that set a field, the most
   lenient value: the earliest open, the latest close, the longest time limit, the
   most attempts (0, unlimited, beats any number);
3. else the quiz's own setting.

The accommodation then applies to the effective time limit, and the deadline never
passes the effective close (``services.attempts.attempt_deadline``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

FIELDS = ("opens_at", "closes_at", "time_limit", "attempts_allowed")


@dataclass(frozen=True)
class QuizSettings:
    """What applies to one trainee on one quiz, and which overrides changed it.

    ``attempts_allowed`` None means unlimited, as on the quiz; ``overrides`` are the
    overrides whose values won (the trainee's first), empty for the quiz's own.
    """

    opens_at: datetime | None
    closes_at: datetime | None
    time_limit: timedelta | None
    attempts_allowed: int | None
    overrides: tuple = ()

    def is_open(self, now: datetime) -> bool:
        """Whether an attempt may be started at ``now``."""
        if self.opens_at and now < self.opens_at:
            return False
        return not (self.closes_at and now >= self.closes_at)

    def attempts_left(self, used: int) -> int | None:
        """How many more attempts; None when unlimited."""
        if self.attempts_allowed is None:
            return None
        return max(0, self.attempts_allowed - used)


# How the groups' values of one field combine: the most lenient wins.
LENIENT: dict[str, Callable[[list], Any]] = {
    "opens_at": min,
    "closes_at": max,
    "time_limit": max,
    # 0 is "unlimited" on an override, and beats any number.
    "attempts_allowed": lambda values: 0 if 0 in values else max(values),
}


def quiz_settings_combine(
    *, quiz, overrides: Iterable, trainee_id: int
) -> QuizSettings:
    """The effective settings of trainee ``trainee_id`` on ``quiz``.

    ``overrides``: the trainee's own and their groups' overrides (the caller picks
    the groups: every group override passed is taken as one of theirs). Overrides of
    another quiz or another trainee are ignored.
    """
    mine = None
    groups = []
    for override in overrides:
        if override.quiz_id != quiz.pk:
            continue
        if override.trainee_id is not None:
            if override.trainee_id == trainee_id:
                mine = override
        else:
            groups.append(override)
    values: dict[str, Any] = {}
    applied: list = []
    for field in FIELDS:
        value, source = getattr(quiz, field), None
        if mine is not None and getattr(mine, field) is not None:
            value, source = getattr(mine, field), mine
        else:
            setting = [g for g in groups if getattr(g, field) is not None]
            if setting:
                value = LENIENT[field]([getattr(g, field) for g in setting])
                source = next(g for g in setting if getattr(g, field) == value)
        if field == "attempts_allowed" and source is not None and value == 0:
            value = None  # an override's 0 is the quiz's blank: unlimited
        values[field] = value
        if source is not None and source not in applied:
            applied.append(source)
    applied.sort(key=lambda o: o.trainee_id is None)
    return QuizSettings(**values, overrides=tuple(applied))
