"""Aiken, Moodle's plainest format: single best answer questions, one key each.

A question is its text (one line or several), its options lettered ``A)`` or ``A.``
(capital letters in order; after ``.`` a space), then ``ANSWER: X``; blank lines
separate questions::

    Which drug is an NMDA receptor antagonist?
    A) Propofol
    B) Ketamine
    ANSWER: B

Every question is single best answer: the key is worth 1.0 and the other options
0.0. Aiken has no titles, no feedback and no general feedback, so ``name``,
``feedback`` and ``explanation`` are always "".

Reading. The first non-blank line of a question is always its text, whatever it
looks like, so a question text that reads as an option (``A) or B?``) comes back as
text. A first line that reads as an ``ANSWER:`` line is the question's text only
when an option line follows at once (that is how ``write`` puts it); otherwise it is
a stray ``ANSWER:`` line and an error. Later lines up to the first option continue
the text (joined with newlines). A blank line before the options is allowed; a
blank line followed by anything but an option ends a question that has none.
Errors, each at its own line, and reading goes on with the next question: an
``ANSWER:`` letter that names no option, fewer than 2 options, options without an
``ANSWER:`` line, an ``ANSWER:`` line without options, options out of order, an
option without text.

Writing. Only single best answer questions with exactly one key go out; a
select-all-that-apply or true/false question is returned as an ``ExportSkip``
(Aiken has single best answer only). A text is written on one line: each newline,
with the spaces around it, becomes one space. Partial credit on a wrong option is
not kept (every wrong option reads back as 0.0).

Round trip. ``parse(write(q)) == q`` (``line`` aside) holds over what Aiken can
carry: single best answer questions, name, feedback and explanation "", fractions
1.0 for the key and 0.0 otherwise, 2 to 26 options, and stem and option texts that
are non-empty, stripped, have no newline and no control character. Any such text
round-trips, including one that reads as an option or an ``ANSWER:`` line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, TextIO

from quizzes.choices import QuestionKind
from quizzes.formats.base import (
    ExportSkip,
    FormatError,
    ParsedChoice,
    ParsedItem,
    ParsedQuestion,
)
from quizzes.formats.utf8lines import NotUtf8Error, utf8_lines
from quizzes.formats.weights import choice_keys

NAME = "aiken"
LABEL = "Aiken"
EXTENSION = ".txt"
MEDIA_TYPE = "text/plain; charset=utf-8"

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# A capital letter and ")" or "."; Moodle reads "A)Text" with no space too. After
# "." a space is required, so that "B.Sc. students…" stays text. An option with
# nothing after its mark ("C)") is read as an option too, to report it.
OPTION_LINE = re.compile(r"([A-Z])(?:\)|\.(?=[ \t]|$))[ \t]*(.*)")
ANSWER_PREFIX = "ANSWER:"
SINGLE_ONLY = "Aiken has single best answer only"
MISSING_TEXT = "Question text missing: the question starts with an option"


@dataclass
class _Draft:
    """A question being read: its text lines, its options and what is wrong so far."""

    line: int
    stem_lines: list[str]
    options: list[str] = field(default_factory=list)
    letters: list[str] = field(default_factory=list)
    errors: list[FormatError] = field(default_factory=list)
    saw_blank: bool = False

    def finish(self, *, answer: str, answer_line: int) -> Iterator[ParsedItem]:
        """The question, or its errors, once its ``ANSWER:`` line is read."""
        if not self.options:
            if len(self.stem_lines) == 1 and OPTION_LINE.fullmatch(self.stem_lines[0]):
                yield FormatError(self.line, MISSING_TEXT)
            yield FormatError(answer_line, "ANSWER line without options")
            return
        if len(self.options) < 2:
            self.errors.append(
                FormatError(self.line, "Question must have at least 2 options")
            )
        letter = answer.strip().upper()
        span = f"{self.letters[0]}–{self.letters[-1]}"
        if not letter:
            self.errors.append(
                FormatError(answer_line, f"ANSWER line names no option ({span})")
            )
        elif len(letter) != 1 or letter not in LETTERS:
            self.errors.append(
                FormatError(
                    answer_line,
                    f"ANSWER: {answer.strip()} is not one option letter ({span})",
                )
            )
        elif letter not in self.letters:
            self.errors.append(
                FormatError(
                    answer_line,
                    f"ANSWER: {letter} does not name one of the options {span}",
                )
            )
        if self.errors:
            yield from sorted(self.errors, key=lambda error: error.line)
            return
        key = self.letters.index(letter)
        yield ParsedQuestion(
            line=self.line,
            name="",
            kind=QuestionKind.SINGLE.value,
            stem="\n".join(self.stem_lines).strip(),
            explanation="",
            choices=tuple(
                ParsedChoice(text=text, fraction=1.0 if index == key else 0.0)
                for index, text in enumerate(self.options)
            ),
        )

    def unanswered(self) -> Iterator[FormatError]:
        """The errors of a question that ends without an ``ANSWER:`` line."""
        message = (
            "Question has options but no ANSWER line"
            if self.options
            else "Question has no options and no ANSWER line (a blank line ends "
            "a question's text)"
        )
        yield from sorted(
            [*self.errors, FormatError(self.line, message)],
            key=lambda error: error.line,
        )

    def add_option(self, *, letter: str, text: str, line: int) -> None:
        expected = (
            LETTERS[LETTERS.index(self.letters[-1]) + 1]
            if self.letters and self.letters[-1] != LETTERS[-1]
            else LETTERS[0]
        )
        if letter != expected:
            if (
                not self.letters
                and len(self.stem_lines) == 1
                and (OPTION_LINE.fullmatch(self.stem_lines[0]))
            ):
                self.errors.append(FormatError(self.line, MISSING_TEXT))
            else:
                message = f"Option {letter}) is out of order: expected {expected})"
                self.errors.append(FormatError(line, message))
        if not text:
            self.errors.append(FormatError(line, f"Option {letter}) has no text"))
        self.options.append(text)
        self.letters.append(letter)


def parse(stream: BinaryIO) -> Iterator[ParsedItem]:
    """The questions of an Aiken file, and its errors, in file order."""
    lines = utf8_lines(stream)
    draft: _Draft | None = None
    pending: tuple[int, str] | None = None
    try:
        while True:
            if pending is not None:
                number, text = pending
                pending = None
            else:
                try:
                    number, text = next(lines)
                except StopIteration:
                    break
            text = text.strip()
            option = OPTION_LINE.fullmatch(text)
            if draft is None:
                if not text:
                    continue
                if text.startswith(ANSWER_PREFIX):
                    # The text of a question only when an option follows at once.
                    following = next(lines, None)
                    pending = following
                    if following is None or not OPTION_LINE.fullmatch(
                        following[1].strip()
                    ):
                        yield FormatError(number, "ANSWER line without options")
                        continue
                draft = _Draft(line=number, stem_lines=[text])
            elif text.startswith(ANSWER_PREFIX):
                yield from draft.finish(
                    answer=text[len(ANSWER_PREFIX) :], answer_line=number
                )
                draft = None
            elif option:
                letter, option_text = option.groups()
                draft.add_option(
                    letter=letter, text=(option_text or "").strip(), line=number
                )
            elif not text:
                draft.saw_blank = True
            elif draft.options or draft.saw_blank:
                # The previous question ended without its ANSWER line; this line
                # starts the next one.
                yield from draft.unanswered()
                draft = _Draft(line=number, stem_lines=[text])
            else:
                draft.stem_lines.append(text)
    except NotUtf8Error as error:
        yield FormatError(error.line, error.message)
        return
    if draft is not None:
        yield from draft.unanswered()


def write(questions: Iterable[ParsedQuestion], out: TextIO) -> list[ExportSkip]:
    """Each single best answer question as Aiken; the others are returned as skips."""
    skips: list[ExportSkip] = []
    first = True
    for question in questions:
        reason = _cannot_carry(question)
        if reason:
            skips.append(ExportSkip(name=_label(question), reason=reason))
            continue
        stem = _one_line(question.stem)
        if first and stem.startswith("\ufeff"):
            # parse drops one byte-order mark from the start of the file; write one
            # so that a text starting with that character keeps it.
            out.write("\ufeff")
        if not first:
            out.write("\n")
        first = False
        out.write(stem + "\n")
        for letter, choice in zip(LETTERS, question.choices, strict=False):
            out.write(f"{letter}) {_one_line(choice.text)}\n")
        keys = choice_keys(
            kind=question.kind, fractions=[c.fraction for c in question.choices]
        )
        out.write(f"{ANSWER_PREFIX} {LETTERS[keys.index(True)]}\n")
    return skips


def _cannot_carry(question: ParsedQuestion) -> str:
    """Why Aiken cannot carry ``question``; "" when it can."""
    if question.kind != QuestionKind.SINGLE:
        return SINGLE_ONLY
    keys = choice_keys(
        kind=question.kind, fractions=[c.fraction for c in question.choices]
    )
    if sum(keys) != 1:
        return f"Aiken needs exactly one right option; this question has {sum(keys)}"
    if len(question.choices) > len(LETTERS):
        return f"Aiken letters options A–Z: at most {len(LETTERS)} options"
    return ""


def _one_line(text: str) -> str:
    """``text`` on one line: each newline, with the spaces around it, is one space."""
    return " ".join(part.strip() for part in text.split("\n") if part.strip())


def _label(question: ParsedQuestion) -> str:
    """What names a skipped question: its title, else the start of its text."""
    if question.name:
        return question.name
    stem = _one_line(question.stem)
    return stem if len(stem) <= 60 else stem[:59] + "…"
