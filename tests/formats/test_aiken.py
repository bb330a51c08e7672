"""Aiken files in and out (quizzes.formats.aiken)."""

from __future__ import annotations

import io

import pytest

from quizzes.formats import aiken
from quizzes.formats.base import (
    ExportSkip,
    FormatError,
    ParsedChoice,
    ParsedQuestion,
    ParseResult,
)
from tests.formats.builders import parsed_question
from tests.formats.dry_run import expected_parse, fixture_cases, parsed_fixture


def parse_bytes(data: bytes) -> ParseResult:
    return ParseResult.collect(aiken.parse(io.BytesIO(data)))


def single(stem: str, options: list[str], key: int, **fields) -> ParsedQuestion:
    return ParsedQuestion(
        line=0,
        name=fields.get("name", ""),
        kind=fields.get("kind", "single"),
        stem=stem,
        explanation="",
        choices=tuple(
            ParsedChoice(text=text, fraction=1.0 if index == key else 0.0)
            for index, text in enumerate(options)
        ),
    )


def written(questions: list[ParsedQuestion]) -> tuple[str, list[ExportSkip]]:
    out = io.StringIO()
    skips = aiken.write(questions, out)
    return out.getvalue(), skips


@pytest.mark.parametrize("case", fixture_cases("aiken", ".txt"))
def test_fixture_parses_to_its_expected_json(case):
    """Each fixture file reads to the ``--dry-run --json`` layout stored next to it."""
    assert parsed_fixture(aiken, case) == expected_parse(case)


def test_unknown_answer_letter_names_the_options():
    """``ANSWER: F`` on a question with options A–D says so, at the ANSWER line."""
    result = parse_bytes(b"Q?\nA) a\nB) b\nC) c\nD) d\nANSWER: F\n")
    assert result.errors == [
        FormatError(6, "ANSWER: F does not name one of the options A–D")
    ]
    assert result.questions == []


def test_question_with_one_option_is_refused():
    """A question must have at least 2 options; the error is at its first line."""
    result = parse_bytes(b"\n\nQ?\nA) a\nANSWER: A\n")
    assert result.errors == [FormatError(3, "Question must have at least 2 options")]


def test_options_without_answer_line_are_refused_and_the_next_question_read():
    """A question whose ANSWER line is missing is an error; the one after it is
    still read."""
    result = parse_bytes(b"Q1?\nA) a\nB) b\n\nQ2?\nA) c\nB) d\nANSWER: B\n")
    assert result.errors == [FormatError(1, "Question has options but no ANSWER line")]
    assert [question.stem for question in result.questions] == ["Q2?"]
    assert result.questions[0].line == 5


def test_options_without_answer_line_at_end_of_file_are_refused():
    """The last question of a file still needs its ANSWER line."""
    result = parse_bytes(b"Q?\nA) a\nB) b")
    assert result.errors == [FormatError(1, "Question has options but no ANSWER line")]


def test_answer_line_without_options_is_refused():
    """An ANSWER line after a question's text, with no option between, is an error
    at the ANSWER line."""
    result = parse_bytes(b"Q?\nANSWER: A\n")
    assert result.errors == [FormatError(2, "ANSWER line without options")]


def test_stray_answer_line_is_refused():
    """An ANSWER line where a question should start is an error, not a question text
    (it is one only when an option follows at once)."""
    result = parse_bytes(b"Q?\nA) a\nB) b\nANSWER: A\nANSWER: B\n\nQ2?\nA) x\n"
                         b"B) y\nANSWER: A\n")  # fmt: skip
    assert result.errors == [FormatError(5, "ANSWER line without options")]
    assert [question.stem for question in result.questions] == ["Q?", "Q2?"]


def test_crlf_line_endings_and_bom_are_accepted():
    """A Windows file (byte-order mark, CRLF) reads like any other."""
    result = parse_bytes(b"\xef\xbb\xbfQ?\r\nA. a\r\nB. b\r\n\r\nANSWER: B\r\n")
    assert result.errors == []
    assert result.questions == [
        parsed_question(
            ParsedChoice("a", 0.0), ParsedChoice("b", 1.0), stem="Q?", line=1
        )
    ]


