"""A question bank as a spreadsheet: one question a row, under a documented header.

Header (the first non-blank line). Column names are case-insensitive, spaces and
hyphens count as ``_`` ("Option A" is ``option_a``), and the columns may come in
any order:

============================  ========  ==============================================
column                        required  holds
============================  ========  ==============================================
``name``                      no        the question's title ("" when blank)
``kind``                      yes       ``single``, ``multiple`` or ``true_false``
``stem``                      yes       the question text
``option_a``, ``option_b``    yes       the options, filled from A in order
``option_c`` … ``option_z``   no        (the export writes A–E, more when needed)
``key``                       yes       the right option(s) by letter: ``B``, ``A;C``
                                        (``AC``, ``A,C`` and ``A C`` are read too)
``rationale_a`` …             no        why that option is right or wrong (the
                                        feedback shown when it is picked)
``explanation``               no        the teaching point (general feedback)
``source_quote``              no        the passage of the section behind the key
``weight_a`` …                no        the option's weight in percent (100, 50,
                                        -33.33333); blank: derived from the key
============================  ========  ==============================================

A ``true_false`` row has ``True`` and ``False`` as options A and B (blank cells are
read as those). Weights, when given, are given for every option and must agree with
the key: a select-all question's keys are its options with a positive weight, a
single best answer's its 100% option. Blank weights are this platform's own: 100%
for the key and 0% otherwise, or ±100/k% for a select-all question with k keys.

Reading. A UTF-8 byte-order mark is dropped (Excel writes one). The separator is
``,`` or ``;``, whichever the header line is written with: Excel writes ``;`` in
the many locales whose decimal mark is a comma, and instructors edit exported files
there (such files may also write a weight as ``33,5``, which is read as 33.5).
Each error names the physical line where its row starts (a quoted cell may span
lines). A header with unknown, repeated or missing columns is an error at its line
and nothing is read; a row's problems (unknown kind, no key, a key letter naming an
empty option, fewer than 2 options, …) are errors at its line, and reading goes on;
a row of a kind other platforms have (essay, numerical, shortanswer, matching,
description, cloze) is reported as skipped.
Broken CSV syntax (a quote never closed) stops the reading at that row.

Spreadsheet formulas. A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is a formula to a spreadsheet, and exported files get opened in one
(CSV injection). ``write`` gives such a text cell a leading apostrophe, as
``quizzes.exports`` does. To stay lossless this is a bijection: a text matching
``'*[=+-@\\t\\r]…`` (any apostrophes, then a formula character) gets one more
apostrophe on export, and a cell matching ``'+[=+-@\\t\\r]…`` loses one on import.
Weights are numbers and are not touched.

Round trip. ``parse(write(q)) == q`` (``line`` and ``category`` aside: the CSV has
no place for a category) for questions whose texts are stripped and free of
control characters other than newlines (a CRLF in a cell reads back as LF), with
non-empty stem and options, 2 to 26 options, keys and weights that agree (one 100%
option for single best answer and true/false, a positive weight for each key of a
select-all question), finite weights.
"""

from __future__ import annotations

import csv
import itertools
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
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
from quizzes.formats.percent import percent_text
from quizzes.formats.utf8lines import NotUtf8Error, utf8_lines
from quizzes.formats.weights import choice_keys, platform_fractions

NAME = "csv"
LABEL = "CSV (spreadsheet)"
EXTENSION = ".csv"
MEDIA_TYPE = "text/csv; charset=utf-8"

LETTERS = "abcdefghijklmnopqrstuvwxyz"
EXPORT_OPTIONS = 5  # the export always has columns A–E
REQUIRED = ("kind", "stem", "option_a", "option_b", "key")
SINGLE_COLUMNS = ("name", "kind", "stem", "key", "explanation", "source_quote")
PER_OPTION = ("option", "rationale", "weight")
KINDS = {
    "single": QuestionKind.SINGLE,
    "multiple": QuestionKind.MULTIPLE,
    "true_false": QuestionKind.TRUE_FALSE,
    "truefalse": QuestionKind.TRUE_FALSE,
    "true/false": QuestionKind.TRUE_FALSE,
}
# Types of other platforms' banks this one lacks: reported as skipped, not errors.
FOREIGN_KINDS = {
    "essay", "numerical", "shortanswer", "short_answer", "matching", "description",
    "cloze",
}  # fmt: skip
TRUE_FALSE = ("True", "False")
KEY_SEPARATORS = re.compile(r"[;,\s]+")
# A text a spreadsheet would read as a formula, once any apostrophes are set aside.
FORMULA_LIKE = re.compile(r"'*[=+\-@\t\r]")
DEFUSED = re.compile(r"'+[=+\-@\t\r]")
BOM = "\ufeff"
NOT_UTF8_HINT = " (in Excel: Save As › “CSV UTF-8”)"


