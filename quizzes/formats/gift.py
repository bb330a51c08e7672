"""GIFT, Moodle's plain-text question format: read and write.

Reading follows Moodle's own GIFT grammar:

- The file is read a line at a time by ``utf8lines.utf8_lines``: a byte-order mark
  is dropped, and a line that is not UTF-8 or holds a NUL (a UTF-16 file) is an
  error at that line that ends the reading (the questions before it are read).

- Questions are separated by blank lines and may span several lines. Whole-line
  ``//`` comments (``// [id:…]`` and ``// [tag:…]`` among them) are ignored. A
  ``$CATEGORY: path`` line sets ``category`` for the questions after it; it always
  starts a block of its own, blank line or not, and the lines after it in that
  block are a question.
- ``::name::`` is the title; ``[html] [plain] [markdown] [moodle]`` at the start of a
  text is its format (only ``[html]`` changes the text: it is reduced to plain text;
  answers and feedback default to the question text's format, as in Moodle).
- Escapes: ``\\~ \\= \\# \\{ \\} \\: \\\\`` give the character, ``\\n`` a newline; any
  other backslash is kept as it is.
- ``{=right ~wrong ~%50%partial}``: a block with an ``=`` answer is single best
  answer; a block with ``~`` answers only is multiple response, each answer's weight
  as written (``~`` alone is 0). ``#`` after an answer is its feedback, ``####``
  the general feedback (``explanation``).
- ``{T}``/``{TRUE}``/``{F}``/``{FALSE}`` is true/false; ``#wrong#right`` gives the
  feedback for picking the wrong answer, then for picking the right one.
- Missing word: when text follows the answer block, the block is replaced by
  ``_____`` and the text around it keeps its own spacing ("The capital is
  {=Paris ~Rome}." → "The capital is _____."), then the stem is stripped. When
  only whitespace follows the block, the block is simply removed.
- Types this platform lacks are skipped with a reason, as Moodle would read them:
  essay ``{}``, numerical ``{#…}``, short answer (``=`` answers only, no ``~``),
  matching (``=a -> b``), description (no answer block) and Cloze-like text with
  several answer blocks.
- Where Moodle would guess, this reader reports an error instead: an unclosed
  ``::name``, text before the first ``=``/``~``, a weight such as ``%50 %`` that is
  not a number, and, like Moodle, an unclosed or stray brace, fewer than two
  answers, an empty answer and an empty question text. A GIFT single question
  always has its ``=`` answer at 100%, so "no 100% answer" cannot occur here. As in
  Moodle, ``=`` takes no weight: ``=%50%x`` is the 100% answer "%50%x".

Writing gives what ``parse`` reads back as the same question. The domain of lossless
round trips: stems and answer texts non-empty, feedback, explanation and name
possibly empty; every text already stripped of surrounding whitespace; any unicode
except control characters other than "\\n" ("\\r\\n" becomes "\\n"). Every
reserved character (``~ = # { } :`` and the backslash) is escaped and a newline is
written ``\\n``, so a question is always written on lines of its own making; a text
that starts like a format prefix (or a stem like a ``//`` comment) is protected
with a ``[moodle]`` prefix, which reads as plain text. Weights are written as
decimal percentages that read back to the same float.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import BinaryIO, TextIO

from quizzes.choices import QuestionKind
from quizzes.formats.base import (
    ExportSkip,
    FormatError,
    ParsedChoice,
    ParsedItem,
    ParsedQuestion,
    SkippedQuestion,
)
from quizzes.formats.htmltext import html_to_text
from quizzes.formats.percent import percent_text
from quizzes.formats.utf8lines import NotUtf8Error, utf8_lines

NAME = "gift"
LABEL = "GIFT"
EXTENSION = ".gift"
MEDIA_TYPE = "text/plain; charset=utf-8"

CATEGORY = "$CATEGORY:"
BLANK = "_____"
# The characters a backslash escapes, and what each escape stands for.
ESCAPES = {c: c for c in "~=#{}:\\"} | {"n": "\n"}
ESCAPE = re.compile(r"\\([~=#{}:\\n])")
# How write escapes each reserved character and a newline; a carriage return is
# dropped, as Moodle does, so "\r\n" becomes "\n" and no line is ever split.
ESCAPE_TABLE = str.maketrans(
    {char: "\\" + char for char in "~=#{}:\\"} | {"\n": "\\n", "\r": ""}
)
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
FORMAT_PREFIX = re.compile(r"\[(html|plain|markdown|moodle)\]")
WEIGHT = re.compile(r"%(-?(?:\d+(?:\.\d*)?|\.\d+))%")
# Something written as a weight but not a number ("%50 %", "%50,5%", "%%").
BAD_WEIGHT = re.compile(r"%[\s\d.,+\-]*%")
# A text that would read as a format prefix, or (a stem) as a comment line.
PROTECTED_START = re.compile(r"\[(?:html|plain|markdown|moodle)\]|//")
BRACES = re.compile(r"[{}]")
ANSWER_MARKS = re.compile(r"[~=]")


class _Problem(Exception):
    """A structural problem in one question; ``pos`` locates it in the block."""

    def __init__(self, message: str, pos: int):
        super().__init__(message)
        self.message = message
        self.pos = pos


class _Skip(Exception):
    """A question of a type this platform does not have."""

    def __init__(self, type_: str, reason: str):
        super().__init__(reason)
        self.type = type_
        self.reason = reason


def parse(stream: BinaryIO) -> Iterator[ParsedItem]:
    """Read GIFT from ``stream``, one question at a time, in file order.

    Only the current question's lines are held, so memory is bounded by the
    largest question, not by the file.
    """
    category = ""
    for block in _blocks(stream):
        if isinstance(block, FormatError):
            yield block
            return
        item, category = _read_block(block, category)
        if item is not None:
            yield item


def _blocks(stream: BinaryIO) -> Iterator[list[tuple[int, str]] | FormatError]:
    """The file's blank-line-separated blocks as (line number, line), comments
    dropped; a ``$CATEGORY:`` line always starts a block, even when the blank
    line before it was forgotten (it would otherwise end up in a stem)."""
    block: list[tuple[int, str]] = []
    try:
        for number, line in utf8_lines(stream):
            line = line.rstrip("\r\n")
            stripped = line.strip()
            if (not stripped or stripped.startswith(CATEGORY)) and block:
                yield block
                block = []
            if stripped and not stripped.startswith("//"):
                block.append((number, line))
    except NotUtf8Error as error:
        # The question being read is cut short: report the bytes, not it.
        yield FormatError(error.line, error.message)
        return
    if block:
        yield block


def _read_block(
    block: list[tuple[int, str]], category: str
) -> tuple[ParsedItem | None, str]:
    """The item of one blank-line-separated block, and the category after it."""
    if block and block[0][1].lstrip().startswith(CATEGORY):
        path = block[0][1].lstrip()[len(CATEGORY) :]
        category = _unescape(path)[0].strip()
        block = block[1:]
    if not block:
        return None, category
    text = _Block(block)
    try:
        question = _read_question(text, category)
    except _Problem as problem:
        return FormatError(text.line_at(problem.pos), problem.message), category
    except _Skip as skip:
        return SkippedQuestion(text.first_line, skip.type, skip.reason), category
    return question, category


class _Block:
    """A question's text with its escapes resolved.

    ``literal[i]`` is 1 where ``text[i]`` came from an escape: such a character is
    text, never structure. Escapes never span lines, so each line is resolved on its
    own, and where each line starts is kept to tell the line of any position.
    """

    def __init__(self, lines: list[tuple[int, str]]):
        self.first_line = lines[0][0]
        parts: list[str] = []
        literal = bytearray()
        self.starts: list[int] = []
        self.numbers: list[int] = []
        size = 0
        for index, (number, line) in enumerate(lines):
            if index:
                parts.append("\n")
                literal.append(0)
                size += 1
            self.starts.append(size)
            self.numbers.append(number)
            text, marks = _unescape(line)
            parts.append(text)
            literal += marks
            size += len(text)
        self.text = "".join(parts)
        self.literal = bytes(literal)

    def line_at(self, pos: int) -> int:
        return self.numbers[max(0, bisect_right(self.starts, pos) - 1)]

    def is_mark(self, pos: int, length: int = 1) -> bool:
        return not any(self.literal[pos : pos + length])

    def find(self, sub: str, start: int, end: int) -> int:
        """The first structural ``sub`` in ``text[start:end]``, or -1."""
        pos = self.text.find(sub, start, end)
        while pos != -1 and not self.is_mark(pos, len(sub)):
            pos = self.text.find(sub, pos + 1, end)
        return pos

    def rfind(self, sub: str, start: int, end: int) -> int:
        pos = self.text.rfind(sub, start, end)
        while pos != -1 and not self.is_mark(pos, len(sub)):
            pos = self.text.rfind(sub, start, pos + len(sub) - 1)
        return pos

    def marks(self, chars: re.Pattern, start: int, end: int) -> list[int]:
        """Positions of the structural characters ``chars`` matches in a range."""
        return [
            match.start()
            for match in chars.finditer(self.text, start, end)
            if not self.literal[match.start()]
        ]

    def skip_space(self, start: int, end: int) -> int:
        while start < end and self.text[start].isspace():
            start += 1
        return start


def _unescape(line: str) -> tuple[str, bytearray]:
    """``line`` with its escapes resolved, and which characters came from one."""
    if "\\" not in line:
        return line, bytearray(len(line))
    out: list[str] = []
    marks = bytearray()
    done = 0
    # Left to right, as Moodle does: a doubled backslash before "n" is a
    # backslash and the letter n, not a newline.
    for match in ESCAPE.finditer(line):
        out.append(line[done : match.start()])
        marks += bytearray(match.start() - done)
        out.append(ESCAPES[match.group(1)])
        marks.append(1)
        done = match.end()
    out.append(line[done:])
    marks += bytearray(len(line) - done)
    return "".join(out), marks


def _read_question(block: _Block, category: str) -> ParsedQuestion:
    """The question in ``block``: ``_Problem`` if it is malformed, ``_Skip`` if it
    is of a type this platform lacks."""
    text = block.text
    start, end = block.skip_space(0, len(block.text)), len(block.text)
    name = ""
    if text.startswith("::", start) and block.is_mark(start, 2):
        close = block.find("::", start + 2, end)
        if close == -1:
            raise _Problem("Question name is not closed: write it ::name::", start)
        name = text[start + 2 : close].strip()
        start = close + 2
    opening, closing = _answer_block(block, start, end)
    after = text[closing + 1 : end]
    # Missing word: the block's place in the sentence is kept as a blank.
    stem_text = text[start:opening] + (BLANK + after if after.strip() else "")
    stem, stem_format = _with_format(stem_text, "moodle")
    inner_start, inner_end = opening + 1, closing
    explanation = ""
    general = block.rfind("####", inner_start, inner_end)
    if general != -1:
        explanation, _ = _with_format(text[general + 4 : inner_end], stem_format)
        inner_end = general
    inner_start = block.skip_space(inner_start, inner_end)
    kind = _kind(block, inner_start, inner_end)
    if not stem:
        raise _Problem("Question text is empty", start)
    if kind == QuestionKind.TRUE_FALSE:
        choices = _true_false(block, inner_start, inner_end, stem_format)
    else:
        choices = _choices(block, inner_start, inner_end, stem_format)
    return ParsedQuestion(
        line=block.first_line,
        name=name,
        kind=QuestionKind(kind).value,
        stem=stem,
        explanation=explanation,
        choices=choices,
        category=category,
    )


def _answer_block(block: _Block, start: int, end: int) -> tuple[int, int]:
    """Where the question's one ``{…}`` opens and closes."""
    pairs = []
    opening = None
    for pos in block.marks(BRACES, start, end):
        if block.text[pos] == "{":
            if opening is not None:
                raise _Problem(
                    "Unclosed { in question: a second { opens before the first is "
                    "closed (a literal brace is written \\{)",
                    opening,
                )
            opening = pos
        elif opening is None:
            raise _Problem(
                "Unmatched } in question: no { opens it (a literal brace is written "
                "\\})",
                pos,
            )
        else:
            pairs.append((opening, pos))
            opening = None
    if opening is not None:
        raise _Problem("Unclosed { in question: add the closing }", opening)
    if not pairs:
        raise _Skip(
            "description",
            "a description (no answer block {…}): text only, not a question",
        )
    if len(pairs) > 1:
        first_end, rest = pairs[0][1] + 1, pairs[1][0]
        line_end = block.text.find("\n", first_end, rest)
        if line_end != -1 and not block.text[first_end:line_end].strip():
            # The first block ends its line and another question-like line
            # follows: two questions without the blank line between them.
            raise _Problem(
                "A second answer block follows on another line: separate "
                "questions with a blank line",
                block.skip_space(line_end, rest),
            )
        raise _Skip(
            "cloze",
            f"{len(pairs)} answer blocks in one question (embedded answers, Cloze); "
            "this platform has one answer block per question",
        )
    return pairs[0]


