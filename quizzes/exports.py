"""CSV exports of progress and attempts, safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) is a
formula to a spreadsheet; a trainee's name or a quiz title could carry one
(CSV injection), so such text cells get a leading apostrophe. Numbers stay numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils import timezone

from quizzes.models.attempts import started_q
from quizzes.progress import (
    ProgressFilter,
    TopSection,
    mastery_grid,
    quiz_progress,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a UTF-8 file as UTF-8 only when it starts with a byte-order mark.
BOM = "\ufeff"


def csv_cell(value):
    """One cell: text defused against formulas, times in UTC, durations in minutes."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, timedelta):
        return round(value.total_seconds() / 60, 1)
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(
    *, filename: str, header: list[str], rows: Iterable[Iterable]
) -> StreamingHttpResponse:
    """A streamed ``text/csv`` attachment: the header, then one line per row."""

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())

    def lines() -> Iterator[str]:
        yield BOM + writer.writerow(header)
        for row in rows:
            yield writer.writerow([csv_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


SECTIONS_HEADER = [
    "username",
    "name",
    "document",
    "section",
    "answers",
    "score",
    "mastery (%)",
]


def progress_sections_rows(
    *, trainees, sections: list[TopSection], filters: ProgressFilter
) -> Iterator[list]:
    """Trainee × top-level section: answers, summed marks and mastery (blank: none)."""
    grid = mastery_grid(trainee_ids=None, sections=sections, filters=filters)
    for trainee in trainees:
        for section in sections:
            cell = grid.get((trainee.pk, section.id))
            yield [
                trainee.username,
                trainee.get_full_name(),
                section.document_title,
                section.title,
                cell.answers if cell else 0,
                round(cell.score, 4) if cell else 0,
                cell.percent if cell else None,
            ]


QUIZZES_HEADER = [
    "username",
    "name",
    "quiz",
    "grading method",
    "attempts used",
    "attempts finished",
    "grade (%)",
    "pass mark (%)",
    "passed",
    "time spent (min)",
    "last activity (UTC)",
]


def progress_quizzes_rows(*, filters: ProgressFilter) -> Iterator[list]:
    """Trainee × quiz: the grade under the quiz's method, pass, attempts and time."""
    for row in quiz_progress(filters=filters):
        yield [
            row.username,
            row.full_name,
            row.quiz_title,
            row.grading_label,
            row.attempts_used,
            row.attempts_finished,
            row.grade,
            row.pass_mark,
            row.passed,
            row.time_spent,
            row.last_activity,
        ]


ATTEMPTS_HEADER = [
    "attempt id",
    "username",
    "name",
    "quiz",
    "number",
    "state",
    "started (UTC)",
    "deadline (UTC)",
    "finished (UTC)",
    "time used (min)",
    "score",
    "max score",
    "percent",
]


def attempts_rows(queryset, *, now: datetime) -> Iterator[list]:
    """One line per attempt of ``queryset``, read in chunks (no per-row query);
    the state as of ``now``, so an overdue attempt exports as expired."""
    # A prepared attempt is not an attempt yet: nothing to export.
    attempts = (
        queryset.filter(started_q())
        .select_related("trainee", "quiz")
        .order_by("started_at", "pk")
    )
    for attempt in attempts.iterator(chunk_size=2000):
        yield [
            attempt.pk,
            attempt.trainee.username,
            attempt.trainee.get_full_name(),
            attempt.quiz.title,
            attempt.number,
            attempt.state_label_as_of(now),
            attempt.started_at,
            attempt.deadline,
            attempt.finished_at,
            attempt.finished_at - attempt.started_at if attempt.finished_at else None,
            attempt.score,
            attempt.max_score,
            attempt.percent,
        ]
