"""Question banks as CSV in and out (quizzes.formats.csvbank)."""

from __future__ import annotations

import csv
import io

import pytest

from quizzes.formats import csvbank
from quizzes.formats.base import (
    FormatError,
    ParsedChoice,
    ParsedQuestion,
    ParseResult,
)
from tests.formats.dry_run import expected_parse, fixture_cases, parsed_fixture

HEADER = "kind,stem,option_a,option_b,key\n"


def parse_text(text: str) -> ParseResult:
    return ParseResult.collect(csvbank.parse(io.BytesIO(text.encode())))


def question(kind="single", fractions=(1.0, 0.0), **fields) -> ParsedQuestion:
    texts = fields.pop("texts", [f"option {i}" for i in range(len(fractions))])
    return ParsedQuestion(
        line=0,
        name=fields.pop("name", ""),
        kind=kind,
        stem=fields.pop("stem", "Stem?"),
        explanation=fields.pop("explanation", ""),
        choices=tuple(
            ParsedChoice(text=text, fraction=fraction)
            for text, fraction in zip(texts, fractions, strict=True)
        ),
        **fields,
    )


def written_rows(questions: list[ParsedQuestion]) -> list[dict[str, str]]:
    out = io.StringIO()
    assert csvbank.write(questions, out) == []
    text = out.getvalue()
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


@pytest.mark.parametrize("case", fixture_cases("csv", ".csv"))
def test_fixture_parses_to_its_expected_json(case):
    """Each fixture file reads to the ``--dry-run --json`` layout stored next to it."""
    assert parsed_fixture(csvbank, case) == expected_parse(case)


def test_unknown_and_missing_columns_are_named_at_line_1():
    """A header with an unknown column and without a required one is refused at its
    line, naming both; no row is read."""
    result = parse_text("kind,stem,option_a,option_b,answer\nsingle,S,a,b,A\n")
    assert result.questions == []
    assert [error.line for error in result.errors] == [1, 1]
    assert "Unknown column(s): answer." in result.errors[0].message
    assert result.errors[1].message == "Missing required column(s): key"


def test_row_line_is_where_a_multi_line_row_starts():
    """A row after a quoted cell spanning lines is reported at its own first line."""
    result = parse_text(HEADER + 'single,"two\nlines",a,b,A\nsingle,S,a,b,Z\n')
    assert result.questions[0].line == 2
    assert result.errors == [FormatError(4, "Key names Z, but option_z is empty")]


def test_key_letter_naming_an_empty_option_is_refused():
    """A key letter must name a filled option."""
    result = parse_text(HEADER + "single,S,a,b,C\n")
    assert result.errors == [FormatError(2, "Key names C, but option_c is empty")]


def test_semicolon_separated_file_from_excel_is_read():
    """A file Excel saved with ``;`` (decimal-comma locales) reads like one with
    ``,``."""
    result = parse_text("kind;stem;option_a;option_b;key\nsingle;S, too;a;b;B\n")
    assert result.errors == []
    assert result.questions[0].stem == "S, too"


def test_bytes_that_are_not_utf8_say_how_to_save_from_excel():
    """A file saved in a legacy code page is refused at its first bad line, with
    how to save it as UTF-8."""
    data = (HEADER + "single,Café,a,b,A\n").encode("cp1252")
    result = ParseResult.collect(csvbank.parse(io.BytesIO(data)))
    assert len(result.errors) == 1
    assert result.errors[0].line == 2
    assert result.errors[0].message.startswith("not UTF-8: byte 0xE9 at column 11")
    assert "CSV UTF-8" in result.errors[0].message


def test_source_quote_is_read():
    """The ``source_quote`` column fills the question's quote."""
    result = parse_text(
        "kind,stem,option_a,option_b,key,source_quote\nsingle,S,a,b,A,The quote.\n"
    )
    assert result.questions[0].source_quote == "The quote."