def defuse(text: str) -> str:
    """``text`` as written to a cell: one more apostrophe if it reads as a formula."""
    return "'" + text if FORMULA_LIKE.match(text) else text


def undefuse(text: str) -> str:
    """A cell's text as it was before ``defuse``: one apostrophe fewer if defused."""
    return text[1:] if DEFUSED.match(text) else text


def percent_fraction(text: str) -> float | None:
    """The fraction a percent cell gives (``50``, ``50%``, ``33,5``); None if none."""
    cleaned = text.strip().removesuffix("%").strip().replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    fraction = float(value.scaleb(-2))
    return fraction if math.isfinite(fraction) else None


def column_name(header_cell: str) -> str:
    """A header cell as a column name: lower case, spaces and hyphens as ``_``."""
    return re.sub(r"[\s\-]+", "_", header_cell.strip().lower())


def header_columns(letters: int) -> list[str]:
    """The export's header, with option columns for ``letters`` options."""
    own = LETTERS[:letters]
    return [
        "name",
        "kind",
        "stem",
        *(f"option_{letter}" for letter in own),
        "key",
        *(f"rationale_{letter}" for letter in own),
        "explanation",
        "source_quote",
        *(f"weight_{letter}" for letter in own),
    ]


def parse(stream: BinaryIO) -> Iterator[ParsedItem]:
    """The questions of a CSV file, and its errors, in file order."""
    lines = utf8_lines(stream, hint=NOT_UTF8_HINT)
    try:
        leading_blank = 0
        for _, first in lines:
            if first.strip():
                break
            leading_blank += 1
        else:
            yield FormatError(1, "The file is empty: expected a header line")
            return
        header_line = leading_blank + 1
        reader = csv.reader(
            itertools.chain([first], (text for _, text in lines)),
            delimiter=_delimiter(first),
            strict=True,
        )
        try:
            columns = next(reader)
        except csv.Error as error:
            yield FormatError(header_line, _csv_message(error))
            return
        problems = _header_problems(columns)
        if problems:
            for problem in problems:
                yield FormatError(header_line, problem)
            return
        names = [column_name(cell) or None for cell in columns]
        letters = _option_letters(names)
        end = reader.line_num
        while True:
            start = leading_blank + end + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                yield FormatError(start, _csv_message(error))
                return
            end = reader.line_num
            if any(cell.strip() for cell in cells):
                yield from _row(cells, names=names, letters=letters, line=start)
    except NotUtf8Error as error:
        yield FormatError(error.line, error.message)


def write(questions: Iterable[ParsedQuestion], out: TextIO) -> list[ExportSkip]:
    """The questions as CSV under the documented header, with a byte-order mark.

    Options A–E always have columns; a question with more options adds columns up
    to its last letter, so the questions are read in full before the header.
    """
    bank = list(questions)
    skips = [
        ExportSkip(
            name=question.name or _short(question.stem),
            reason=f"CSV has option columns A–Z only; this question has "
            f"{len(question.choices)} options",
        )
        for question in bank
        if len(question.choices) > len(LETTERS)
    ]
    bank = [question for question in bank if len(question.choices) <= len(LETTERS)]
    width = max([EXPORT_OPTIONS, *(len(question.choices) for question in bank)])
    writer = csv.writer(out, lineterminator="\r\n")
    out.write(BOM)
    writer.writerow(header_columns(width))
    for question in bank:
        writer.writerow(_cells(question, width=width))
    return skips


def _cells(question: ParsedQuestion, *, width: int) -> list[str]:
    fractions = [choice.fraction for choice in question.choices]
    keys = choice_keys(kind=question.kind, fractions=fractions)
    derived = platform_fractions(kind=question.kind, keys=keys)
    padding = [""] * (width - len(question.choices))
    weights = (
        ["" for _ in fractions]
        if fractions == derived
        else [percent_text(fraction) for fraction in fractions]
    )
    return [
        defuse(question.name),
        question.kind,
        defuse(question.stem),
        *(defuse(choice.text) for choice in question.choices),
        *padding,
        ";".join(LETTERS[i].upper() for i, key in enumerate(keys) if key),
        *(defuse(choice.feedback) for choice in question.choices),
        *padding,
        defuse(question.explanation),
        defuse(question.source_quote),
        *weights,
        *padding,
    ]


