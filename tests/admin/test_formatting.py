"""How the admin's lists write moments, scores and flags: compact, for 1280 px."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import time_machine
from django.test import override_settings

from quizzes.admin.formatting import flag_mark, moment_text, score_short

STARTED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@override_settings(TIME_ZONE="UTC")
@time_machine.travel(datetime(2026, 6, 1, tzinfo=UTC), tick=False)
def test_a_moment_drops_this_year_and_the_date_of_the_start():
    """``2 Mar 09:00``; the year only when it is not this one; a deadline or a
    finish on the day the attempt started is only its time."""
    assert moment_text(STARTED) == "2 Mar 09:00"
    assert moment_text(STARTED - timedelta(days=365)) == "2 Mar 2025 09:00"
    assert moment_text(STARTED + timedelta(minutes=10), since=STARTED) == "09:10"
    assert moment_text(STARTED + timedelta(days=1), since=STARTED) == "3 Mar 09:00"
    assert moment_text(None) == "—"


def test_a_score_in_a_list_is_marks_over_questions_and_a_whole_percent():
    assert score_short(Decimal("3"), 4) == "3/4 · 75 %"
    assert score_short(Decimal("2.6666"), 10) == "2.667/10 · 27 %"
    assert score_short(None, None) == "—"


def test_a_flag_is_a_neutral_mark():
    """Not the admin's red ✗, which next to a score reads as "wrong"."""
    assert flag_mark(True) == "⚑\N{NO-BREAK SPACE}flagged"
    assert flag_mark(False) == "—"
