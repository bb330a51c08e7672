"""A CSV of marks for ``item_analysis --marks``, read and checked: pure, no database.

Layout (issue 11): a header row ``attempt,<question name>,...``, then one row per
attempt, each cell the mark from 0 to the question's max mark (1 unless
``max_marks`` says otherwise). An empty cell is a question the attempt did not have
(None). Columns named ``total`` or ``summarks`` are ignored. Every problem is
reported with its line and column, numbered from 1 as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

IGNORED_COLUMNS = {"total", "summarks"}


class MarksFileError(ValueError):
    """The file cannot be analysed; the message says where and why."""


@dataclass(frozen=True)
class MarksFile:
    names: list[str]
    max_marks: list[float]
    marks: list[list[float | None]]


def max_marks_parse(text: str) -> list[float]:
    """``--max-marks 1,1,2``: positive numbers separated by commas."""
    values = []
    for position, item in enumerate(text.split(","), start=1):
        try:
            value = float(item)
        except ValueError:
            raise MarksFileError(
                f"--max-marks: item {position} ({item.strip()!r}) is not a number"
            ) from None
        if not math.isfinite(value) or value <= 0:
            raise MarksFileError(
                f"--max-marks: item {position} ({item.strip()}) must be above 0"
            )
        values.append(value)
    return values


def marks_file_parse(
    *, text: str, max_marks: list[float] | None = None, name: str = "the file"
) -> MarksFile:
    """The question names, max marks and marks matrix of a CSV's ``text``."""
    rows = [
        (number, row)
        for number, row in enumerate(csv.reader(io.StringIO(text)), start=1)
        if any(cell.strip() for cell in row)
    ]
    if not rows:
        raise MarksFileError(
            f"{name} is empty: expected a header row 'attempt,<question>,...'"
        )
    header_line, header = rows[0]
    header = [cell.strip() for cell in header]
    if header[0].lower() != "attempt":
        raise MarksFileError(
            f"line {header_line}, column 1: the header must start with 'attempt', "
            f"not {header[0]!r}"
        )
    columns = [
        (index, cell)
        for index, cell in enumerate(header)
        if index > 0 and cell.lower() not in IGNORED_COLUMNS
    ]
    _check_names(columns, header_line)
    names = [cell for _, cell in columns]
    if max_marks is None:
        max_marks = [1.0] * len(names)
    elif len(max_marks) != len(names):
        raise MarksFileError(
            f"--max-marks gives {len(max_marks)} max marks for {len(names)} "
            f"questions ({', '.join(names)})"
        )
    if len(rows) == 1:
        raise MarksFileError(f"no attempts: {name} has a header and no rows")
    marks = []
    for number, row in rows[1:]:
        if len(row) != len(header):
            raise MarksFileError(
                f"line {number}: {len(row)} cells, but the header has {len(header)}"
            )
        marks.append(
            [
                _mark(row[index], number, index, names[j], max_marks[j])
                for j, (index, _) in enumerate(columns)
            ]
        )
    return MarksFile(names=names, max_marks=max_marks, marks=marks)


def _check_names(columns: list[tuple[int, str]], line: int) -> None:
    if not columns:
        raise MarksFileError(f"line {line}: no question columns after 'attempt'")
    seen: dict[str, int] = {}
    for index, cell in columns:
        if not cell:
            raise MarksFileError(
                f"line {line}, column {index + 1}: the question has no name"
            )
        if cell in seen:
            raise MarksFileError(
                f"line {line}, column {index + 1}: {cell!r} repeats column "
                f"{seen[cell] + 1}"
            )
        seen[cell] = index


def _mark(
    cell: str, line: int, index: int, question: str, max_mark: float
) -> float | None:
    where = f"line {line}, column {index + 1} ({question})"
    cell = cell.strip()
    if not cell:
        return None
    try:
        value = float(cell)
    except ValueError:
        raise MarksFileError(f"{where}: {cell!r} is not a number") from None
    if not math.isfinite(value):
        raise MarksFileError(f"{where}: {cell!r} is not a finite number")
    if value < 0:
        raise MarksFileError(f"{where}: {cell} is below 0")
    if value > max_mark:
        raise MarksFileError(f"{where}: {cell} is above the max mark {max_mark:g}")
    return value
