"""Aiken round trips: what ``write`` puts out, ``parse`` reads back unchanged."""

from __future__ import annotations

import dataclasses
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from quizzes.formats import aiken
from quizzes.formats.base import ParsedQuestion, ParseResult
from tests.formats import strategies

CHARACTERS = strategies.characters()
# What Aiken reads specially: option marks, the ANSWER line, a byte-order mark.
RESERVED = ["A) ", "B. ", "Z)", ")", ".", "ANSWER:", "ANSWER: B", " ", "\ufeff"]
# A whole text that reads as an option line or an ANSWER line.
LOOKALIKES = st.builds(
    lambda letter, mark, rest: f"{letter}{mark} {rest}",
    st.sampled_from("ABZ"),
    st.sampled_from(")."),
    st.text(CHARACTERS, max_size=10),
) | st.sampled_from(["ANSWER: A", "ANSWER: Z", "ANSWER:", "A)", "ANSWER: AB"])


def questions(*, newlines: bool = False) -> st.SearchStrategy[ParsedQuestion]:
    """Single best answer questions, one key, no title or feedback (all Aiken
    carries), with texts mixing unicode, Aiken's marks, look-alike lines and long
    runs."""
    piece = strategies.pieces(
        CHARACTERS, RESERVED + (["\n", " \n "] if newlines else []), max_size=12
    )
    text = strategies.texts(
        strategies.short_texts(piece),
        strategies.long_texts(piece, min_size=200, max_size=800),
        LOOKALIKES,
    )
    return strategies.questions(
        text=text, fractions=strategies.one_key, kinds=["single"]
    )


def round_trip(bank: list[ParsedQuestion]) -> ParseResult:
    out = io.StringIO()
    assert aiken.write(bank, out) == []
    return ParseResult.collect(aiken.parse(io.BytesIO(out.getvalue().encode())))


@settings(max_examples=100, deadline=None)
@given(st.lists(questions(), min_size=1, max_size=3))
def test_written_bank_reads_back_identical(bank):
    """Stem, options and key survive ``write`` then ``parse``, whatever the texts
    hold, including a text that reads as an option or an ANSWER line."""
    result = round_trip(bank)
    assert result.errors == []
    assert [dataclasses.replace(q, line=0) for q in result.questions] == bank


def one_line(question: ParsedQuestion) -> ParsedQuestion:
    """``question`` as Aiken keeps it: every text on one line."""
    return dataclasses.replace(
        question,
        stem=aiken._one_line(question.stem),
        choices=tuple(
            dataclasses.replace(choice, text=aiken._one_line(choice.text))
            for choice in question.choices
        ),
    )


@settings(max_examples=100, deadline=None)
@given(st.lists(questions(newlines=True), min_size=1, max_size=3))
def test_texts_with_newlines_read_back_on_one_line(bank):
    """A text with newlines comes back with each newline made one space, and
    nothing else changed."""
    result = round_trip(bank)
    assert result.errors == []
    expected = [one_line(question) for question in bank]
    assert [dataclasses.replace(q, line=0) for q in result.questions] == expected
