"""Question files in and out: GIFT, Aiken, Moodle XML and CSV.

The formats themselves are pure modules in ``quizzes.formats``; this module maps
their values to the models. An import is previewed first (every question that would
be created, with the section it would go to, its problems against the item-writing
rules and what happens to its weights), then confirmed. A file with any error
imports nothing unless the caller asks to skip the invalid questions, and an import
is one transaction: all of it, or nothing.

Imported questions are drafts, whatever the file says: they reach trainees only
once an instructor has checked them, given each a verbatim source quote and
published them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, TextIO

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from quizzes.choices import QuestionStatus
from quizzes.formats import format_guess, format_module
from quizzes.formats.base import (
    ExportSkip,
    FormatError,
    ParsedChoice,
    ParsedQuestion,
    SkippedQuestion,
    question_json,
)
from quizzes.formats.weights import choice_keys, export_fractions, scoring_note
from quizzes.models import Choice, Question, Quiz, Section
from quizzes.rules import question_problems
from quizzes.splitting import subtree_end

logger = logging.getLogger(__name__)

# Questions written to the database per round trip: bounded memory for a large
# file, few enough statements for a fast one.
IMPORT_BATCH = 500
NAME_MAX_LENGTH = Question._meta.get_field("name").max_length
# Bytes read to tell a .txt file's format (GIFT or Aiken).
FORMAT_SNIFF_BYTES = 64 * 1024


class QuestionFileError(ValueError):
    """A file that cannot be imported as it stands; ``errors`` says where and why."""

    def __init__(self, *, filename: str, errors: list[FormatError]):
        self.filename = filename
        self.errors = errors
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{filename}, line {first.line}: {first.message}{more}")


@dataclass(frozen=True)
class PreviewQuestion:
    """A question as it would be created: where, and what an instructor should know."""

    parsed: ParsedQuestion
    section: Section
    keys: list[bool]
    scoring_note: str
    problems: list[str]

    @property
    def choices(self) -> list[tuple[ParsedChoice, bool]]:
        return list(zip(self.parsed.choices, self.keys, strict=True))


@dataclass
class QuestionFilePreview:
    """What importing a file would do, without doing it."""

    filename: str
    format: str
    questions: list[PreviewQuestion] = field(default_factory=list)
    skipped: list[SkippedQuestion] = field(default_factory=list)
    errors: list[FormatError] = field(default_factory=list)

    def as_json(self) -> dict:
        """The ``--dry-run --json`` layout.

        A question whose weights this platform's scoring cannot express carries one
        more key, ``scoring``, that says what happens to them; the others carry
        exactly the keys of the layout.
        """
        questions = []
        for item in self.questions:
            entry = question_json(item.parsed)
            if item.scoring_note:
                entry["scoring"] = item.scoring_note
            questions.append(entry)
        return {
            "questions": questions,
            "skipped": [
                {"line": s.line, "type": s.type, "reason": s.reason}
                for s in self.skipped
            ],
            "errors": [{"line": e.line, "message": e.message} for e in self.errors],
        }


@dataclass(frozen=True)
class QuestionFileImport:
    """What an import did."""

    filename: str
    format: str
    created: int
    question_ids: list[int]
    skipped: list[SkippedQuestion]
    errors: list[FormatError]


class SectionLookupError(ValueError):
    """No section, or more than one, answers to the slug given."""


def section_find(*, slug: str, document: str | None = None) -> Section:
    """The section called ``slug`` (in the document called ``document``, if given).

    A slug used by several documents needs ``document``; the error names them.
    """
    sections = Section.objects.select_related("document").filter(slug=slug)
    if document:
        sections = sections.filter(document__slug=document)
    found = list(sections[:10])
    if not found:
        where = f" in document “{document}”" if document else ""
        raise SectionLookupError(f"no section “{slug}”{where}")
    if len(found) > 1:
        names = ", ".join(sorted(s.document.slug for s in found))
        raise SectionLookupError(
            f"section “{slug}” is in several documents ({names}); name one with "
            "--document"
        )
    return found[0]


def question_file_format(*, stream: BinaryIO, filename: str, format: str | None) -> str:
    """The format to read ``stream`` with: ``format`` if given, else guessed.

    Raises ``quizzes.formats.UnknownFormatError`` with a message for the user.
    """
    if format:
        format_module(format)  # refuses an unknown name
        return format
    head = stream.read(FORMAT_SNIFF_BYTES)
    stream.seek(0)
    return format_guess(filename=filename, head=head)


def question_file_preview(
    *,
    stream: BinaryIO,
    filename: str,
    section: Section,
    format: str | None = None,
    map_categories: bool = False,
) -> QuestionFilePreview:
    """Read a question file and say what importing it into ``section`` would do.

    With ``map_categories``, a question whose category (GIFT ``$CATEGORY:``,
    Moodle XML ``<category>``) ends in the slug or title of another section of the
    same document goes to that section; every other question goes to ``section``.
    """
    name = question_file_format(stream=stream, filename=filename, format=format)
    preview = QuestionFilePreview(filename=filename, format=name)
    for item in _preview_items(
        stream=stream, format=name, section=section, map_categories=map_categories
    ):
        if isinstance(item, PreviewQuestion):
            preview.questions.append(item)
        elif isinstance(item, SkippedQuestion):
            preview.skipped.append(item)
        else:
            preview.errors.append(item)
    return preview


def question_file_import(
    *,
    stream: BinaryIO,
    filename: str,
    section: Section,
    format: str | None = None,
    skip_invalid: bool = False,
    map_categories: bool = False,
    progress: Callable[[int], None] | None = None,
) -> QuestionFileImport:
    """Create a draft question for every question of the file, in one transaction.

    A file with any error creates nothing and raises ``QuestionFileError``, unless
    ``skip_invalid``: then the questions that could be read are created and the
    errors are returned. Questions are written in batches as the file is read, so
    memory stays bounded by a batch, not by the file. ``progress`` is called with
    the number of questions created so far after each batch.
    """
    name = question_file_format(stream=stream, filename=filename, format=format)
    skipped: list[SkippedQuestion] = []
    errors: list[FormatError] = []
    question_ids: list[int] = []
    batch: list[PreviewQuestion] = []
    with transaction.atomic():
        for item in _preview_items(
            stream=stream, format=name, section=section, map_categories=map_categories
        ):
            if isinstance(item, PreviewQuestion):
                batch.append(item)
                if len(batch) >= IMPORT_BATCH:
                    question_ids += _questions_create(batch)
                    batch = []
                    if progress:
                        progress(len(question_ids))
            elif isinstance(item, SkippedQuestion):
                skipped.append(item)
            else:
                errors.append(item)
        if errors and not skip_invalid:
            # Raising inside the block rolls back the batches already written.
            raise QuestionFileError(filename=filename, errors=errors)
        question_ids += _questions_create(batch)
        if progress:
            progress(len(question_ids))
    logger.info(
        "question file %s (%s) imported into %s: %d created, %d skipped, %d errors",
        filename,
        name,
        section.slug,
        len(question_ids),
        len(skipped),
        len(errors),
    )
    return QuestionFileImport(
        filename=filename,
        format=name,
        created=len(question_ids),
        question_ids=question_ids,
        skipped=skipped,
        errors=errors,
    )


def question_parsed(*, question: Question) -> ParsedQuestion:
    """A stored question as a format writes it, with the weights to export.

    ``question`` should come with its choices prefetched and its section and
    document selected (``questions_for_export`` does both).
    """
    choices = list(question.choices.all())
    keys = [choice.is_correct for choice in choices]
    fractions = export_fractions(
        kind=question.kind, keys=keys, stored=[choice.fraction for choice in choices]
    )
    section = question.section
    return ParsedQuestion(
        line=0,
        name=question.name or question.ref or f"q{question.pk}",
        kind=question.kind,
        stem=question.stem,
        explanation=question.explanation,
        choices=tuple(
            ParsedChoice(text=c.text, fraction=f, feedback=c.rationale)
            for c, f in zip(choices, fractions, strict=True)
        ),
        category=f"{section.document.slug}/{section.slug}",
        source_quote=question.source_quote,
    )


def questions_export(
    *, questions: Iterable[Question], format: str, out: TextIO
) -> list[ExportSkip]:
    """Write ``questions`` to ``out`` in ``format``; return those it cannot carry."""
    module = format_module(format)
    return module.write(
        (question_parsed(question=question) for question in questions), out
    )


def questions_for_export(questions: QuerySet[Question]) -> QuerySet[Question]:
    """``questions`` with what an export reads, in bank order (two queries)."""
    return questions.select_related("section__document").prefetch_related("choices")


def section_questions(*, section: Section) -> QuerySet[Question]:
    """The questions of a section and its subsections, retired ones left out."""
    sections = list(section.document.sections.only("pk", "order", "level"))
    return Question.objects.filter(
        section_id__in=_subtree_ids(sections, section.pk)
    ).exclude(status=QuestionStatus.RETIRED)


def quiz_questions(*, quiz: Quiz) -> QuerySet[Question]:
    """Every question a trainee can meet in ``quiz``: its fixed questions and the
    published questions of the sections (with subsections) it draws from.

    Three queries whatever the number of draws: the draws, their documents'
    sections, then the questions.
    """
    draws = list(quiz.draws.select_related("section"))
    sections_of: dict[int, list[Section]] = {}
    for section in Section.objects.filter(
        document_id__in={draw.section.document_id for draw in draws}
    ).only("pk", "document_id", "order", "level"):
        sections_of.setdefault(section.document_id, []).append(section)
    pool = [
        pk
        for draw in draws
        for pk in _subtree_ids(
            sorted(sections_of[draw.section.document_id], key=lambda s: s.order),
            draw.section_id,
        )
    ]
    return Question.objects.filter(
        Q(section_id__in=pool, status=QuestionStatus.PUBLISHED)
        | Q(pk__in=quiz.fixed.values("question_id"))
    )


def _subtree_ids(sections: list[Section], section_id: int) -> list[int]:
    """The ids of a section and its subsections, from its document's sections in
    order."""
    index = next(i for i, s in enumerate(sections) if s.pk == section_id)
    return [s.pk for s in sections[index : subtree_end(sections, index)]]


def _preview_items(
    *, stream: BinaryIO, format: str, section: Section, map_categories: bool
) -> Iterator[PreviewQuestion | SkippedQuestion | FormatError]:
    module = format_module(format)
    target = _SectionTargets(section=section, map_categories=map_categories)
    for item in module.parse(stream):
        if not isinstance(item, ParsedQuestion):
            yield item
            continue
        where = target.section_for(item.category)
        fractions = [choice.fraction for choice in item.choices]
        keys = choice_keys(kind=item.kind, fractions=fractions)
        problems = question_problems(
            question=item,
            choices=[
                _Choice(text=c.text, is_correct=key, rationale=c.feedback)
                for c, key in zip(item.choices, keys, strict=True)
            ],
            section_text=target.text_of(where),
        )
        if len(item.name) > NAME_MAX_LENGTH:
            problems.append(
                f"the name is {len(item.name)} characters long; its first "
                f"{NAME_MAX_LENGTH} are kept"
            )
        existing = target.existing_with_stem(where, item.stem)
        if existing:
            problems.append(
                f"question {existing} of this section has the same stem; "
                "importing makes a second copy"
            )
        yield PreviewQuestion(
            parsed=item,
            section=where,
            keys=keys,
            scoring_note=scoring_note(kind=item.kind, fractions=fractions),
            problems=problems,
        )


@dataclass(frozen=True)
class _Choice:
    text: str
    is_correct: bool
    rationale: str


class _SectionTargets:
    """Where each question goes, and the texts and stems the checks compare with.

    Loaded once per import (the document's sections, and the stems already in
    them), so a preview of thousands of questions costs a few queries.
    """

    def __init__(self, *, section: Section, map_categories: bool):
        self.default = section
        self.map_categories = map_categories
        self.sections = list(section.document.sections.all())
        self.by_name: dict[str, Section] = {}
        for candidate in self.sections:
            self.by_name.setdefault(candidate.slug, candidate)
            self.by_name.setdefault(slugify(candidate.title), candidate)
        self.texts: dict[int, str] = {}
        self.stems: dict[tuple[int, str], int] = {}
        for pk, section_id, stem in Question.objects.filter(
            section__document_id=section.document_id
        ).values_list("pk", "section_id", "stem"):
            self.stems.setdefault((section_id, " ".join(stem.split())), pk)

    def section_for(self, category: str) -> Section:
        if not (self.map_categories and category):
            return self.default
        last = category.rstrip("/").rsplit("/", 1)[-1]
        return self.by_name.get(slugify(last), self.default)

    def text_of(self, section: Section) -> str:
        if section.pk not in self.texts:
            index = next(i for i, s in enumerate(self.sections) if s.pk == section.pk)
            end = subtree_end(self.sections, index)
            self.texts[section.pk] = "".join(s.text for s in self.sections[index:end])
        return self.texts[section.pk]

    def existing_with_stem(self, section: Section, stem: str) -> int | None:
        return self.stems.get((section.pk, " ".join(stem.split())))


def _questions_create(batch: list[PreviewQuestion]) -> list[int]:
    if not batch:
        return []
    questions = bulk_create_with_history(
        [
            Question(
                section=item.section,
                kind=item.parsed.kind,
                status=QuestionStatus.DRAFT,
                name=item.parsed.name[:NAME_MAX_LENGTH],
                stem=item.parsed.stem,
                explanation=item.parsed.explanation,
                source_quote=item.parsed.source_quote,
            )
            for item in batch
        ],
        Question,
    )
    bulk_create_with_history(
        [
            Choice(
                question=question,
                order=order,
                text=choice.text,
                is_correct=key,
                rationale=choice.feedback,
                fraction=choice.fraction,
            )
            for question, item in zip(questions, batch, strict=True)
            for order, (choice, key) in enumerate(item.choices, start=1)
        ],
        Choice,
    )
    return [question.pk for question in questions]
