"""Moodle XML round trips: what we write reads back as the same questions.

hypothesis draws questions of every kind with XML's reserved characters, CDATA
markers, unicode, long texts, empty names and feedback, every weight Moodle
writes and arbitrary ones, and category changes; ``parse(write(questions))``
must give them back unchanged (``line`` aside, which the parse sets).
"""

from __future__ import annotations

import dataclasses
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from quizzes.formats import moodlexml
from quizzes.formats.base import ParsedChoice, ParsedQuestion, ParseResult
from tests.formats import strategies
from tests.formats.builders import parsed_question

RESERVED = [
    "<", ">", "&", '"', "'", "]]>", "<![CDATA[", "]]]]><![CDATA[>", "]]", "]>",
    "<!--", "-->", "&amp;", "&lt;", "&#x41;", "<p>", "</text>", "<?xml", "\n",
    "\t", "$course$/top", "%", "{", "}",
]  # fmt: skip
# Everything XML 1.0 carries but control characters (tab and newline are drawn
# from RESERVED), surrogates and the two it excludes outright.
CHARACTERS = strategies.characters(also_exclude="\ufffe\uffff")
MOODLE_WEIGHTS = [
    1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333,
    0.3, 0.25, 0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0,
    -0.05, -0.3333333, -0.5, -1.0, 1 / 3, -1 / 3, 1 / 7,
]  # fmt: skip
PIECE = strategies.pieces(CHARACTERS, RESERVED, max_size=12)
TEXT = strategies.texts(
    strategies.short_texts(PIECE),
    strategies.long_texts(PIECE, min_size=500, max_size=5000),
)
OPTIONAL = strategies.optional(TEXT)
WEIGHTS = st.one_of(
    st.sampled_from(MOODLE_WEIGHTS),
    st.floats(min_value=-1.0, max_value=1.0, allow_nan=False),
)
# Every kind, every weight Moodle writes and arbitrary ones, empty names and
# feedback, and category changes.
QUESTIONS = strategies.questions(
    text=TEXT,
    fractions=strategies.key_forced(WEIGHTS),
    name=OPTIONAL,
    explanation=OPTIONAL,
    feedback=OPTIONAL,
    category=st.sampled_from(["", "$course$/top/Renal", "$course$/top/A/B"]),
)


def round_trip(written: list[ParsedQuestion]) -> ParseResult:
    out = io.StringIO()
    assert moodlexml.write(written, out) == []
    data = out.getvalue().encode("utf-8")
    return ParseResult.collect(moodlexml.parse(io.BytesIO(data)))


@settings(max_examples=100, deadline=None)
@given(st.lists(QUESTIONS, min_size=1, max_size=4))
def test_export_then_import_gives_the_same_questions(written):
    """Kind, name, stem, explanation, category and every choice's text, weight and
    feedback, in order, survive a write and a read."""
    result = round_trip(written)
    assert result.errors == [] and result.skipped == []
    assert [dataclasses.replace(q, line=0) for q in result.questions] == written


@settings(max_examples=100, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_any_weight_reads_back_as_the_same_float(fraction):
    """The percentage we write for any finite weight reads back to that float."""
    question = parsed_question(
        ParsedChoice("a", fraction), ParsedChoice("b", 0.0), kind="multiple"
    )
    [read] = round_trip([question]).questions
    assert read.choices[0].fraction == fraction
