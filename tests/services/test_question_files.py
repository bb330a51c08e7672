"""Question files in and out (quizzes.services.question_files).

The formats' own parsing is specified in tests/formats/; these tests are about what
the platform does with a parse: where questions go, what they become, what an
instructor is told, and that an import is all or nothing.
"""

import io

import pytest

from quizzes.choices import QuestionKind, QuestionStatus
from quizzes.models import Choice, Question, QuizDraw
from quizzes.services import question_files
from quizzes.services.question_files import (
    QuestionFileError,
    SectionLookupError,
    question_file_import,
    question_file_preview,
    question_parsed,
    questions_export,
    questions_for_export,
    quiz_questions,
    section_find,
    section_questions,
)
from tests.factories import (
    QuestionFactory,
    QuizFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

GIFT = """\
// A comment line above the first question.
::dose::Which route is used when IV access is not feasible? {
  =Intramuscular injection#The section names it.
  ~Oral tablet#Not named.
  ~Nasal spray#Not named.
  ~Skin patch#Not named.
  ####Intramuscular injection is the fallback route.
}

::effects::Which are effects of ketamine? {
  ~%50%Dissociation#Yes.
  ~%50%Analgesia#Yes.
  ~%-100%Hypotension#No.
  ~%-100%Miosis#No.
}

::tf::Ketamine is an NMDA receptor antagonist. {TRUE#It is.#Right.}
"""


def gift(text: str = GIFT) -> io.BytesIO:
    return io.BytesIO(text.encode())


class TestPreview:
    def test_preview_lists_every_question_with_its_keys_and_writes_nothing(self):
        """The preview reads the whole file, derives each option's key from its
        weight, and creates no row."""
        section = SectionFactory()
        preview = question_file_preview(
            stream=gift(), filename="bank.gift", section=section
        )
        assert preview.format == "gift"
        assert [q.parsed.name for q in preview.questions] == ["dose", "effects", "tf"]
        assert [q.keys for q in preview.questions] == [
            [True, False, False, False],
            [True, True, False, False],
            [True, False],
        ]
        assert {q.section for q in preview.questions} == {section}
        assert not Question.objects.exists()

    def test_preview_says_what_happens_to_weights_the_scoring_cannot_express(self):
        """A −100% penalty with two right options is scored here as −1/2: the
        preview says so for that question only."""
        preview = question_file_preview(
            stream=gift(), filename="bank.gift", section=SectionFactory()
        )
        notes = [q.scoring_note for q in preview.questions]
        assert notes[0] == "" and notes[2] == ""
        assert "−1/2" in notes[1] and "-100%" in notes[1]
        assert "kept for export" in notes[1]

    def test_preview_reports_a_missing_source_quote_as_a_problem_of_the_draft(self):
        preview = question_file_preview(
            stream=gift(), filename="bank.gift", section=SectionFactory()
        )
        assert any("source quote is empty" in p for p in preview.questions[0].problems)

    def test_preview_warns_when_the_section_already_has_the_same_stem(self):
        section = SectionFactory()
        existing = QuestionFactory(
            section=section,
            stem="Which route is used when IV access is  not feasible?",
        )
        preview = question_file_preview(
            stream=gift(), filename="bank.gift", section=section
        )
        assert any(
            f"question {existing.pk} of this section has the same stem" in p
            for p in preview.questions[0].problems
        )

    def test_json_layout_has_exactly_the_documented_keys(self):
        """Each question carries line, name, kind, stem, explanation and choices
        (text, fraction, feedback); ``scoring`` only where weights are not ours."""
        preview = question_file_preview(
            stream=gift(), filename="bank.gift", section=SectionFactory()
        )
        data = preview.as_json()
        assert set(data) == {"questions", "skipped", "errors"}
        first, second, third = data["questions"]
        assert set(first) == {"line", "name", "kind", "stem", "explanation", "choices"}
        assert set(second) == set(first) | {"scoring"}
        assert set(first["choices"][0]) == {"text", "fraction", "feedback"}
        assert first["line"] == 2
        assert third["choices"] == [
            {"text": "True", "fraction": 1.0, "feedback": "Right."},
            {"text": "False", "fraction": 0.0, "feedback": "It is."},
        ]

    def test_categories_map_to_sections_of_the_same_document_when_asked(self):
        """``$CATEGORY: …/dosing`` sends the questions after it to the section
        whose slug is ``dosing``; unknown categories stay in the chosen section."""
        target = SectionFactory(slug="overview")
        dosing = SectionFactory(document=target.document, slug="dosing")
        text = (
            "$CATEGORY: $course$/top/Dosing\n\n"
            "Ketamine is an NMDA antagonist. {T}\n\n"
            "$CATEGORY: $course$/top/Unknown\n\n"
            "Ketamine is a benzodiazepine. {F}\n"
        )
        mapped = question_file_preview(
            stream=gift(text),
            filename="bank.gift",
            section=target,
            map_categories=True,
        )
        assert [q.section for q in mapped.questions] == [dosing, target]
        unmapped = question_file_preview(
            stream=gift(text), filename="bank.gift", section=target
        )
        assert [q.section for q in unmapped.questions] == [target, target]


class TestImport:
    def test_import_creates_drafts_with_the_files_weights_and_feedback(self):
        """Every question is a draft, whatever the file; keys come from the
        weights, which are stored for export; feedback becomes the rationale."""
        section = SectionFactory()
        outcome = question_file_import(
            stream=gift(), filename="bank.gift", section=section
        )
        assert outcome.created == 3
        questions = list(Question.objects.order_by("pk"))
        assert {q.status for q in questions} == {QuestionStatus.DRAFT}
        assert [q.kind for q in questions] == [
            QuestionKind.SINGLE,
            QuestionKind.MULTIPLE,
            QuestionKind.TRUE_FALSE,
        ]
        multiple = questions[1]
        assert multiple.name == "effects"
        assert [
            (c.text, c.is_correct, c.fraction, c.rationale)
            for c in multiple.choices.all()
        ] == [
            ("Dissociation", True, 0.5, "Yes."),
            ("Analgesia", True, 0.5, "Yes."),
            ("Hypotension", False, -1.0, "No."),
            ("Miosis", False, -1.0, "No."),
        ]
        assert questions[0].explanation == (
            "Intramuscular injection is the fallback route."
        )
        assert questions[0].source_quote == ""
        # The first version of each question, with its choices, is in its history.
        assert Question.history.count() == 3
        assert Choice.history.count() == 10

    def test_a_file_with_an_error_imports_nothing(self):
        """One bad question (a single answer) stops the whole file, and the error
        names its line."""
        text = GIFT + "\n::bad::Only one answer? {~%100%Yes}\n\n::bad2::Q {=a ~b\n"
        with pytest.raises(QuestionFileError) as raised:
            question_file_import(
                stream=gift(text), filename="bank.gift", section=SectionFactory()
            )
        assert raised.value.errors
        assert str(raised.value).startswith("bank.gift, line ")
        assert not Question.objects.exists()

    def test_skip_invalid_imports_the_readable_questions_and_returns_the_errors(self):
        text = GIFT + "\n::bad2::Unclosed {=a ~b\n"
        outcome = question_file_import(
            stream=gift(text),
            filename="bank.gift",
            section=SectionFactory(),
            skip_invalid=True,
        )
        assert outcome.created == 3
        assert [e.line for e in outcome.errors] == [19]
        assert Question.objects.count() == 3

    def test_an_error_after_a_written_batch_rolls_the_batch_back(self, monkeypatch):
        """Batches are written as the file is read; an error further down still
        leaves the database as it was."""
        monkeypatch.setattr(question_files, "IMPORT_BATCH", 1)
        written = []
        text = GIFT + "\n::bad2::Unclosed {=a ~b\n"
        with pytest.raises(QuestionFileError):
            question_file_import(
                stream=gift(text),
                filename="bank.gift",
                section=SectionFactory(),
                progress=written.append,
            )
        assert written == [1, 2, 3]
        assert not Question.objects.exists()
        assert not Choice.history.exists()

    def test_skipped_types_are_reported_not_imported(self):
        text = "::essay::Describe ketamine's mechanism. {}\n\n" + GIFT
        outcome = question_file_import(
            stream=gift(text), filename="bank.gift", section=SectionFactory()
        )
        assert outcome.created == 3
        assert [(s.line, s.type) for s in outcome.skipped] == [(1, "essay")]


class TestSectionFind:
    def test_a_slug_in_two_documents_needs_the_document(self):
        first = SectionFactory(slug="dosing")
        SectionFactory(slug="dosing")
        with pytest.raises(SectionLookupError, match="several documents"):
            section_find(slug="dosing")
        assert section_find(slug="dosing", document=first.document.slug) == first

    def test_an_unknown_slug_is_refused_by_name(self):
        with pytest.raises(SectionLookupError, match="no section “nowhere”"):
            section_find(slug="nowhere")


class TestExport:
    def test_section_export_takes_subsections_and_leaves_retired_questions_out(self):
        top = SectionFactory(order=1)
        sub = SectionFactory(document=top.document, order=2, level=2, parent=top)
        other = SectionFactory(document=top.document, order=3)
        kept = [
            QuestionFactory(section=top),
            QuestionFactory(section=sub, status=QuestionStatus.DRAFT),
        ]
        QuestionFactory(section=sub, status=QuestionStatus.RETIRED)
        QuestionFactory(section=other)
        assert set(section_questions(section=top)) == set(kept)

    def test_quiz_export_takes_fixed_questions_and_the_published_pool(self):
        section = SectionFactory()
        fixed = QuestionFactory()
        pooled = QuestionFactory(section=section)
        QuestionFactory(section=section, status=QuestionStatus.DRAFT)
        quiz = QuizFactory(with_questions=[fixed])
        QuizDraw.objects.create(quiz=quiz, section=section, count=1)
        assert set(quiz_questions(quiz=quiz)) == {fixed, pooled}

    def test_quiz_export_reads_its_pool_in_constant_queries(
        self, django_assert_num_queries
    ):
        """Three queries, however many sections the quiz draws from: the draws
        (with their sections), the documents' sections, then the questions."""
        quiz = QuizFactory()
        first = SectionFactory(order=1)
        sub = SectionFactory(document=first.document, order=2, level=2, parent=first)
        in_sub = QuestionFactory(section=sub)
        for order in range(3, 6):
            section = SectionFactory(document=first.document, order=order)
            QuestionFactory(section=section)
            QuizDraw.objects.create(quiz=quiz, section=section, count=1)
        QuizDraw.objects.create(quiz=quiz, section=first, count=1)
        with django_assert_num_queries(3):
            questions = list(quiz_questions(quiz=quiz))
        assert len(questions) == 4 and in_sub in questions

    def test_written_weights_follow_the_key_once_an_instructor_changes_it(self):
        """Imported weights are exported as they came while they still fit the
        key; after the key moves, the platform's own weights are written."""
        question_file_import(stream=gift(), filename="b.gift", section=SectionFactory())
        multiple = Question.objects.get(name="effects")
        parsed = question_parsed(question=multiple)
        assert [c.fraction for c in parsed.choices] == [0.5, 0.5, -1.0, -1.0]
        Choice.objects.filter(question=multiple, order=3).update(is_correct=True)
        parsed = question_parsed(question=Question.objects.get(pk=multiple.pk))
        third = 1 / 3
        assert [c.fraction for c in parsed.choices] == [third, third, third, -third]

    def test_questions_written_here_export_with_the_platforms_weights(self):
        question = QuestionFactory(kind=QuestionKind.MULTIPLE, name="")
        parsed = question_parsed(question=question)
        assert [c.fraction for c in parsed.choices] == [0.5, 0.5, -0.5, -0.5]
        assert parsed.name == f"q{question.pk}"
        assert parsed.category.endswith(f"/{question.section.slug}")

    def test_aiken_export_reports_what_it_cannot_carry(self):
        single = QuestionFactory()
        QuestionFactory(kind=QuestionKind.TRUE_FALSE, name="tf")
        out = io.StringIO()
        skips = questions_export(
            questions=questions_for_export(Question.objects.order_by("pk")),
            format="aiken",
            out=out,
        )
        assert [s.name for s in skips] == ["tf"]
        assert single.stem in out.getvalue()


# A question as the round trip compares it: what the issue lists as lossless.
def essentials(question: Question) -> tuple:
    choices = list(question.choices.all())
    parsed = question_parsed(question=question)
    return (
        question.kind,
        question.stem,
        question.explanation,
        tuple(
            (c.text, c.is_correct, p.fraction, c.rationale)
            for c, p in zip(choices, parsed.choices, strict=True)
        ),
    )


@pytest.mark.parametrize("format", ["gift", "moodlexml", "csv", "aiken"])
def test_export_then_import_gives_identical_questions(format):
    """Kind, stem, choices, key, weights, rationales and explanation survive an
    export and an import, in every format (Aiken: single best answer, without the
    rationales and explanation it has no place for)."""
    source = SectionFactory()
    QuestionFactory(section=source, stem="Dose {1 mg/kg} = ~? #1: a\\b")
    QuestionFactory(section=source, kind=QuestionKind.MULTIPLE)
    QuestionFactory(section=source, kind=QuestionKind.TRUE_FALSE)
    imported = question_file_import(
        stream=gift(), filename="b.gift", section=SectionFactory()
    )
    originals = list(
        questions_for_export(
            Question.objects.filter(section=source)
            | Question.objects.filter(pk__in=imported.question_ids)
        ).order_by("pk")
    )
    out = io.StringIO()
    questions_export(questions=originals, format=format, out=out)
    target = SectionFactory()
    outcome = question_file_import(
        stream=io.BytesIO(out.getvalue().encode()),
        filename=f"export.{format}",
        section=target,
        format=format,
    )
    copies = list(
        questions_for_export(Question.objects.filter(pk__in=outcome.question_ids))
    )
    if format == "aiken":
        originals = [q for q in originals if q.kind == QuestionKind.SINGLE]
        assert [(q.stem, [c.text for c in q.choices.all()]) for q in copies] == [
            (q.stem, [c.text for c in q.choices.all()]) for q in originals
        ]
        assert [[c.is_correct for c in q.choices.all()] for q in copies] == [
            [c.is_correct for c in q.choices.all()] for q in originals
        ]
        return
    assert [essentials(q) for q in copies] == [essentials(q) for q in originals]
    assert [q.name or f"q{q.pk}" for q in originals] == [q.name for q in copies]


def test_an_unknown_format_name_is_refused():
    from quizzes.formats import UnknownFormatError

    with pytest.raises(UnknownFormatError, match="unknown format “docx”"):
        question_file_preview(
            stream=gift(), filename="b.gift", section=SectionFactory(), format="docx"
        )
