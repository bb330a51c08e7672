"""CSV round trips: what ``write`` puts out, ``parse`` reads back unchanged."""

from __future__ import annotations

import dataclasses
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from quizzes.formats import csvbank
from quizzes.formats.base import ParseResult
from quizzes.formats.weights import platform_fractions
from tests.formats import strategies

CHARACTERS = strategies.characters()
# What CSV and spreadsheets read specially: separators, quotes, the apostrophe that
# defuses a formula, formula starts, newlines, a byte-order mark.
RESERVED = [",", ";", '"', '""', "'", "''", "=", "+", "-", "@", "'=", "\n", "\ufeff"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PIECE = strategies.pieces(CHARACTERS, RESERVED, max_size=10)
TEXT = strategies.texts(
    strategies.short_texts(PIECE),
    strategies.long_texts(PIECE, min_size=200, max_size=800),
)
OPTIONAL = strategies.optional(TEXT)


@st.composite
def fractions(draw, kind: str, count: int) -> list[float]:
    """Weights that agree with a key, as a file or this platform gives them."""
    if kind == "multiple":
        keys = draw(st.lists(st.booleans(), min_size=count, max_size=count))
        keys[draw(st.integers(0, count - 1))] = True
        if draw(st.booleans()):
            return platform_fractions(kind=kind, keys=keys)
        positive = st.floats(min_value=0, max_value=1, exclude_min=True)
        negative = st.floats(min_value=-1, max_value=0)
        return [draw(positive if key else negative) for key in keys]
    key = draw(st.integers(0, count - 1))
    other = st.one_of(st.just(0.0), st.floats(min_value=-1, max_value=0.9))
    return [1.0 if index == key else draw(other) for index in range(count)]


# Every kind, 2 to 7 options (past the export's A–E columns), every text of a row.
QUESTIONS = strategies.questions(
    text=TEXT,
    fractions=fractions,
    choice_counts=(2, 7),
    name=OPTIONAL,
    explanation=OPTIONAL,
    feedback=OPTIONAL,
    source_quote=OPTIONAL,
)


@settings(max_examples=100, deadline=None)
@given(st.lists(QUESTIONS, min_size=1, max_size=3))
def test_written_bank_reads_back_identical(bank):
    """Kind, name, stem, options, key, weights, rationales, explanation and source
    quote survive ``write`` then ``parse``, whatever the texts hold."""
    out = io.StringIO()
    assert csvbank.write(bank, out) == []
    result = ParseResult.collect(csvbank.parse(io.BytesIO(out.getvalue().encode())))
    assert result.errors == []
    assert [dataclasses.replace(q, line=0) for q in result.questions] == bank


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_undefuse_gives_back_every_defused_text(text):
    """Import undoes export's apostrophe, for every text (a bijection, not a
    one-way escape), and the exported cell never starts a formula."""
    cell = csvbank.defuse(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert csvbank.undefuse(cell) == text


@settings(max_examples=100, deadline=None)
@given(st.text().filter(lambda cell: not cell.startswith(FORMULA_STARTS)))
def test_defuse_gives_back_every_safe_cell(cell):
    """Export gives back any cell a spreadsheet would not run (the other
    direction): ``'=x`` reads as ``=x`` and writes as ``'=x`` again."""
    assert csvbank.defuse(csvbank.undefuse(cell)) == cell


def test_defuse_and_undefuse_on_apostrophe_runs():
    """Each formula-like text gets exactly one apostrophe more; others none."""
    cases = {"=1": "'=1", "'=1": "''=1", "''@x": "'''@x", "'plain": "'plain"}
    for text, cell in cases.items():
        assert csvbank.defuse(text) == cell
        assert csvbank.undefuse(cell) == text
