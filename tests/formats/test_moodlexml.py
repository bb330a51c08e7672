"""Moodle XML: what a file reads as, what we write, and what Moodle's importer needs.

Each ``tests/fixtures/formats/moodlexml/<case>.xml`` sits next to its expected parse
``<case>.json`` in the ``import_questions --dry-run --json`` layout. The cases rebuild,
as our own files, those of Moodle's ``xmlformat_test.php`` (multichoice single and
multiple, truefalse, categories, HTML and CDATA, feedback, unknown types, export),
plus the safety and error cases of this platform.
"""

from __future__ import annotations

import io
import json
import math
import socket
import tracemalloc
import urllib.request
from xml.etree import ElementTree

import pytest

from quizzes.formats import format_guess, format_module, moodlexml
from quizzes.formats.base import (
    FormatError,
    ParsedChoice,
    ParsedQuestion,
    ParseResult,
    SkippedQuestion,
)
from quizzes.formats.percent import percent_text
from tests.formats import dry_run
from tests.formats.dry_run import (
    dry_run_json,
    expected_parse,
    fixture_cases,
    parsed_fixture,
)

FIXTURES = dry_run.FIXTURES / "moodlexml"
# Moodle's importer refuses a weight that is not one of its grades (to 1e-5):
# ±100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20,
# 16.66667, 14.28571, 12.5, 11.11111, 10, 5 and 0 percent.
MOODLE_GRADES = [
    sign * value
    for value in (
        1, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3,
        0.25, 0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0,
    )
    for sign in (1, -1)
]  # fmt: skip


def parsed(data: bytes) -> ParseResult:
    return ParseResult.collect(moodlexml.parse(io.BytesIO(data)))


def written(questions: list[ParsedQuestion]) -> str:
    out = io.StringIO()
    assert moodlexml.write(questions, out) == []
    return out.getvalue()


def question(**overrides) -> ParsedQuestion:
    values = {
        "line": 0,
        "name": "Hyperkalaemia",
        "kind": "single",
        "stem": "What is given first for a potassium of 7.1 with ECG changes?",
        "explanation": "Calcium protects the heart; it does not lower potassium.",
        "choices": (
            ParsedChoice("Calcium gluconate", 1.0, "Yes."),
            ParsedChoice("Insulin and dextrose", 0.0, "Second."),
            ParsedChoice("Salbutamol", 0.0, ""),
        ),
    }
    return ParsedQuestion(**{**values, **overrides})


class TestFixtures:
    @pytest.mark.parametrize("case", fixture_cases("moodlexml", ".xml"))
    def test_fixture_reads_as_its_expected_json(self, case):
        """Every fixture file parses to exactly its ``.json`` (dry-run layout)."""
        assert parsed_fixture(moodlexml, case) == expected_parse(case)

    def test_a_real_moodle_4_export_reads_every_question(self):
        """A file shaped as Moodle 4.x writes it (comments, idnumber, hints, tags,
        combined feedback, showstandardinstruction) gives its multichoice and
        truefalse questions, and its essay as skipped."""
        result = parsed((FIXTURES / "moodle4_export.xml").read_bytes())
        assert [q.kind for q in result.questions] == [
            "single",
            "multiple",
            "true_false",
        ]
        assert [s.type for s in result.skipped] == ["essay"]
        assert result.errors == []