def _delimiter(header: str) -> str:
    """``;`` when the header line splits into more known columns on it, else ``,``."""

    def known(delimiter: str) -> int:
        try:
            cells = next(csv.reader([header], delimiter=delimiter))
        except csv.Error:
            return 0  # the reader proper reports what is wrong with the line
        return sum(_known(column_name(cell)) for cell in cells)

    return ";" if known(";") > known(",") else ","


def _known(name: str) -> bool:
    if name in SINGLE_COLUMNS:
        return True
    prefix, _, letter = name.rpartition("_")
    return prefix in PER_OPTION and len(letter) == 1 and letter in LETTERS


def _header_problems(columns: Sequence[str]) -> list[str]:
    """What is wrong with the header, one message a problem; [] when it is fine."""
    names = [column_name(cell) for cell in columns if column_name(cell)]
    problems = []
    unknown = [name for name in names if not _known(name)]
    if unknown:
        problems.append(
            f"Unknown column(s): {', '.join(unknown)}. The columns are name, kind, "
            "stem, option_a…, key, rationale_a…, explanation, source_quote, weight_a…"
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        problems.append(f"Column(s) given twice: {', '.join(repeated)}")
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        problems.append(f"Missing required column(s): {', '.join(missing)}")
    letters = _option_letters(names)
    gaps = [
        name
        for name in names
        if _known(name)
        and name not in SINGLE_COLUMNS
        and name.rpartition("_")[2] not in letters
    ]
    if gaps:
        problems.append(
            f"Column(s) {', '.join(gaps)} without the option columns before them: "
            "options are option_a, option_b, … in order, with no letter left out"
        )
    return problems


def _option_letters(names: Sequence[str | None]) -> str:
    """The option letters the header has columns for: a, b, … up to the first gap."""
    letters = ""
    for letter in LETTERS:
        if f"option_{letter}" not in names:
            break
        letters += letter
    return letters


def _row(
    cells: list[str], *, names: list[str | None], letters: str, line: int
) -> Iterator[ParsedItem]:
    """The question of one row, or each of its problems, at ``line``."""
    kind_cell = next(
        (cell for name, cell in zip(names, cells, strict=False) if name == "kind"), ""
    )
    if column_name(kind_cell) in FOREIGN_KINDS:
        type_name = column_name(kind_cell).replace("short_answer", "shortanswer")
        yield SkippedQuestion(
            line, type_name, f"this platform has no {type_name} questions"
        )
        return
    errors: list[str] = []
    if len(cells) > len(names):
        errors.append(f"Row has {len(cells)} cells; the header has {len(names)}")
    values: dict[str, str] = {}
    for index, cell in enumerate(cells[: len(names)]):
        if names[index] is None:
            if cell.strip():
                errors.append(f"Column {index + 1} has a value but no header")
        else:
            values[names[index]] = undefuse(cell.replace("\r\n", "\n").strip())

    kind = _kind(values.get("kind", ""), errors)
    stem = values.get("stem", "")
    if not stem:
        errors.append("Question text (stem) is empty")
    options = _options(values, letters=letters, kind=kind, errors=errors)
    keys = _keys(values.get("key", ""), options=options, kind=kind, errors=errors)
    # Rationales and weights of options left blank (unless the options are already
    # wrong, which says enough).
    for letter in letters[len(options) :] if options else []:
        for column in (f"rationale_{letter}", f"weight_{letter}"):
            if values.get(column, ""):
                errors.append(f"{column} is filled but option_{letter} is empty")
    fractions = _fractions(values, options=options, keys=keys, kind=kind, errors=errors)
    if errors:
        for message in errors:
            yield FormatError(line, message)
        return
    yield ParsedQuestion(
        line=line,
        name=values.get("name", ""),
        kind=kind,
        stem=stem,
        explanation=values.get("explanation", ""),
        choices=tuple(
            ParsedChoice(
                text=text,
                fraction=fraction,
                feedback=values.get(f"rationale_{letter}", ""),
            )
            for letter, text, fraction in zip(letters, options, fractions, strict=False)
        ),
        source_quote=values.get("source_quote", ""),
    )


def _kind(cell: str, errors: list[str]) -> str:
    if not cell:
        errors.append("kind is empty: use single, multiple or true_false")
        return ""
    kind = KINDS.get(column_name(cell))
    if kind is None:
        errors.append(f"Unknown kind “{cell}”: use single, multiple or true_false")
        return ""
    return kind.value


def _options(
    values: dict[str, str], *, letters: str, kind: str, errors: list[str]
) -> list[str]:
    """The row's option texts, A onwards; a gap or too few is an error."""
    texts = [values.get(f"option_{letter}", "") for letter in letters]
    if kind == QuestionKind.TRUE_FALSE:
        return _true_false_options(texts, errors)
    while texts and not texts[-1]:
        texts.pop()
    for letter, text in zip(letters, texts, strict=False):
        if not text:
            errors.append(
                f"option_{letter} is empty but a later option is not: fill the "
                "options from A in order"
            )
            return []
    if len(texts) < 2:
        errors.append("Question must have at least 2 options")
    return texts


def _true_false_options(texts: list[str], errors: list[str]) -> list[str]:
    """True and False; blank cells read as those, anything else is an error."""
    first_two = [*texts, "", ""][:2]
    given = [
        text.capitalize() if text else default
        for text, default in zip(first_two, TRUE_FALSE, strict=True)
    ]
    if given != list(TRUE_FALSE) or any(texts[2:]):
        errors.append(
            "A true_false question has the options True (option_a) and False "
            "(option_b) and no others"
        )
    return list(TRUE_FALSE)


def _keys(cell: str, *, options: list[str], kind: str, errors: list[str]) -> list[bool]:
    """Which options the key column names."""
    letters = KEY_SEPARATORS.sub("", cell).lower()
    if not letters:
        errors.append("No key: name the right option(s) by letter, e.g. B or A;C")
        return []
    if not all(letter in LETTERS for letter in letters):
        errors.append(f"Key “{cell}” is not option letters (write B, or A;C)")
        return []
    repeated = sorted({letter for letter in letters if letters.count(letter) > 1})
    if repeated:
        errors.append(f"Key “{cell}” names {repeated[0].upper()} twice")
    if kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE) and len(letters) > 1:
        label = (
            "true/false" if kind == QuestionKind.TRUE_FALSE else "single best answer"
        )
        errors.append(
            f"A {label} question has one key; “{cell}” names {len(set(letters))}"
        )
    for letter in sorted(set(letters)) if options else []:
        if LETTERS.index(letter) >= len(options):
            errors.append(f"Key names {letter.upper()}, but option_{letter} is empty")
    return [letter in letters for letter in LETTERS[: len(options)]]