def _kind(block: _Block, start: int, end: int) -> str:
    """The question's kind from its answers, or ``_Skip`` for a type we lack.

    Moodle's order of tests: empty is essay, ``#`` first is numerical, any ``~``
    is multiple choice, ``=`` with ``->`` is matching, ``T``/``TRUE``/``F``/
    ``FALSE`` is true/false, and anything else is short answer.
    """
    inner = block.text[start:end].strip()
    if not inner:
        raise _Skip(
            "essay",
            "an essay (empty answer block {}); this platform has no written-answer "
            "questions",
        )
    if inner.startswith("#") and block.is_mark(start):
        raise _Skip(
            "numerical",
            "a numerical question ({#…}); this platform has no typed-number questions",
        )
    marks = {block.text[pos] for pos in block.marks(ANSWER_MARKS, start, end)}
    if "~" in marks:
        return QuestionKind.SINGLE if "=" in marks else QuestionKind.MULTIPLE
    if "=" in marks and "->" in inner:
        raise _Skip(
            "matching",
            "a matching question (=item -> match); this platform has no matching "
            "questions",
        )
    hash_pos = block.find("#", start, end)
    head = block.text[start : end if hash_pos == -1 else hash_pos].strip()
    if head in TRUE_FALSE:
        return QuestionKind.TRUE_FALSE
    if head.upper() in TRUE_FALSE:
        raise _Skip(
            "shortanswer",
            f"a short-answer question: “{head}” is a typed answer; a true/false "
            "answer is written {TRUE} or {FALSE}, in capitals",
        )
    raise _Skip(
        "shortanswer",
        "a short-answer question (only = answers, no ~); this platform has no "
        "typed-answer questions",
    )


