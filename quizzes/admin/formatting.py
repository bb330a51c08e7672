"""How the admin writes durations, moments, scores and marks."""

from datetime import datetime, timedelta

from django.utils import timezone


def duration_text(delta: timedelta | None) -> str:
    """A stopwatch reading: ``m:ss``, or ``h:mm:ss`` past the hour; "—" for None."""
    if delta is None:
        return "—"
    seconds = max(0, int(delta.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"


def duration_words(delta: timedelta | None) -> str:
    """A total in words: "1 h 05 min", "52 min 41 s", "45 s"; "—" for None."""
    if delta is None:
        return "—"
    seconds = max(0, int(delta.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {seconds:02d} s"
    return f"{seconds} s"


def score_text(score, max_score) -> str:
    """``7.5 / 10 (75.0 %)``; "—" before the attempt is scored."""
    if score is None:
        return "—"
    percent = float(score) * 100 / max_score if max_score else 0
    return f"{float(score):g} / {max_score} ({percent:.1f} %)"


def score_short(score, max_score) -> str:
    """``3/4 · 75 %``, ``2.667/10 · 27 %``: a list column's score; "—" before the
    attempt is scored."""
    if score is None:
        return "—"
    percent = float(score) * 100 / max_score if max_score else 0
    return f"{round(float(score), 3):g}/{max_score} · {percent:.0f} %"


def moment_text(moment: datetime | None, *, since: datetime | None = None) -> str:
    """A list column's date and time, local: ``2 Mar 09:05``, with the year when it
    is not this year's; only ``09:05`` on the same day as ``since``."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    if since is not None and timezone.localtime(since).date() == local.date():
        return f"{local:%H:%M}"
    if local.year != timezone.localdate().year:
        return f"{local.day} {local:%b %Y %H:%M}"
    return f"{local.day} {local:%b %H:%M}"


def flag_mark(flagged: bool) -> str:
    """Neutral marks: the admin's red ✗ for "not flagged" would read as "wrong".
    A no-break space keeps the mark and its word together in a narrow column."""
    return "⚑\N{NO-BREAK SPACE}flagged" if flagged else "—"
