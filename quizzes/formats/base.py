"""The plain values every question-file format reads into and writes from.

A format module (``gift``, ``aiken``, ``moodlexml``, ``csvbank``) turns a file into a
stream of ``ParsedQuestion``, ``SkippedQuestion`` and ``FormatError`` values, and
writes ``ParsedQuestion`` values back out. No database: the service
``quizzes.services.question_files`` maps these values to and from the models.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import BinaryIO, Protocol, TextIO


@dataclass(frozen=True)
class ParsedChoice:
    """One option as the file gives it.

    ``fraction`` is the option's weight as the file states it (GIFT ``=`` is 1.0,
    ``~`` is 0.0, ``~%50%`` is 0.5; Moodle XML ``fraction="50"`` is 0.5), and
    ``feedback`` is what the file shows when this option is picked.
    """

    text: str
    fraction: float
    feedback: str = ""


@dataclass(frozen=True)
class ParsedQuestion:
    """One question read from a file, or about to be written to one.

    ``line`` is the 1-based line where the question starts (0 when written from the
    database); ``kind`` is a ``QuestionKind`` value; ``explanation`` is the file's
    general feedback. ``category`` is the file's category path at that point
    (GIFT ``$CATEGORY:``, Moodle XML ``<category>``), "" when it has none;
    ``source_quote`` only comes from formats that carry one (CSV).
    """

    line: int
    name: str
    kind: str
    stem: str
    explanation: str
    choices: tuple[ParsedChoice, ...]
    category: str = ""
    source_quote: str = ""


@dataclass(frozen=True)
class SkippedQuestion:
    """A question of a type this platform does not have (essay, numerical, …)."""

    line: int
    type: str
    reason: str


@dataclass(frozen=True)
class FormatError:
    """A problem in the file; ``message`` says what, ``line`` says where (1-based)."""

    line: int
    message: str


ParsedItem = ParsedQuestion | SkippedQuestion | FormatError


@dataclass(frozen=True)
class ExportSkip:
    """A question a format cannot carry (Aiken has single best answer only)."""

    name: str
    reason: str


@dataclass
class ParseResult:
    """Everything read from one file, in file order within each list."""

    questions: list[ParsedQuestion] = field(default_factory=list)
    skipped: list[SkippedQuestion] = field(default_factory=list)
    errors: list[FormatError] = field(default_factory=list)

    @classmethod
    def collect(cls, items: Iterable[ParsedItem]) -> ParseResult:
        result = cls()
        for item in items:
            if isinstance(item, ParsedQuestion):
                result.questions.append(item)
            elif isinstance(item, SkippedQuestion):
                result.skipped.append(item)
            else:
                result.errors.append(item)
        return result


def question_json(question: ParsedQuestion) -> dict:
    """A question in the ``--dry-run --json`` layout (category and quote left out)."""
    return {
        "line": question.line,
        "name": question.name,
        "kind": question.kind,
        "stem": question.stem,
        "explanation": question.explanation,
        "choices": [asdict(choice) for choice in question.choices],
    }


class QuestionFormat(Protocol):
    """What every module in ``quizzes.formats`` provides."""

    NAME: str
    LABEL: str
    EXTENSION: str  # what an exported file's name ends with, e.g. ".gift"
    MEDIA_TYPE: str  # the exported file's Content-Type

    def parse(self, stream: BinaryIO) -> Iterator[ParsedItem]: ...

    def write(
        self, questions: Iterable[ParsedQuestion], out: TextIO
    ) -> list[ExportSkip]: ...
