"""Moodle XML (``<quiz><question type="…">…</question></quiz>``), read and written.

Reading follows Moodle's own importer (``question/format/xml``) where this platform
has the same idea, and refuses what it cannot hold:

- ``multichoice`` becomes "single" (``<single>true</single>``, Moodle's default) or
  "multiple" (``<single>false</single>`` or ``0``); ``truefalse`` becomes the two
  choices True and False, matched on the answers' texts ``true``/``false``.
- ``fraction`` is a percentage: ``"50"`` is 0.5, ``"33.33333"`` is 0.3333333. The
  value is taken as a decimal and shifted two places, so it is the float nearest to
  what the file says (``float("33.33333") / 100`` would not be).
- ``format="html"`` texts (and formats Moodle does not know, which it treats as
  HTML) are reduced to plain text by ``htmltext.html_to_text``; ``plain_text``,
  ``moodle_auto_format``, ``markdown`` and ``wiki_like`` are kept as written. A
  text's format defaults, as in Moodle, to the question text's, which defaults to
  ``html``. Every text is stripped, as Moodle strips it.
- ``<question type="category">`` sets the category path (``$course$/top/…``) of
  the questions after it. Every other type (shortanswer, numerical, essay,
  matching, description, cloze, calculated, ddwtos, …) is a ``SkippedQuestion``.

Safety and memory: the file is parsed by ``defusedxml``'s ``iterparse`` with any
DOCTYPE refused, so no entity is expanded (billion laughs) and nothing is fetched
(external entities). It is read in chunks and each ``<question>`` is dropped once
read, so memory is bounded by one question, not by the file.

Line numbers: iterparse hands out events only after each chunk is parsed, when
the parser's position is already the chunk's end. So the tree builder is wrapped
in a target that notes expat's ``CurrentLineNumber`` while expat reports each
start tag: that is the line of the tag's ``<``. A question's line is its
``<question`` tag (not the ``<!-- question: N -->`` comment Moodle writes above it).

Encoding: the bytes are decoded here as UTF-8 (a BOM is dropped) and expat is fed
text, so an XML declaration naming another encoding is not obeyed; the first byte
that is not UTF-8 ends the parse with a "not UTF-8" error at its line. This is not
``utf8lines.utf8_lines``, which the line formats share: expat is fed chunks, not
lines (a whole XML file may be one line, and memory must stay bounded), it counts
a lone "\\r" as a line end, and it refuses a NUL itself as malformed XML.

Writing gives what Moodle 4.x writes for these two types (the element names of
its ``writequestion``), with every text ``format="plain_text"`` inside CDATA
(``]]>`` split across two sections) and the fractions as Moodle writes them
(``100``, ``50``, ``33.33333``, ``-100``): the shortest decimal that reads back to
the same float. A ``<question type="category">`` is written whenever the category
changes.

Lossless round trips (``parse(write(q)) == q`` but for ``line``, which parse
sets, and ``source_quote``, which Moodle XML has no place for) hold for: kind
single, multiple or true_false; stem and choice texts non-empty after strip; name,
feedback and explanation possibly empty; every text already stripped, of any
unicode that XML 1.0 can carry (no control characters but tab and newline, no
U+FFFE/U+FFFF; "\\r\\n" and "\\r" become "\\n" as in any XML); a true/false
question's choices are True then False with fractions 1.0/0.0 (or 0.0/1.0); a
single question has a choice worth exactly 1.0; fractions are finite. A question
with a character XML cannot carry is not written: it is returned as an
``ExportSkip``.
"""

from __future__ import annotations

import codecs
import math
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from typing import BinaryIO, TextIO
from xml.etree.ElementTree import Element, ParseError, TreeBuilder
from xml.parsers.expat import ErrorString

from defusedxml.common import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml.ElementTree import DefusedXMLParser, iterparse

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
from quizzes.formats.utf8lines import NotUtf8Error
from quizzes.formats.weights import TOLERANCE

NAME = "moodlexml"
LABEL = "Moodle XML"
EXTENSION = ".xml"
MEDIA_TYPE = "application/xml; charset=utf-8"