def _choices(
    block: _Block, start: int, end: int, text_format: str
) -> tuple[ParsedChoice, ...]:
    """The ``=``/``~`` answers of a single or multiple response question."""
    text = block.text
    marks = block.marks(ANSWER_MARKS, start, end)
    if text[start : marks[0]].strip():
        raise _Problem(
            "Text before the first answer: each answer starts with = or ~", start
        )
    choices = []
    for number, (pos, stop) in enumerate(
        zip(marks, [*marks[1:], end], strict=True), start=1
    ):
        fraction, body = _weight(block, pos, stop)
        feedback_pos = block.find("#", body, stop)
        if feedback_pos == -1:
            answer, feedback = text[body:stop], ""
        else:
            answer, feedback = text[body:feedback_pos], text[feedback_pos + 1 : stop]
        answer, _ = _with_format(answer, text_format)
        if not answer:
            raise _Problem(f"Answer {number} has no text", pos)
        feedback, _ = _with_format(feedback, text_format)
        choices.append(ParsedChoice(answer, fraction, feedback))
    if len(choices) < 2:
        raise _Problem("Question must have at least 2 answers", start)
    return tuple(choices)


def _weight(block: _Block, pos: int, stop: int) -> tuple[float, int]:
    """An answer's weight, and where its text starts.

    ``=`` is 100% and takes no weight (as in Moodle); ``~`` is 0% unless a
    ``%n%`` follows, read as a decimal so that 33.33333 gives the float nearest
    0.3333333, exactly as the file states it.
    """
    body = block.skip_space(pos + 1, stop)
    if block.text[pos] == "=":
        return 1.0, body
    match = WEIGHT.match(block.text, body, stop)
    if match:
        return float(Decimal(match.group(1)) / 100), match.end()
    bad = BAD_WEIGHT.match(block.text, body, stop)
    if bad:
        raise _Problem(
            f"Answer weight “{bad.group()}” is not a number: write it like ~%50% "
            "or ~%-33.33333%",
            body,
        )
    return 0.0, body


