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

RESERVED = [
    "<", ">", "&", '"', "'", "]]>", "<![CDATA[", "]]]]><![CDATA[>", "]]", "]>",
    "<!--", "-->", "&amp;", "&lt;", "&#x41;", "<p>", "</text>", "<?xml", "\n",
    "\t", "$course$/top", "%", "{", "}",
]  # fmt: skip
# Everything XML 1.0 carries but control characters (tab and newline are drawn
# from RESERVED), surrogates and the two it excludes outright.
CHARACTERS = st.characters(
    blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"
)
MOODLE_WEIGHTS = [
    1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333,
    0.3, 0.25, 0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0,
    -0.05, -0.3333333, -0.5, -1.0, 1 / 3, -1 / 3, 1 / 7,
]  # fmt: skip

pieces = st.lists(
    st.one_of(st.sampled_from(RESERVED), st.text(CHARACTERS, max_size=12)),
    max_size=8,
).map("".join)
long_texts = st.tuples(pieces, st.integers(50, 400)).map(lambda pair: pair[0] * pair[1])
optional_text = st.one_of(pieces, long_texts).map(str.strip)
text = optional_text.filter(bool)
weights = st.one_of(
    st.sampled_from(MOODLE_WEIGHTS),
    st.floats(min_value=-1.0, max_value=1.0, allow_nan=False),
)
choices = st.builds(ParsedChoice, text=text, fraction=weights, feedback=optional_text)


@st.composite
def questions(draw) -> ParsedQuestion:
    kind = draw(st.sampled_from(["single", "multiple", "true_false"]))
    if kind == "true_false":
        true_right = draw(st.booleans())
        options = (
            ParsedChoice("True", float(true_right), draw(optional_text)),
            ParsedChoice("False", float(not true_right), draw(optional_text)),
        )
    else:
        options = draw(st.lists(choices, min_size=2, max_size=6))
        if kind == "single":
            key = draw(st.integers(0, len(options) - 1))
            options[key] = dataclasses.replace(options[key], fraction=1.0)
        options = tuple(options)
    return ParsedQuestion(
        line=0,
        name=draw(optional_text),
        kind=kind,
        stem=draw(text),
        explanation=draw(optional_text),
        choices=options,
        category=draw(st.sampled_from(["", "$course$/top/Renal", "$course$/top/A/B"])),
    )


def round_trip(written: list[ParsedQuestion]) -> ParseResult:
    out = io.StringIO()
    assert moodlexml.write(written, out) == []
    data = out.getvalue().encode("utf-8")
    return ParseResult.collect(moodlexml.parse(io.BytesIO(data)))


@settings(max_examples=200, deadline=None)
@given(st.lists(questions(), min_size=1, max_size=4))
def test_export_then_import_gives_the_same_questions(written):
    """Kind, name, stem, explanation, category and every choice's text, weight and
    feedback, in order, survive a write and a read."""
    result = round_trip(written)
    assert result.errors == [] and result.skipped == []
    assert [dataclasses.replace(q, line=0) for q in result.questions] == written


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_any_weight_reads_back_as_the_same_float(fraction):
    """The percentage we write for any finite weight reads back to that float."""
    question = ParsedQuestion(
        line=0,
        name="",
        kind="multiple",
        stem="Which?",
        explanation="",
        choices=(ParsedChoice("a", fraction), ParsedChoice("b", 0.0)),
    )
    [read] = round_trip([question]).questions
    assert read.choices[0].fraction == fraction
