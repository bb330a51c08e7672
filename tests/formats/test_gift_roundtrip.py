"""GIFT round trips: what ``gift.write`` writes, ``gift.parse`` reads back the same.

Hypothesis generates questions of every kind whose texts are full of GIFT's
reserved characters (``~ = # { } :`` and the backslash), newlines, things that look
like format prefixes, weights, comments and category lines, any unicode the domain
allows, long texts and empty feedback.
"""

import dataclasses
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzes.formats import gift
from quizzes.formats.base import ParsedChoice, ParsedQuestion
from quizzes.formats.percent import percent_text
from tests.formats import strategies
from tests.formats.builders import parsed_question

# What GIFT treats specially, or what could be taken for structure.
TRICKY = [
    "~", "=", "#", "{", "}", ":", "\\", "\n", "%", "[", "]", "/", " ",
    "::", "####", "\\n", "\\\\", "[html]", "[plain]", "[markdown]", "[moodle]",
    "//", "%50%", "%-33.3%", "%%", "TRUE", "{T}", "->", "$CATEGORY:", "_____",
    "<b>x</b>", "&amp;", "é", "日本語", "🩺", "\u2028", "\u00a0",
]  # fmt: skip
PIECE = strategies.pieces(strategies.characters(), TRICKY, max_size=8)
SHORT = strategies.short_texts(PIECE, max_pieces=12)
# Short texts three times as often as long ones.
TEXT = strategies.texts(
    SHORT, SHORT, SHORT, strategies.long_texts(PIECE, min_size=500, max_size=3000)
)
OPTIONAL = strategies.optional(TEXT)
WEIGHTS = st.one_of(
    st.sampled_from([0.0, 1.0, 0.5, -1.0, -0.5, 0.3333333, 1 / 3, -1 / 3, 0.1]),
    st.floats(allow_nan=False, allow_infinity=False),
)
# Every kind, any finite weights, a title, feedback, general feedback and a
# category that may each be empty.
QUESTIONS = strategies.questions(
    text=TEXT,
    fractions=strategies.key_forced(WEIGHTS),
    name=OPTIONAL,
    explanation=OPTIONAL,
    feedback=OPTIONAL,
    category=st.one_of(st.just(""), st.just("Cardiology/ECG"), OPTIONAL),
)


def _round_trip(written: list[ParsedQuestion]) -> list[ParsedQuestion]:
    out = io.StringIO()
    assert gift.write(written, out) == []
    read = list(gift.parse(io.BytesIO(out.getvalue().encode("utf-8"))))
    return [dataclasses.replace(item, line=0) for item in read]


@settings(max_examples=100, deadline=None)
@given(st.lists(QUESTIONS, min_size=1, max_size=4))
def test_written_questions_read_back_identical(written):
    """Kind, name, stem, explanation, category and every choice's text, weight and
    feedback, in order, survive a write then a parse."""
    assert _round_trip(written) == written


@settings(max_examples=100, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_weight_reads_back_as_the_same_float(fraction):
    """A weight is written as a plain decimal percentage (no exponent, which
    Moodle cannot read) that reads back to exactly the same float."""
    percent = percent_text(fraction)
    assert "e" not in percent.lower()
    question = parsed_question(
        ParsedChoice("a", fraction), ParsedChoice("b", 1.0), kind="multiple"
    )
    (read,) = _round_trip([question])
    assert read.choices[0].fraction == fraction


def test_a_single_question_whose_options_are_all_keys_stays_single():
    """{=a =b} is Moodle's short answer, so only the first key is written with =."""
    question = parsed_question(ParsedChoice("a", 1.0), ParsedChoice("b", 1.0))
    assert _round_trip([question]) == [question]


@pytest.mark.parametrize("text", ["%50% of patients", "%% left", "%5 % more"])
def test_a_wrong_option_that_starts_like_a_weight_keeps_its_text(text):
    """An option text starting with "%" after a bare ~ would be read as its weight
    (or as a malformed one), so it is written behind an explicit ~%0%."""
    question = parsed_question(ParsedChoice("a", 1.0), ParsedChoice(text, 0.0))
    assert _round_trip([question]) == [question]


def test_windows_line_ends_in_a_text_read_back_as_newlines():
    """A "\r\n" inside a text is written as the newline escape alone, so no line
    of the file is ever split inside a question."""
    question = parsed_question(
        ParsedChoice("a\r\nb", 1.0),
        ParsedChoice("c", 0.0),
        stem="First line\r\nsecond line",
    )
    out = io.StringIO()
    gift.write([question], out)
    assert "\r" not in out.getvalue()
    (read,) = gift.parse(io.BytesIO(out.getvalue().encode("utf-8")))
    assert (read.stem, read.choices[0].text) == ("First line\nsecond line", "a\nb")
