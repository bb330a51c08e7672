"""Aiken round trips: what ``write`` puts out, ``parse`` reads back unchanged."""

from __future__ import annotations

import dataclasses
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from quizzes.formats import aiken
from quizzes.formats.base import ParsedChoice, ParsedQuestion, ParseResult

# Any character but control characters (tab, CR, …) and lone surrogates.
CHARACTERS = st.characters(exclude_categories=("Cc", "Cs"))
# What Aiken reads specially: option marks, the ANSWER line, a byte-order mark.
RESERVED = ["A) ", "B. ", "Z)", ")", ".", "ANSWER:", "ANSWER: B", " ", "\ufeff"]


def texts(*, newlines: bool = False) -> st.SearchStrategy[str]:
    """Non-empty stripped texts mixing unicode, Aiken's marks and long runs."""
    pieces = [
        st.text(CHARACTERS, min_size=1, max_size=12),
        st.sampled_from(RESERVED + (["\n", " \n "] if newlines else [])),
    ]
    short = st.lists(st.one_of(*pieces), min_size=1, max_size=8).map("".join)
    long = st.text(CHARACTERS, min_size=200, max_size=800)
    # A whole text that reads as an option line or an ANSWER line.
    lookalike = st.builds(
        lambda letter, mark, rest: f"{letter}{mark} {rest}",
        st.sampled_from("ABZ"),
        st.sampled_from(")."),
        st.text(CHARACTERS, max_size=10),
    ) | st.sampled_from(["ANSWER: A", "ANSWER: Z", "ANSWER:", "A)", "ANSWER: AB"])
    return st.one_of(short, long, lookalike).map(str.strip).filter(bool)


@st.composite
def questions(draw, *, newlines: bool = False) -> ParsedQuestion:
    count = draw(st.integers(min_value=2, max_value=6))
    key = draw(st.integers(min_value=0, max_value=count - 1))
    return ParsedQuestion(
        line=0,
        name="",
        kind="single",
        stem=draw(texts(newlines=newlines)),
        explanation="",
        choices=tuple(
            ParsedChoice(
                text=draw(texts(newlines=newlines)),
                fraction=1.0 if index == key else 0.0,
            )
            for index in range(count)
        ),
    )


def round_trip(bank: list[ParsedQuestion]) -> ParseResult:
    out = io.StringIO()
    assert aiken.write(bank, out) == []
    return ParseResult.collect(aiken.parse(io.BytesIO(out.getvalue().encode())))


@settings(max_examples=200, deadline=None)
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
