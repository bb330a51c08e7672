"""Reading and writing GIFT, Moodle's plain-text question format.

Each ``tests/fixtures/formats/gift/<case>.gift`` sits next to its expected parse,
``<case>.json``, in the ``import_questions --dry-run --json`` layout. The cases
rebuild, as our own files, what Moodle's GIFT format tests cover (multiple choice,
multiple response with tricky weights, true/false with feedback, backslashes and
escapes, spaces, the skipped types, category lines, missing word, comments and
names with escaped colons), plus the errors. ``export/<case>.json`` holds questions
and ``export/<case>.gift`` exactly what ``write`` makes of them.
"""

import dataclasses
import io
import json
from pathlib import Path

import pytest

from quizzes.formats import format_module, gift
from quizzes.formats.base import (
    FormatError,
    ParsedChoice,
    ParsedQuestion,
    SkippedQuestion,
)
from tests.formats import dry_run
from tests.formats.builders import parsed_question
from tests.formats.dry_run import expected_parse, fixture_cases, parsed_fixture

FIXTURES = dry_run.FIXTURES / "gift"
EXPORT_CASES = sorted((FIXTURES / "export").glob("*.json"))


def _read(text: str | bytes) -> list:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return list(gift.parse(io.BytesIO(data)))


def _questions(path: Path) -> list[ParsedQuestion]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        ParsedQuestion(
            line=0,
            name=question["name"],
            kind=question["kind"],
            stem=question["stem"],
            explanation=question["explanation"],
            choices=tuple(ParsedChoice(**choice) for choice in question["choices"]),
            category=question["category"],
        )
        for question in data["questions"]
    ]


@pytest.mark.parametrize("path", fixture_cases("gift", ".gift"))
def test_each_fixture_parses_to_its_expected_json(path):
    """Every fixture file reads to exactly its ``.json``: questions, skipped types
    and errors, each with its line."""
    assert parsed_fixture(gift, path) == expected_parse(path)


@pytest.mark.parametrize("path", EXPORT_CASES, ids=lambda path: path.stem)
def test_each_export_fixture_is_written_exactly(path):
    """Questions are written as Moodle writes them: ``::name::`` when there is one,
    ``=`` for the key of a single question, ``~`` for 0, ``~%n%`` otherwise, true/
    false as ``{TRUE#wrong#right}``, ``####`` general feedback and a ``$CATEGORY:``
    line wherever the category changes, every reserved character escaped."""
    out = io.StringIO()
    assert gift.write(_questions(path), out) == []
    assert out.getvalue() == path.with_suffix(".gift").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", EXPORT_CASES, ids=lambda path: path.stem)
def test_each_export_fixture_reads_back_as_its_questions(path):
    """What is written reads back as the same questions, category included."""
    with path.with_suffix(".gift").open("rb") as stream:
        read = [dataclasses.replace(item, line=0) for item in gift.parse(stream)]
    assert read == _questions(path)


def test_the_registry_names_this_module_with_its_file_details():
    """``gift`` is registered, exports ``.gift`` files as UTF-8 plain text."""
    assert format_module("gift") is gift
    assert (gift.NAME, gift.LABEL, gift.EXTENSION) == ("gift", "GIFT", ".gift")
    assert gift.MEDIA_TYPE == "text/plain; charset=utf-8"


def test_category_lines_set_the_category_of_the_questions_after_them():
    """``$CATEGORY:`` applies to every question until the next one; an empty path
    means no category again. A category line ends the question before it even
    without a blank line, rather than becoming part of its text."""
    with (FIXTURES / "categories.gift").open("rb") as stream:
        categories = [question.category for question in gift.parse(stream)]
    assert categories == [
        "",
        "$course$/top/Cardiology",
        "$course$/top/Cardiology",
        "$course$/top/Cardiology/ECG: basics",
        "",
        "Without a blank line before it",
    ]


def test_a_block_with_an_equals_answer_is_single_best_answer():
    """``=`` is the 100% answer; with any ``~`` beside it the question is single."""
    (question,) = _read("Which?{=right ~wrong ~%50%half}")
    assert question.kind == "single"
    assert [choice.fraction for choice in question.choices] == [1.0, 0.0, 0.5]


def test_a_block_with_only_tilde_answers_is_multiple_response():
    """No ``=`` answer: multiple response, even when one answer is worth 100%."""
    (question,) = _read("Which?{~%100%right ~%-50%wrong ~%-50%also wrong}")
    assert question.kind == "multiple"
    assert [choice.fraction for choice in question.choices] == [1.0, -0.5, -0.5]