class TestQuestions:
    def test_single_false_is_multiple_response_and_default_is_single(self):
        """``<single>false</single>`` (or ``0``) is select-all-that-apply; no
        ``<single>`` at all is single best answer, as in Moodle."""
        result = parsed((FIXTURES / "multichoice.xml").read_bytes())
        assert [q.kind for q in result.questions] == ["multiple", "single", "multiple"]

    def test_fraction_is_percent_read_as_written(self):
        """``fraction="50"`` is 0.5, ``"33.33333"`` is 0.3333333 and ``"-100"``
        is -1.0: the float nearest the decimal the file gives."""
        result = parsed((FIXTURES / "fractions.xml").read_bytes())
        fractions = [choice.fraction for choice in result.questions[0].choices]
        assert fractions[:3] == [1.0, 0.5, 0.3333333]
        assert fractions[8] == -1.0
        assert fractions[2] == float("0.3333333")

    def test_single_without_a_100_percent_answer_is_an_error(self):
        """A single-answer question nobody can get full marks on is refused."""
        data = b"""<quiz><question type="multichoice"><questiontext><text>Q</text>
        </questiontext><answer fraction="90"><text>a</text></answer>
        <answer fraction="0"><text>b</text></answer></question></quiz>"""
        result = parsed(data)
        assert result.questions == []
        assert result.errors[0].message.startswith("One of the answers should be 100%")

    def test_truefalse_gives_true_then_false_with_their_feedback(self):
        """Whatever order the file has, the choices are True then False, each with
        the feedback shown when it is picked, the right one worth 1.0."""
        result = parsed((FIXTURES / "truefalse.xml").read_bytes())
        second = result.questions[1]
        assert [c.text for c in second.choices] == ["True", "False"]
        assert [c.fraction for c in second.choices] == [0.0, 1.0]
        assert second.choices[1].feedback.startswith("Only with an eGFR")

    def test_category_applies_to_the_questions_after_it(self):
        """``<question type="category">`` sets the category of what follows,
        including the old form with the path straight inside ``<category>``."""
        result = parsed((FIXTURES / "categories.xml").read_bytes())
        assert [q.category for q in result.questions] == [
            "",
            "$course$/top/Renal",
            "$course$/top/Renal/Acute kidney injury",
            "$module$/top/Old style",
        ]

    def test_html_is_sanitised_to_text(self):
        """``format="html"`` loses its tags, scripts and handlers; entities are
        resolved."""
        result = parsed((FIXTURES / "html_cdata.xml").read_bytes())
        first = result.questions[0]
        assert "alert" not in first.stem and "<" not in first.stem
        assert first.choices[0].feedback == "Correct"

    def test_question_line_is_its_start_tag_even_across_chunks(self):
        """The line of a question is the line of ``<question``, also for questions
        far past the first chunk the parser reads."""
        body = "".join(
            f'<!-- question: {n} -->\n<question type="truefalse">\n'
            f"<questiontext><text>Q{n}</text></questiontext>\n"
            '<answer fraction="100"><text>true</text></answer>\n'
            '<answer fraction="0"><text>false</text></answer>\n</question>\n'
            for n in range(3000)
        )
        result = parsed(f"<quiz>\n{body}</quiz>".encode())
        assert len(result.questions) == 3000
        assert [q.line for q in result.questions[:2]] == [3, 9]
        assert result.questions[-1].line == 3 + 6 * 2999


class TestUnsafeAndBrokenFiles:
    def test_billion_laughs_is_refused_without_expanding(self):
        """Entity definitions are refused at the DOCTYPE: nothing is expanded."""
        tracemalloc.start()
        result = parsed((FIXTURES / "billion_laughs.xml").read_bytes())
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert result.questions == []
        assert result.errors == [FormatError(2, result.errors[0].message)]
        assert "DOCTYPE is not allowed" in result.errors[0].message
        assert peak < 5_000_000

    def test_external_entity_is_refused_without_fetching(self, monkeypatch):
        """An external entity gives an error; no file or URL is opened."""

        def refuse(*args, **kwargs):
            raise AssertionError("the parser tried to fetch something")

        monkeypatch.setattr(socket, "create_connection", refuse)
        monkeypatch.setattr(urllib.request, "urlopen", refuse)
        result = parsed((FIXTURES / "external_entity.xml").read_bytes())
        assert result.questions == []
        assert len(result.errors) == 1
        assert result.errors[0].line == 3
        assert "root:" not in json.dumps(dry_run_json(result))

    def test_malformed_xml_is_an_error_at_its_line_and_stops(self):
        """Questions before the fault are read; the fault is reported with the line
        the parser gives, and nothing after it is read."""
        result = parsed((FIXTURES / "malformed.xml").read_bytes())
        assert [q.name for q in result.questions] == ["Read before the error"]
        assert result.errors == [
            FormatError(11, "Malformed XML: mismatched tag (column 34)")
        ]

    def test_bytes_that_are_not_utf8_end_the_parse_at_their_line(self):
        """A Latin-1 byte is an error at its line; the XML declaration's own
        encoding is not obeyed."""
        result = parsed((FIXTURES / "not_utf8.xml").read_bytes())
        assert result.errors == [FormatError(10, "not UTF-8: save the file as UTF-8")]
        assert len(result.questions) == 1

    def test_bom_is_dropped(self):
        """A UTF-8 byte-order mark does not disturb the parse."""
        result = parsed((FIXTURES / "bom.xml").read_bytes())
        assert result.questions[0].stem == "A BOM is dropped: café 日本."

    def test_not_utf8_split_across_chunks_gets_its_line(self):
        """A bad byte past the first chunk still gets its own line."""
        head = b"<quiz>\n" + b"<!-- padding -->\n" * 10_000
        result = parsed(head + b"<!-- \xff -->\n</quiz>")
        assert result.errors == [
            FormatError(10_002, "not UTF-8: save the file as UTF-8")
        ]