def test_bytes_that_are_not_utf8_stop_the_reading_at_their_line():
    """A Latin-1 file is reported at the first line that is not UTF-8, and reading
    stops there."""
    data = "Q?\nA) a\nB) b\nANSWER: A\n\nCafé?\nA) x\nB) y\nANSWER: A\n"
    result = parse_bytes(data.encode("latin-1"))
    assert [question.stem for question in result.questions] == ["Q?"]
    assert len(result.errors) == 1
    assert result.errors[0].line == 6
    assert result.errors[0].message.startswith("not UTF-8: byte 0xE9 at column 4")


def test_question_starting_with_an_option_reports_its_missing_text():
    """Options with no question text above them are named as such."""
    result = parse_bytes(b"A) a\nB) b\nC) c\nANSWER: B\n")
    assert result.errors == [
        FormatError(1, "Question text missing: the question starts with an option")
    ]


def test_write_gives_aiken_with_letters_and_answer_line():
    """A single best answer question is written as text, lettered options and
    ``ANSWER:``; questions are separated by a blank line."""
    text, skips = written(
        [single("Q1?", ["a", "b"], 1), single("Q2?", ["c", "d", "e"], 0)]
    )
    assert skips == []
    assert text == "Q1?\nA) a\nB) b\nANSWER: B\n\nQ2?\nA) c\nB) d\nC) e\nANSWER: A\n"


@pytest.mark.parametrize("kind", ["multiple", "true_false"])
def test_write_skips_questions_that_are_not_single_best_answer(kind):
    """Select-all and true/false questions are reported, not written."""
    question = single("Pick", ["True", "False"], 0, kind=kind, name="T1")
    text, skips = written([question, single("Q?", ["a", "b"], 0)])
    assert skips == [ExportSkip(name="T1", reason="Aiken has single best answer only")]
    assert text == "Q?\nA) a\nB) b\nANSWER: A\n"


def test_write_names_an_untitled_skipped_question_by_its_text():
    """A skipped question with no title is named by the start of its text."""
    question = single("Which of these apply?\nPick all", ["a", "b"], 0, kind="multiple")
    _, skips = written([question])
    assert skips[0].name == "Which of these apply? Pick all"


def test_write_puts_a_text_with_newlines_on_one_line():
    """Aiken texts are one line: a newline (and the spaces around it) is one space."""
    text, _ = written([single("Line one  \n  line two", ["a\nb", "c"], 0)])
    assert text.splitlines()[:2] == ["Line one line two", "A) a b"]


def test_write_keeps_the_key_and_drops_partial_credit():
    """A single best answer question with partial credit is written with its key;
    the other options read back as 0.0."""
    question = parsed_question(ParsedChoice("a", 0.5), ParsedChoice("b", 1.0))
    text, skips = written([question])
    assert skips == []
    back = parse_bytes(text.encode()).questions[0]
    assert [choice.fraction for choice in back.choices] == [0.0, 1.0]


def test_questions_are_read_as_they_are_used():
    """The first question comes out before the rest of the file is read."""
    data = b"".join(b"Q%d?\nA) a\nB) b\nANSWER: A\n\n" % n for n in range(2000))
    stream = io.BytesIO(data)
    first = next(aiken.parse(stream))
    assert first.stem == "Q0?"
    assert stream.tell() < 100


def test_a_nul_character_stops_the_reading():
    """A UTF-16 file (NULs between the letters) is refused at its first line."""
    result = parse_bytes("Q?\nA) a\nB) b\nANSWER: A\n".encode("utf-16-le"))
    assert result.questions == []
    assert [error.line for error in result.errors] == [1]
    assert result.errors[0].message.startswith("not UTF-8 text: a NUL byte")