def _true_false(
    block: _Block, start: int, end: int, text_format: str
) -> tuple[ParsedChoice, ...]:
    """True and False, each with the feedback shown when it is picked.

    ``{TRUE#wrong#right}``: the first ``#`` is the feedback for picking the wrong
    answer, the second for picking the right one.
    """
    text = block.text
    first = block.find("#", start, end)
    second = -1 if first == -1 else block.find("#", first + 1, end)
    head = text[start : end if first == -1 else first].strip()
    wrong = "" if first == -1 else text[first + 1 : end if second == -1 else second]
    right = "" if second == -1 else text[second + 1 : end]
    wrong, _ = _with_format(wrong, text_format)
    right, _ = _with_format(right, text_format)
    if TRUE_FALSE[head]:
        return ParsedChoice("True", 1.0, right), ParsedChoice("False", 0.0, wrong)
    return ParsedChoice("True", 0.0, wrong), ParsedChoice("False", 1.0, right)


def _with_format(raw: str, default: str) -> tuple[str, str]:
    """A text without its format prefix, reduced to plain text if it is HTML."""
    text = raw.strip()
    text_format = default
    match = FORMAT_PREFIX.match(text)
    if match:
        text_format = match.group(1)
        text = text[match.end() :]
    if text_format == "html":
        text = html_to_text(text)
    return text.strip(), text_format