def test_a_weight_is_read_exactly_as_the_file_writes_it():
    """``~%33.33333%`` is the float nearest 0.3333333, not 33.33333 / 100."""
    (question,) = _read("Which?{~%33.33333%a ~%66.66667%b}")
    assert [choice.fraction for choice in question.choices] == [0.3333333, 0.6666667]


def test_true_false_feedback_goes_to_the_answer_that_shows_it():
    """In ``{FALSE#wrong#right}`` the first feedback is shown on picking True
    (the wrong answer) and the second on picking False."""
    (question,) = _read("The sky is green.{FALSE#No, it is not.#Right.}")
    assert question.choices == (
        ParsedChoice("True", 0.0, "No, it is not."),
        ParsedChoice("False", 1.0, "Right."),
    )


def test_a_missing_word_block_leaves_a_blank_in_its_place():
    """Text after the block: the block becomes ``_____``, spacing as written."""
    (question,) = _read("The capital is {=Paris ~Rome}.")
    assert question.stem == "The capital is _____."


@pytest.mark.parametrize(
    ("text", "type_"),
    [
        ("How are you?{}", "essay"),
        ("A number?{#3:2}", "numerical"),
        ("Who?{=no one =nobody}", "shortanswer"),
        ("Match.{=a -> 1 =b -> 2}", "matching"),
        ("Only words.", "description"),
        ("A {=b ~c} and {=d ~e}.", "cloze"),
    ],
)
def test_types_this_platform_lacks_are_skipped_never_misread(text, type_):
    """Each type the platform has no place for is reported with its line and a
    reason, and is not read as another type."""
    (item,) = _read("// first line is a comment\n" + text)
    assert isinstance(item, SkippedQuestion)
    assert (item.line, item.type) == (2, type_)
    assert item.reason


def test_an_error_names_the_line_of_the_problem_and_reading_goes_on():
    """An empty answer on the fifth line is reported there; the next question is
    still read."""
    items = _read("::q:: Which?\n{\n=a\n~b\n~\n}\n\nNext?{=yes ~no}")
    assert items[0] == FormatError(5, "Answer 3 has no text")
    assert items[1].stem == "Next?"


def test_an_unclosed_brace_has_its_own_message():
    """An answer block without its ``}`` is an error, not a description."""
    (error,) = _read("Where is it?\n{=here ~there")
    assert error == FormatError(2, "Unclosed { in question: add the closing }")


def test_a_question_with_one_answer_is_an_error():
    """The database cannot hold a question with fewer than two options."""
    (error,) = _read("Only one?{~only}")
    assert error == FormatError(1, "Question must have at least 2 answers")


def test_bytes_that_are_not_utf8_stop_the_reading_with_their_line():
    """A non-UTF-8 byte is reported with its line and column; nothing after it is
    read."""
    items = _read(b"First?{=a ~b}\n\nSecond \xff?{=a ~b}\n\nThird?{=a ~b}\n")
    assert [type(item) for item in items] == [ParsedQuestion, FormatError]
    assert items[1] == FormatError(
        3, "not UTF-8: byte 0xFF at column 8 cannot be read; save the file as UTF-8"
    )


def test_a_utf16_file_is_refused_at_its_first_line():
    """A UTF-16 file without a byte-order mark decodes as UTF-8 full of NULs, which
    no database text holds: it is refused where the first NUL is, as in Aiken and
    CSV, instead of coming in as questions with NULs in their texts."""
    (error,) = _read("Which?{=a ~b}\n".encode("utf-16-le"))
    assert error.line == 1
    assert error.message.startswith("not UTF-8 text: a NUL byte at column 2")


def test_parse_reads_the_file_one_question_at_a_time():
    """The first question comes out once its block has been read, before the rest
    of the file: memory is bounded by a question, not the file."""
    consumed = []

    def lines():
        for number, line in enumerate([b"First?{=a ~b}\n", b"\n"] * 1000, start=1):
            consumed.append(number)
            yield line

    first = next(gift.parse(lines()))
    assert first.stem == "First?"
    assert len(consumed) == 2


def test_a_question_the_format_cannot_carry_is_reported_not_written():
    """A single best answer with no 100% option would read back as multiple
    response, so it is returned as skipped instead of written."""
    question = parsed_question(
        ParsedChoice("a", 0.5), ParsedChoice("b", 0.0), name="no key"
    )
    out = io.StringIO()
    (skip,) = gift.write([question], out)
    assert skip.name == "no key"
    assert out.getvalue() == ""


def test_two_questions_without_a_blank_line_between_them_are_an_error():
    """A block that ends its line followed by another block on the next line is
    two questions run together, not one Cloze question: reported where the
    second starts, so that neither is lost."""
    (error,) = _read("First?{=a ~b}\nSecond?{=c ~d}")
    assert error == FormatError(
        2,
        "A second answer block follows on another line: separate questions with a "
        "blank line",
    )