def test_export_writes_the_documented_header():
    """The export's header names options, rationales and weights A–E."""
    out = io.StringIO()
    csvbank.write([], out)
    assert out.getvalue() == (
        "\ufeffname,kind,stem,option_a,option_b,option_c,option_d,option_e,key,"
        "rationale_a,rationale_b,rationale_c,rationale_d,rationale_e,explanation,"
        "source_quote,weight_a,weight_b,weight_c,weight_d,weight_e\r\n"
    )


def test_export_adds_option_columns_for_a_question_with_more_than_five():
    """A question with seven options gets columns up to G, not an export skip."""
    rows = written_rows([question(fractions=(1.0, 0, 0, 0, 0, 0, 0))])
    assert rows[0]["option_g"] == "option 6"
    assert "option_h" not in rows[0]


def test_export_defuses_cells_a_spreadsheet_would_run_as_formulas():
    """Texts starting with = + - @ get a leading apostrophe; weights stay numbers."""
    rows = written_rows(
        [
            question(
                kind="multiple",
                fractions=(1.0, -0.5),
                stem="=HYPERLINK(x)",
                texts=["+1", "@a"],
                name="-n",
            )
        ]
    )
    row = rows[0]
    assert (row["name"], row["stem"]) == ("'-n", "'=HYPERLINK(x)")
    assert (row["option_a"], row["option_b"]) == ("'+1", "'@a")
    assert (row["weight_a"], row["weight_b"]) == ("100", "-50")


def test_export_leaves_weights_blank_when_the_key_gives_them():
    """Weights our own rule derives from the key are left blank; others are
    written in percent, exactly."""
    rows = written_rows(
        [
            question(kind="multiple", fractions=(0.5, -0.5, 0.5)),
            question(kind="multiple", fractions=(0.3333333, 0.3333333, -1.0)),
        ]
    )
    assert [rows[0][f"weight_{x}"] for x in "abc"] == ["", "", ""]
    assert [rows[1][f"weight_{x}"] for x in "abc"] == ["33.33333", "33.33333", "-100"]
    assert rows[0]["key"] == "A;C"


def test_unclosed_quote_in_the_header_is_an_error_at_line_1():
    """Broken CSV in the header line is reported, not raised."""
    result = parse_text('kind,"stem,option_a,option_b,key\nsingle,S,a,b,A\n')
    assert result.errors == [
        FormatError(
            1, 'A quoted cell in this row is never closed: a " has no closing "'
        )
    ]


def test_weight_too_large_for_a_float_is_refused():
    """A weight beyond any float is not a number, not infinity."""
    result = parse_text(
        "kind,stem,option_a,option_b,key,weight_a,weight_b\nsingle,S,a,b,A,1e400,0\n"
    )
    assert result.errors == [
        FormatError(2, "weight_a “1e400” is not a number (a percent: 100, 50, -25)")
    ]


def test_value_under_a_column_without_header_is_refused():
    """Columns Excel leaves without a name are ignored, unless a row fills them."""
    result = parse_text(
        HEADER.rstrip("\n") + ",,\nsingle,S,a,b,A,,\nsingle,T,a,b,A,,x\n"
    )
    assert [q.stem for q in result.questions] == ["S"]
    assert result.errors == [FormatError(3, "Column 7 has a value but no header")]


def test_utf16_file_is_refused_with_a_hint():
    """A spreadsheet saved as UTF-16 text (NULs between the letters) is refused."""
    data = HEADER.encode("utf-16-le")
    result = ParseResult.collect(csvbank.parse(io.BytesIO(data)))
    assert len(result.errors) == 1
    assert result.errors[0].message.startswith("not UTF-8 text: a NUL byte")


def test_rows_are_read_as_the_questions_are_used():
    """The first question comes out before the rest of the file is read."""
    rows = "".join(f"single,Stem {n},a,b,A\n" for n in range(2000))
    stream = io.BytesIO((HEADER + rows).encode())
    first = next(csvbank.parse(stream))
    assert first.stem == "Stem 0"
    assert stream.tell() < 100