CHUNK_BYTES = 64 * 1024
NOT_UTF8 = "not UTF-8: save the file as UTF-8"
# Moodle's formats whose text is shown as written; anything else is HTML to Moodle.
TEXT_FORMATS = {"plain_text", "moodle_auto_format", "markdown", "wiki_like"}
# Our names for the Moodle types this platform lacks (the contract's type strings).
SKIPPED_TYPES = {
    "shortanswer": ("shortanswer", "Short-answer"),
    "numerical": ("numerical", "Numerical"),
    "essay": ("essay", "Essay"),
    "matching": ("matching", "Matching"),
    "match": ("matching", "Matching"),
    "description": ("description", "Description"),
    "cloze": ("cloze", "Embedded-answer (cloze)"),
    "multianswer": ("cloze", "Embedded-answer (cloze)"),
}
# Moodle writes these for every multichoice question; ours are empty.
COMBINED_FEEDBACK = ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback")
PLATFORM_KINDS = "single best answer, select all that apply and true/false"
# What XML 1.0 can carry (its Char production).
NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# --- Reading -------------------------------------------------------------------


class _Utf8Text:
    """The byte stream as text, decoded as strict UTF-8, a chunk at a time.

    On a byte that is not UTF-8 it hands out the good text before it first, so that
    every question before the bad byte is still read, and raises on the next read.
    """

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.pending = b""
        self.first = True
        self.lines_before = 0  # line breaks in the text handed out so far
        self.after_cr = False
        self.error_line: int | None = None

    def read(self, size: int = -1) -> str:
        # "" means the end to iterparse, so read on until there is text or the end.
        if self.error_line is not None:
            raise NotUtf8Error(self.error_line, NOT_UTF8)
        while True:
            chunk = self.stream.read(CHUNK_BYTES)
            data = self.pending + chunk
            if self.first and chunk and len(data) < len(codecs.BOM_UTF8):
                self.pending = data  # a stream may hand out a BOM in pieces
                continue
            if self.first:
                data = data.removeprefix(codecs.BOM_UTF8)
                self.first = False
            try:
                text, used = codecs.utf_8_decode(data, "strict", not chunk)
            except UnicodeDecodeError as error:
                text = data[: error.start].decode("utf-8")
                self.error_line = self.lines_before + self._breaks(text) + 1
                if not text:
                    raise NotUtf8Error(self.error_line, NOT_UTF8) from None
                return text
            self.pending = data[used:]
            if text or not chunk:
                self.lines_before += self._breaks(text)
                return text

    def _breaks(self, text: str) -> int:
        # Count lines as expat does: "\r\n", "\r" and "\n" each end one.
        count = text.count("\n") + text.count("\r") - text.count("\r\n")
        if self.after_cr and text.startswith("\n"):
            count -= 1
        if text:
            self.after_cr = text.endswith("\r")
        return count


class _NotMoodle(Exception):
    def __init__(self, line: int, tag: str):
        super().__init__(tag)
        self.line = line
        self.tag = tag


class _LineNotingBuilder:
    """A tree builder that notes the line of each start tag and which elements
    are children of ``<quiz>``, and refuses any other root at once."""

    def __init__(self):
        builder = TreeBuilder()
        self.builder = builder
        # Bound methods of the C builder: no Python frame per event.
        self.data = builder.data
        self.close = builder.close
        self.lines: dict[int, int] = {}
        self.top: set[int] = set()  # ids of the children of <quiz>
        self.depth = 0
        self.root: Element | None = None
        self.expat = None  # set once the parser exists

    def start(self, tag, attrs):
        element = self.builder.start(tag, attrs)
        line = self.expat.CurrentLineNumber
        self.lines[id(element)] = line
        self.depth += 1
        if self.depth == 1:
            if tag != "quiz":
                raise _NotMoodle(line, tag)
            self.root = element
        if self.depth == 2:
            self.top.add(id(element))
        return element

    def end(self, tag):
        self.depth -= 1
        return self.builder.end(tag)

    def line(self, element: Element) -> int:
        return self.lines.get(id(element), 0)

    def forget(self, element: Element) -> None:
        self.top.discard(id(element))
        for each in element.iter():
            self.lines.pop(id(each), None)


