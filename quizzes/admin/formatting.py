"""How the admin writes durations and scores."""

from datetime import timedelta


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