def _fractions(
    values: dict[str, str],
    *,
    options: list[str],
    keys: list[bool],
    kind: str,
    errors: list[str],
) -> list[float]:
    """The options' weights: the row's, or the platform's from the key if blank."""
    cells = [values.get(f"weight_{letter}", "") for letter in LETTERS[: len(options)]]
    if not any(cells):
        return platform_fractions(kind=kind, keys=keys) if kind else []
    fractions = []
    for letter, cell in zip(LETTERS, cells, strict=False):
        fraction = percent_fraction(cell) if cell else None
        if not cell:
            errors.append(
                f"weight_{letter} is blank: give a weight for every option or none"
            )
        elif fraction is None:
            errors.append(
                f"weight_{letter} “{cell}” is not a number (a percent: 100, 50, -25)"
            )
        fractions.append(fraction)
    if len(fractions) != len(keys) or None in fractions or not kind:
        return []
    weighted = choice_keys(kind=kind, fractions=fractions)
    if weighted != keys:
        named = ";".join(LETTERS[i].upper() for i, key in enumerate(weighted) if key)
        said = ";".join(LETTERS[i].upper() for i, key in enumerate(keys) if key)
        errors.append(
            f"The weights make {named or 'no option'} the key, but the key column "
            f"says {said}: make them agree, or clear the weights"
        )
    return fractions


def _csv_message(error: csv.Error) -> str:
    text = str(error)
    if "unexpected end of data" in text:
        return 'A quoted cell in this row is never closed: a " has no closing "'
    return f"Malformed CSV: {text}"


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 60 else flat[:59] + "…"