class _QuestionError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def parse(stream: BinaryIO) -> Iterator[ParsedItem]:
    """Each question of a Moodle XML file, in file order, then any fatal error.

    A question that cannot be held is a ``FormatError`` and reading goes on; XML
    that is malformed, unsafe or not UTF-8 is a ``FormatError`` that ends it.
    """
    builder = _LineNotingBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.expat = parser.parser
    category = ""
    try:
        for _, element in iterparse(_Utf8Text(stream), events=("end",), parser=parser):
            if id(element) not in builder.top:
                continue
            # A child of <quiz> is complete: read it, then let it go.
            if element.tag == "question":
                item, category = _read_question(element, builder, category)
                if item is not None:
                    yield item
            builder.forget(element)
            builder.root.clear()
    except _NotMoodle as error:
        yield FormatError(
            error.line,
            f"Not a Moodle XML file: the root element is <{error.tag}>, not <quiz>",
        )
    except NotUtf8Error as error:
        yield FormatError(error.line, error.message)
    except ParseError as error:
        line, column = error.position
        reason = ErrorString(error.code)
        yield FormatError(line, f"Malformed XML: {reason} (column {column + 1})")
    except DefusedXmlException as error:
        yield FormatError(parser.parser.CurrentLineNumber, _refusal(error))


def _refusal(error: DefusedXmlException) -> str:
    if isinstance(error, DTDForbidden):
        return (
            "Malformed XML: a DOCTYPE is not allowed in a Moodle XML file (its "
            "entities could expand without end or read other files)"
        )
    if isinstance(error, EntitiesForbidden | ExternalReferenceForbidden):
        return "Malformed XML: entity declarations are not allowed"
    return f"Malformed XML: {error}"  # pragma: no cover - defusedxml's other refusals


def _read_question(
    element: Element, builder: _LineNotingBuilder, category: str
) -> tuple[ParsedItem | None, str]:
    """The item a ``<question>`` gives, and the category for those after it."""
    line = builder.line(element)
    qtype = (element.get("type") or "").strip()
    try:
        if qtype == "category":
            return None, _category_path(element, builder)
        if qtype == "multichoice":
            return _multichoice(element, builder, line, category), category
        if qtype == "truefalse":
            return _truefalse(element, builder, line, category), category
    except _QuestionError as error:
        return FormatError(error.line, error.message), category
    if not qtype:
        return FormatError(line, "Question has no type attribute"), category
    if qtype in SKIPPED_TYPES:
        type_name, label = SKIPPED_TYPES[qtype]
        reason = f"{label} questions are not supported: this platform has "
    else:
        type_name = qtype
        reason = f"Moodle “{qtype}” questions are not supported: this platform has "
    return SkippedQuestion(line, type_name, reason + PLATFORM_KINDS), category


def _category_path(element: Element, builder: _LineNotingBuilder) -> str:
    holder = element.find("category")
    if holder is None:
        raise _QuestionError(builder.line(element), "Category has no <category>")
    text = holder.find("text")
    # Moodle once wrote the path straight inside <category>; it reads <text>.
    source = text if text is not None else holder
    return _plain(source, builder, holder.tag).strip()


def _header(element: Element, builder: _LineNotingBuilder, line: int):
    """Name, stem, explanation and the question's text format."""
    name_holder = element.find("name")
    name = ""
    if name_holder is not None and name_holder.find("text") is not None:
        name = _plain(name_holder.find("text"), builder, "name").strip()
    questiontext = element.find("questiontext")
    text_format = "html"
    if questiontext is not None:
        text_format = (questiontext.get("format") or "html").strip()
    stem = _text(questiontext, builder, default_format="html")
    if not stem:
        at = builder.line(questiontext) if questiontext is not None else line
        raise _QuestionError(at, "Question text is empty" + _only_markup(questiontext))
    explanation = _text(
        element.find("generalfeedback"), builder, default_format=text_format
    )
    return name, stem, explanation, text_format


def _multichoice(
    element: Element, builder: _LineNotingBuilder, line: int, category: str
) -> ParsedQuestion:
    name, stem, explanation, text_format = _header(element, builder, line)
    # Moodle: no <single> means single; "false", "0" or empty means multiple.
    single_text = element.findtext("single")
    single = single_text is None or single_text.strip() not in {"false", "0", ""}
    choices = []
    for number, answer in enumerate(element.findall("answer"), start=1):
        text = _text(answer, builder, default_format=text_format)
        if not text:
            raise _QuestionError(
                builder.line(answer),
                f"Answer {number} has no text" + _only_markup(answer),
            )
        choices.append(
            ParsedChoice(
                text=text,
                fraction=_fraction(answer, builder, number),
                feedback=_text(
                    answer.find("feedback"), builder, default_format=text_format
                ),
            )
        )
    if len(choices) < 2:
        raise _QuestionError(line, "Question must have at least 2 answers")
    if single and not any(
        math.isclose(choice.fraction, 1.0, abs_tol=TOLERANCE) for choice in choices
    ):
        raise _QuestionError(
            line,
            "One of the answers should be 100%, so that it is possible to get a "
            "full grade for this question",
        )
    return ParsedQuestion(
        line=line,
        name=name,
        kind=(QuestionKind.SINGLE if single else QuestionKind.MULTIPLE).value,
        stem=stem,
        explanation=explanation,
        choices=tuple(choices),
        category=category,
    )