def write(questions: Iterable[ParsedQuestion], out: TextIO) -> list[ExportSkip]:
    """Write ``questions`` as GIFT, a ``$CATEGORY:`` line wherever it changes."""
    skipped = []
    category = ""
    for question in questions:
        problem = _unwritable(question)
        if problem:
            skipped.append(ExportSkip(question.name, problem))
            continue
        if question.category != category:
            category = question.category
            path = category.replace("\\", "\\\\").replace("\n", "\\n")
            out.write(f"{CATEGORY} {path}".rstrip() + "\n\n")
        out.write(_question_text(question) + "\n\n")
    return skipped


def _unwritable(question: ParsedQuestion) -> str:
    """Why ``question`` cannot be written to read back the same; "" if it can."""
    fractions = [choice.fraction for choice in question.choices]
    if not all(math.isfinite(fraction) for fraction in fractions):
        return "an option's weight is not a number"
    if question.kind == QuestionKind.TRUE_FALSE:
        texts = [choice.text for choice in question.choices]
        if texts != ["True", "False"] or sorted(fractions) != [0.0, 1.0]:
            return (
                "a true/false question needs the options True and False, one worth 100%"
            )
    elif question.kind == QuestionKind.SINGLE and 1.0 not in fractions:
        return "a single best answer question needs an option worth 100%"
    return ""


def _question_text(question: ParsedQuestion) -> str:
    title = f"::{_escape(question.name)}::" if question.name else ""
    head = title + _protect(question.stem) + "{"
    if question.kind == QuestionKind.TRUE_FALSE:
        return head + _true_false_text(question) + "}"
    lines = [head]
    fractions = [choice.fraction for choice in question.choices]
    # A single question whose options are all 100% would read back as a short
    # answer ({=a =b}): only its first is written with =.
    all_keys = all(fraction == 1.0 for fraction in fractions)
    for index, choice in enumerate(question.choices):
        if question.kind == QuestionKind.SINGLE and choice.fraction == 1.0:
            mark = "=" if index == 0 or not all_keys else "~%100%"
        elif (
            question.kind == QuestionKind.SINGLE
            and choice.fraction == 0.0
            and not choice.text.startswith("%")
        ):
            mark = "~"
        else:
            # Multiple response writes every weight, so that no "=" makes it single.
            mark = f"~%{percent_text(choice.fraction)}%"
        line = f"\t{mark}{_protect(choice.text)}"
        if choice.feedback:
            line += f"#{_protect(choice.feedback)}"
        lines.append(line)
    if question.explanation:
        lines.append(f"\t####{_protect(question.explanation)}")
    lines.append("}")
    return "\n".join(lines)


def _true_false_text(question: ParsedQuestion) -> str:
    true, false = question.choices
    right, wrong = (true, false) if true.fraction == 1.0 else (false, true)
    body = "TRUE" if right is true else "FALSE"
    if wrong.feedback or right.feedback:
        body += "#" + _protect(wrong.feedback)
    if right.feedback:
        body += "#" + _protect(right.feedback)
    if question.explanation:
        body += "####" + _protect(question.explanation)
    return body


def _escape(text: str) -> str:
    return text.translate(ESCAPE_TABLE)


def _protect(text: str) -> str:
    """``text`` escaped, behind a ``[moodle]`` prefix when it starts like a prefix.

    A text that starts with ``[html]`` (or another format name) would lose it as a
    format prefix, and a stem starting ``//`` would read as a comment line; the
    ``[moodle]`` format is Moodle's default, read as plain text.
    """
    escaped = _escape(text)
    return "[moodle]" + escaped if PROTECTED_START.match(text) else escaped