class TestStreaming:
    def test_first_question_comes_before_the_file_is_read(self):
        """Parsing is incremental: the first question is out after one chunk."""
        one = (
            b'<question type="truefalse"><questiontext><text>Q</text></questiontext>'
            b'<answer fraction="100"><text>true</text></answer>'
            b'<answer fraction="0"><text>false</text></answer></question>\n'
        )
        stream = io.BytesIO(b"<quiz>\n" + one * 20_000 + b"</quiz>")
        items = moodlexml.parse(stream)
        assert isinstance(next(items), ParsedQuestion)
        assert stream.tell() < len(stream.getvalue()) / 4

    def test_memory_stays_bounded_by_one_question(self):
        """Peak memory while reading 4,000 questions is a small part of the file:
        each question is let go once read."""
        one = (
            '<question type="multichoice"><name><text>{n}</text></name>'
            "<questiontext><text>{text}</text></questiontext>"
            '<answer fraction="100"><text>a</text></answer>'
            '<answer fraction="0"><text>b</text></answer></question>\n'
        )
        text = "x" * 2_000
        data = (
            "<quiz>\n"
            + "".join(one.format(n=n, text=text) for n in range(4_000))
            + "</quiz>"
        ).encode()
        tracemalloc.start()
        count = sum(1 for _ in moodlexml.parse(io.BytesIO(data)))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert count == 4_000
        assert peak < len(data) / 10


class TestExport:
    def test_export_is_what_moodle_writes(self):
        """Our export of a category, a single, a multiple and a true/false
        question is exactly the expected file (Moodle 4.x's shape)."""
        questions = [
            question(category="$course$/top/Renal"),
            question(
                name="Loop diuretics",
                kind="multiple",
                stem="Which are loop diuretics?",
                explanation="",
                choices=(
                    ParsedChoice("Furosemide", 1 / 3),
                    ParsedChoice("Bumetanide", 0.3333333),
                    ParsedChoice("Torasemide", 0.5),
                    ParsedChoice("Spironolactone", -1.0, "A potassium-sparing one."),
                ),
                category="$course$/top/Renal",
            ),
            question(
                name="",
                kind="true_false",
                stem="Vitamin K reverses warfarin within an hour.",
                explanation="",
                choices=(
                    ParsedChoice("True", 0.0, "Too slow."),
                    ParsedChoice("False", 1.0, ""),
                ),
                category="$course$/top/Haematology",
            ),
        ]
        expected = (FIXTURES / "export_expected.xml").read_text(encoding="utf-8")
        assert written(questions) == expected

    @pytest.mark.parametrize(
        ("text", "cdata"),
        [
            ("Café 日本", "<![CDATA[Café 日本]]>"),
            ("<p>x</p>", "<![CDATA[<p>x</p>]]>"),
            (
                "<script><![CDATA[alert(1<2);]]></script>",
                "<![CDATA[<script><![CDATA[alert(1<2);]]]]><![CDATA[></script>]]>",
            ),
            (
                "if (x[[0]]>a) print('hah');",
                "<![CDATA[if (x[[0]]]]><![CDATA[>a) print('hah');]]>",
            ),
        ],
    )
    def test_texts_are_cdata_split_at_its_end_marker(self, text, cdata):
        """Texts go in CDATA, and ``]]>`` is split across two sections so that
        the text reads back unchanged."""
        xml = written([question(stem=text)])
        assert f"<text>{cdata}</text>" in xml
        assert parsed(xml.encode()).questions[0].stem == text

    @pytest.mark.parametrize(
        ("fraction", "percent"),
        [(1.0, "100"), (0.5, "50"), (0.3333333, "33.33333"), (-1.0, "-100"),
         (0.0, "0"), (0.1666667, "16.66667"), (0.05, "5")],
    )  # fmt: skip
    def test_fractions_are_written_as_moodle_writes_them(self, fraction, percent):
        """Weights are percentages with no trailing zeros or exponent."""
        assert percent_text(fraction) == percent

    def test_export_has_what_moodles_importer_requires(self):
        """Each question has a type, ``<name><text>``, ``<questiontext
        format><text>``, and the fields Moodle reads; answers have a numeric
        ``fraction`` among Moodle's grades and a ``<text>``; true/false answers are
        "true" and "false" worth 100 and 0; a category has ``<category><text>``."""
        questions = [
            question(category="$course$/top/A"),
            question(
                kind="multiple",
                choices=tuple(
                    ParsedChoice(f"option {n}", 1 / 3 if n < 3 else -1 / 3)
                    for n in range(6)
                ),
                category="$course$/top/B",
            ),
            question(
                kind="true_false",
                choices=(ParsedChoice("True", 1.0), ParsedChoice("False", 0.0)),
            ),
        ]
        root = ElementTree.fromstring(written(questions).encode())
        assert root.tag == "quiz"
        kinds = [element.get("type") for element in root.findall("question")]
        assert kinds == ["category", "multichoice", "category", "multichoice",
                         "category", "truefalse"]  # fmt: skip
        for element in root.findall("question"):
            if element.get("type") == "category":
                assert element.find("category/text") is not None
                continue
            assert element.find("name/text") is not None
            assert element.find("questiontext").get("format") == "plain_text"
            assert element.find("questiontext/text").text
            assert element.find("generalfeedback/text") is not None
            for field in ("defaultgrade", "penalty", "hidden"):
                float(element.findtext(field))
            answers = element.findall("answer")
            assert len(answers) >= 2
            for answer in answers:
                fraction = float(answer.get("fraction")) / 100
                assert any(
                    math.isclose(fraction, g, abs_tol=1e-5) for g in MOODLE_GRADES
                )
                assert answer.find("text") is not None
                assert answer.find("feedback/text") is not None
            if element.get("type") == "multichoice":
                assert element.findtext("single") in {"true", "false"}
                assert element.findtext("shuffleanswers") in {"true", "false"}
                assert element.findtext("answernumbering") == "abc"
            else:
                assert [(a.findtext("text"), a.get("fraction")) for a in answers] == [
                    ("true", "100"),
                    ("false", "0"),
                ]

    def test_category_is_written_only_when_it_changes(self):
        """One ``<question type="category">`` per run of questions in a category."""
        questions = [
            question(category="$course$/top/A"),
            question(category="$course$/top/A"),
            question(category="$course$/top/B"),
        ]
        assert written(questions).count('type="category"') == 2

    def test_a_character_xml_cannot_carry_is_an_export_skip(self):
        """A control character would make the file invalid: that question is
        reported, the others written."""
        out = io.StringIO()
        skips = moodlexml.write(
            [question(name="bad", stem="bell \x07"), question(name="good")], out
        )
        assert [skip.name for skip in skips] == ["bad"]
        assert "U+0007" in skips[0].reason
        assert [q.name for q in parsed(out.getvalue().encode()).questions] == ["good"]