def _truefalse(
    element: Element, builder: _LineNotingBuilder, line: int, category: str
) -> ParsedQuestion:
    name, stem, explanation, text_format = _header(element, builder, line)
    answers: dict[str, Element] = {}
    for answer in element.findall("answer"):
        written = (answer.findtext("text") or "").strip()
        value = written.lower()
        if value not in {"true", "false"}:
            # Moodle guesses true-then-false for old localised files; a guess
            # could flip the key, so the file is refused instead.
            raise _QuestionError(
                builder.line(answer),
                f"A true/false answer must be “true” or “false”, not “{written}”",
            )
        if value in answers:
            raise _QuestionError(
                builder.line(answer), f"A true/false question has two “{value}” answers"
            )
        answers[value] = answer
    if len(answers) < 2:
        raise _QuestionError(
            line, "A true/false question needs a “true” and a “false” answer"
        )
    right = {
        value: math.isclose(_fraction(answer, builder, index), 1.0, abs_tol=TOLERANCE)
        for index, (value, answer) in enumerate(answers.items(), start=1)
    }
    if right["true"] == right["false"]:
        raise _QuestionError(
            line, "Exactly one of the answers “true” and “false” must be worth 100%"
        )
    choices = tuple(
        ParsedChoice(
            text=value.capitalize(),
            fraction=1.0 if right[value] else 0.0,
            feedback=_text(
                answers[value].find("feedback"), builder, default_format=text_format
            ),
        )
        for value in ("true", "false")
    )
    return ParsedQuestion(
        line=line,
        name=name,
        kind=QuestionKind.TRUE_FALSE.value,
        stem=stem,
        explanation=explanation,
        choices=choices,
        category=category,
    )


def _text(
    holder: Element | None, builder: _LineNotingBuilder, *, default_format: str
) -> str:
    """The plain text of a ``<… format="…"><text>…</text></…>`` element."""
    if holder is None or holder.find("text") is None:
        return ""
    raw = _plain(holder.find("text"), builder, holder.tag)
    text_format = (holder.get("format") or default_format).strip()
    if text_format in TEXT_FORMATS:
        return raw.strip()
    return html_to_text(raw)


def _only_markup(holder: Element | None) -> str:
    """Why a text that the file does give came out empty (an image, say)."""
    written = holder.findtext("text") if holder is not None else None
    if written and written.strip():
        return " once its HTML is reduced to text (pictures and media are not kept)"
    return ""


def _plain(text: Element, builder: _LineNotingBuilder, where: str) -> str:
    if len(text):
        raise _QuestionError(
            builder.line(text[0]),
            f"<{where}> has markup outside CDATA: write HTML as "
            "<![CDATA[ … ]]> or escape its < and &",
        )
    return text.text or ""


def _fraction(answer: Element, builder: _LineNotingBuilder, number: int) -> float:
    raw = (answer.get("fraction") or "0").strip()  # Moodle's default is 0
    try:
        value = float(Decimal(raw).scaleb(-2))
    except (InvalidOperation, ValueError):
        value = math.nan
    if not math.isfinite(value):
        raise _QuestionError(
            builder.line(answer),
            f"Answer {number} has a fraction that is not a number: “{raw}”",
        )
    return value


# --- Writing -------------------------------------------------------------------


def write(questions: Iterable[ParsedQuestion], out: TextIO) -> list[ExportSkip]:
    """Write ``questions`` as a Moodle XML file Moodle 4.x imports as it is."""
    skipped: list[ExportSkip] = []
    category: str | None = None
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n')
    for question in questions:
        problem = _unwritable(question)
        if problem:
            skipped.append(ExportSkip(question.name, problem))
            continue
        if question.category != category and (question.category or category):
            out.write(_category_xml(question.category))
        category = question.category
        out.write(_question_xml(question))
    out.write("</quiz>\n")
    return skipped


