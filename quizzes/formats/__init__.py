"""Question files in and out: one pure module per format, no database.

``FORMATS`` names each format's module; ``format_module`` loads one. Formats are
imported on demand so that a format's own dependencies (defusedxml) load only when
it is used; only Aiken's option pattern is imported here, for telling a ``.txt``
file's format the way the Aiken reader itself reads options.
"""

from __future__ import annotations

import importlib
import re
from pathlib import PurePath

from quizzes.formats.aiken import OPTION_LINE as aiken_option_line
from quizzes.formats.base import QuestionFormat

AIKEN_ANSWER_LINE = re.compile(r"^\s*ANSWER:\s*[A-Za-z]\s*$", re.M)
FORMATS = {
    "gift": "quizzes.formats.gift",
    "aiken": "quizzes.formats.aiken",
    "moodlexml": "quizzes.formats.moodlexml",
    "csv": "quizzes.formats.csvbank",
}


class UnknownFormatError(ValueError):
    """A file whose format cannot be told from its name or its first lines."""


def format_module(name: str) -> QuestionFormat:
    """The module that reads and writes the format called ``name``."""
    if name not in FORMATS:
        raise UnknownFormatError(
            f"unknown format “{name}”; use one of {', '.join(FORMATS)}"
        )
    return importlib.import_module(FORMATS[name])  # type: ignore[return-value]


def format_guess(*, filename: str, head: bytes) -> str:
    """The format of a file from its extension and, for ``.txt``, its first bytes.

    ``.gift`` is GIFT, ``.xml`` Moodle XML and ``.csv`` CSV. A ``.txt`` file is
    Aiken when it has ``A)``/``A.`` option lines and an ``ANSWER: X`` line, else
    GIFT.
    """
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".gift":
        return "gift"
    if suffix == ".xml":
        return "moodlexml"
    if suffix == ".csv":
        return "csv"
    if suffix == ".txt":
        text = head.decode("utf-8", errors="replace")
        aiken = AIKEN_ANSWER_LINE.search(text) and any(
            aiken_option_line.match(line.strip()) for line in text.splitlines()
        )
        return "aiken" if aiken else "gift"
    raise UnknownFormatError(
        f"cannot tell the format of “{filename}” from its extension; use .gift, "
        ".txt, .xml or .csv, or name the format"
    )