def test_module_is_the_registered_moodlexml_format():
    """The registry finds this module by name and ``.xml`` files by extension."""
    assert format_module("moodlexml") is moodlexml
    assert format_guess(filename="bank.XML", head=b"") == "moodlexml"
    assert (moodlexml.NAME, moodlexml.EXTENSION) == ("moodlexml", ".xml")


def test_skipped_question_keeps_its_line_and_type():
    """A type the platform lacks is reported, never dropped or misread."""
    data = b'<quiz>\n\n<question type="ordering"><name><text>x</text></name>'
    skipped = parsed(data + b"</question></quiz>").skipped
    assert skipped == [SkippedQuestion(3, "ordering", skipped[0].reason)]
    assert "“ordering” questions are not supported" in skipped[0].reason


def test_answer_that_is_only_a_picture_says_why_it_is_empty():
    """An answer whose HTML holds only an image has no text here; the error says
    that the text was lost in the reduction, not that the file has none."""
    errors = parsed((FIXTURES / "errors.xml").read_bytes()).errors
    assert errors[-1] == FormatError(
        46,
        "Answer 1 has no text once its HTML is reduced to text (pictures and "
        "media are not kept)",
    )


@pytest.mark.parametrize(
    ("broken", "reason"),
    [
        (
            {"choices": (ParsedChoice("a", 0.5), ParsedChoice("b", 0.0))},
            "a single-answer question needs an option worth 100%",
        ),
        (
            {
                "kind": "true_false",
                "choices": (ParsedChoice("Yes", 1.0), ParsedChoice("No", 0.0)),
            },
            "a true/false question needs the choices True and False",
        ),
        (
            {"choices": (ParsedChoice("a", 1.0),)},
            "a question needs at least 2 options",
        ),
    ],
)
def test_question_moodle_would_refuse_is_an_export_skip(broken, reason):
    """A question that would not read back is reported, not written broken."""
    out = io.StringIO()
    skips = moodlexml.write([question(name="broken", **broken)], out)
    assert [(skip.name, skip.reason) for skip in skips] == [("broken", reason)]
    assert "<question" not in out.getvalue()


class _Trickle(io.RawIOBase):
    """A stream that hands out one byte per read, as a slow upload may."""

    def __init__(self, data: bytes):
        self.data = io.BytesIO(data)

    def readable(self):
        return True

    def read(self, size=-1):
        return self.data.read(1)


def test_a_stream_that_trickles_bytes_reads_the_same():
    """Reads shorter than asked, even splitting the BOM or a character, change
    nothing: the parse is the same as from the whole file."""
    data = (FIXTURES / "bom.xml").read_bytes() + "<!-- é日 -->".encode()
    assert ParseResult.collect(moodlexml.parse(_Trickle(data))) == parsed(data)
    assert parsed(data).questions[0].name == "BOM"