def _unwritable(question: ParsedQuestion) -> str:
    """Why ``question`` cannot be written so that it reads back; "" if it can.

    Values from the database always can; these guard against a file Moodle (and
    this module) would refuse.
    """
    if question.kind == QuestionKind.TRUE_FALSE:
        if [choice.text for choice in question.choices] != ["True", "False"]:
            return "a true/false question needs the choices True and False"
    elif question.kind == QuestionKind.SINGLE and not any(
        math.isclose(choice.fraction, 1.0, abs_tol=TOLERANCE)
        for choice in question.choices
    ):
        return "a single-answer question needs an option worth 100%"
    if len(question.choices) < 2:
        return "a question needs at least 2 options"
    texts = [question.name, question.stem, question.explanation, question.category]
    for choice in question.choices:
        texts += [choice.text, choice.feedback]
        if not math.isfinite(choice.fraction):
            return f"a weight is not a number ({choice.fraction})"
    for text in texts:
        found = NOT_XML_CHAR.search(text)
        if found:
            return (
                f"it contains the character U+{ord(found.group()):04X}, which XML "
                "cannot carry"
            )
    return ""


def _category_xml(path: str) -> str:
    return (
        "\n<!-- question: 0  -->\n"
        '  <question type="category">\n'
        "    <category>\n"
        f"      <text>{_cdata(path)}</text>\n"
        "    </category>\n"
        '    <info format="moodle_auto_format">\n'
        "      <text></text>\n"
        "    </info>\n"
        "    <idnumber></idnumber>\n"
        "  </question>\n"
    )


def _question_xml(question: ParsedQuestion) -> str:
    true_false = question.kind == QuestionKind.TRUE_FALSE
    parts = [
        f'\n  <question type="{"truefalse" if true_false else "multichoice"}">\n',
        "    <name>\n",
        f"      <text>{_cdata(question.name)}</text>\n",
        "    </name>\n",
        '    <questiontext format="plain_text">\n',
        f"      <text>{_cdata(question.stem)}</text>\n",
        "    </questiontext>\n",
        '    <generalfeedback format="plain_text">\n',
        f"      <text>{_cdata(question.explanation)}</text>\n",
        "    </generalfeedback>\n",
        "    <defaultgrade>1.0000000</defaultgrade>\n",
        # Moodle's defaults: a wrong try costs everything on true/false, a third
        # on multiple choice (the penalty only counts in interactive modes).
        f"    <penalty>{'1.0000000' if true_false else '0.3333333'}</penalty>\n",
        "    <hidden>0</hidden>\n",
        "    <idnumber></idnumber>\n",
    ]
    if true_false:
        for choice in question.choices:
            parts.append(_answer_xml(choice.text.lower(), choice, plain=False))
    else:
        single = "true" if question.kind == QuestionKind.SINGLE else "false"
        parts += [
            f"    <single>{single}</single>\n",
            "    <shuffleanswers>true</shuffleanswers>\n",
            "    <answernumbering>abc</answernumbering>\n",
            "    <showstandardinstruction>0</showstandardinstruction>\n",
        ]
        for field in COMBINED_FEEDBACK:
            parts.append(
                f'    <{field} format="html">\n      <text></text>\n    </{field}>\n'
            )
        parts += [_answer_xml(choice.text, choice) for choice in question.choices]
    parts.append("  </question>\n")
    return "".join(parts)


def _answer_xml(text: str, choice: ParsedChoice, *, plain: bool = True) -> str:
    # Moodle writes true/false answers as the words "true"/"false" in its
    # auto-format; choice texts are ours, so plain text.
    answer_format = "plain_text" if plain else "moodle_auto_format"
    fraction = percent_text(choice.fraction)
    return (
        f'    <answer fraction="{fraction}" format="{answer_format}">\n'
        f"      <text>{_cdata(text) if plain else text}</text>\n"
        '      <feedback format="plain_text">\n'
        f"        <text>{_cdata(choice.feedback)}</text>\n"
        "      </feedback>\n"
        "    </answer>\n"
    )


def _cdata(text: str) -> str:
    """``text`` as CDATA, ``]]>`` split across two sections ("" stays empty)."""
    if not text:
        return ""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
