"""Importing a source document and keeping its sections in step with the file."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Count, F
from django.utils.text import slugify

from quizzes.models import Section, SourceDocument
from quizzes.splitting import (
    PREAMBLE_TITLE,
    CandidateLine,
    HeadingChoiceError,
    SplitDocument,
    SplitSection,
    split_markdown,
    split_plain_text,
)

logger = logging.getLogger(__name__)

MARKDOWN_SUFFIXES = {".md", ".markdown"}
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
# Pushes existing orders out of the way while sections are renumbered, so that the
# unique (document, order) constraint never sees two rows with one order.
ORDER_OFFSET = 1_000_000
# A preview shows this many of a section's first non-blank lines (after its heading).
PREVIEW_FIRST_LINES = 2
PREVIEW_LINE_CHARS = 160
MAX_HEADING_PATTERN_CHARS = 500


class DocumentImportError(ValueError):
    """A file that cannot be imported; the message is one line that says why."""


@dataclass(frozen=True)
class ImportResult:
    document: SourceDocument
    created: bool
    changed: bool
    sections_created: int
    sections_updated: int
    sections_deleted: int


@dataclass(frozen=True)
class SectionPreview:
    """A section the import would leave in place: ``change`` says what happens to
    it ("new", "changed" or "unchanged")."""

    title: str
    slug: str
    level: int
    line: int
    first_lines: tuple[str, ...]
    change: str


@dataclass(frozen=True)
class RemovedSection:
    """A section of the stored document that is not in the new file."""

    title: str
    slug: str
    question_count: int


@dataclass(frozen=True)
class DocumentPreview:
    """What ``document_import`` would do with a file and these heading choices."""

    title: str
    slug: str
    checksum: str
    document: SourceDocument | None
    sections: list[SectionPreview]
    removed: list[RemovedSection]
    candidates: list[CandidateLine]
    unchanged: bool
    refusal: str | None
    # Candidate lines whose title is that of a stored section the file would
    # remove: most likely headings chosen at the last import of this document.
    suggested_lines: list[int]

    @property
    def sections_created(self) -> int:
        return sum(s.change == "new" for s in self.sections)

    @property
    def sections_updated(self) -> int:
        return sum(s.change == "changed" for s in self.sections)


def document_read(
    *,
    name: str,
    data: bytes,
    heading_lines: Collection[int] = (),
    heading_pattern: str | None = None,
) -> SplitDocument:
    """Decode and split a document's bytes, or raise ``DocumentImportError``.

    ``name`` is the file name: a ``.md``/``.markdown`` suffix selects Markdown.
    ``heading_lines`` (1-based) and ``heading_pattern`` (a regular expression that a
    whole stripped line must match) choose headings beyond the shape rule.
    """
    if not data.strip():
        raise DocumentImportError(f"{name}: the file is empty")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentImportError(
            f"{name}: the file is {len(data):,} bytes; the limit is "
            f"{MAX_DOCUMENT_BYTES:,}"
        )
    if b"\x00" in data:
        raise DocumentImportError(
            f"{name}: the file is binary (it holds NUL bytes); import a UTF-8 text "
            "or Markdown file"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentImportError(
            f"{name}: the file is not UTF-8 (invalid byte at offset {exc.start}); "
            "save it as UTF-8 and import it again"
        ) from None
    pattern = _heading_pattern_compile(name=name, pattern=heading_pattern)
    split_file = (
        split_markdown
        if Path(name).suffix.lower() in MARKDOWN_SUFFIXES
        else split_plain_text
    )
    try:
        split = split_file(text, heading_lines=heading_lines, heading_pattern=pattern)
    except HeadingChoiceError as error:
        raise DocumentImportError(f"{name}: heading choice: {error}") from None
    if not any(_body_of(section) for section in split.sections):
        raise DocumentImportError(
            f"{name}: the file has headings but no text under them; a section needs "
            "the text that questions will quote"
        )
    return split


def _heading_pattern_compile(*, name: str, pattern: str | None) -> re.Pattern | None:
    """Compile the heading pattern, or say why it is refused."""
    if not pattern:
        return None
    if len(pattern) > MAX_HEADING_PATTERN_CHARS:
        raise DocumentImportError(
            f"{name}: the heading pattern is {len(pattern):,} characters; the limit "
            f"is {MAX_HEADING_PATTERN_CHARS}"
        )
    try:
        return re.compile(pattern)
    except re.error as error:
        raise DocumentImportError(
            f"{name}: the heading pattern “{pattern}” is not a valid regular "
            f"expression: {error}"
        ) from None


def _body_of(section) -> str:
    """A section's text without its heading line (the preamble has none)."""
    if section.order == 0 and section.title == PREAMBLE_TITLE:
        return section.text.strip()
    return section.text.partition("\n")[2].strip()


def document_preview(
    *,
    name: str,
    data: bytes,
    title: str | None = None,
    heading_lines: Collection[int] = (),
    heading_pattern: str | None = None,
) -> DocumentPreview:
    """What importing this file with these heading choices would do; writes nothing.

    Lists the sections that would be created, changed or left as they are, the
    stored sections that would be removed, the lines that look like headings but
    were not taken (and which of them carry the title of a stored section that
    would be removed: headings chosen at the last import, most likely), whether
    nothing would change, and the refusal the import would meet (sections with
    questions that would vanish). A file that cannot be read at
    all raises ``DocumentImportError``, as the import does.
    """
    split = document_read(
        name=name,
        data=data,
        heading_lines=heading_lines,
        heading_pattern=heading_pattern,
    )
    title, slug = _title_and_slug(name=name, title=title)
    checksum = hashlib.sha256(data).hexdigest()
    document = SourceDocument.objects.filter(slug=slug).first()
    sections, removed = _sections_plan(
        existing=_existing_sections(document), split=split
    )
    return DocumentPreview(
        title=title,
        slug=slug,
        checksum=checksum,
        document=document,
        sections=sections,
        removed=removed,
        candidates=split.candidates,
        unchanged=_is_unchanged(document, title, checksum, sections, removed),
        refusal=_removal_refusal(removed),
        suggested_lines=[
            c.line
            for c in split.candidates
            if slugify(c.title) in {r.slug for r in removed}
        ],
    )


def document_import(
    *,
    name: str,
    data: bytes,
    title: str | None = None,
    heading_lines: Collection[int] = (),
    heading_pattern: str | None = None,
) -> ImportResult:
    """Import a document's file, creating it or updating it in place.

    The document is found by the slug of its title (by default, the file name). An
    unchanged file split the same way changes nothing. A changed file (or the same
    file split on other headings) updates the sections in place, matched by slug,
    so that their questions stay linked; a section that has questions and is gone
    from the new file makes the import fail. All or nothing. ``heading_lines`` and
    ``heading_pattern`` choose headings as in ``document_read``.
    """
    split = document_read(
        name=name,
        data=data,
        heading_lines=heading_lines,
        heading_pattern=heading_pattern,
    )
    title, slug = _title_and_slug(name=name, title=title)
    checksum = hashlib.sha256(data).hexdigest()

    with transaction.atomic():
        document = SourceDocument.objects.select_for_update().filter(slug=slug).first()
        created = document is None
        if document and document.checksum == checksum and document.title == title:
            # The same bytes may be split on other headings this time.
            plan = _sections_plan(existing=_existing_sections(document), split=split)
            if _is_unchanged(document, title, checksum, *plan):
                return ImportResult(document, False, False, 0, 0, 0)
        if document is None:
            document = SourceDocument(slug=slug)
        document.title = title
        document.text = split.text
        document.checksum = checksum
        document.source_name = Path(name).name
        document.save()
        counts = _sections_sync(document=document, split=split)
    logger.info(
        "imported %s as %s: %d sections created, %d updated, %d deleted",
        name,
        slug,
        *counts,
    )
    return ImportResult(document, created, True, *counts)


def document_bytes_read(*, path: Path) -> bytes:
    """The bytes of the file at ``path``; a missing or unreadable file is refused."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise DocumentImportError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DocumentImportError(f"{path}: is a directory, not a file") from None
    except PermissionError:
        raise DocumentImportError(f"{path}: permission denied") from None


def document_import_path(
    *,
    path: Path,
    title: str | None = None,
    heading_lines: Collection[int] = (),
    heading_pattern: str | None = None,
) -> ImportResult:
    """Import the document at ``path``; a missing or unreadable file is refused."""
    return document_import(
        name=str(path),
        data=document_bytes_read(path=path),
        title=title,
        heading_lines=heading_lines,
        heading_pattern=heading_pattern,
    )


def _title_and_slug(*, name: str, title: str | None) -> tuple[str, str]:
    title = (
        title or Path(name).stem.replace("-", " ").replace("_", " ").title()
    ).strip()
    slug = slugify(title)
    if not slug:
        raise DocumentImportError(f"{name}: the title “{title}” gives an empty slug")
    return title, slug


def _is_unchanged(
    document: SourceDocument | None,
    title: str,
    checksum: str,
    sections: list[SectionPreview],
    removed: list[RemovedSection],
) -> bool:
    return (
        document is not None
        and document.title == title
        and document.checksum == checksum
        and not removed
        and all(s.change == "unchanged" for s in sections)
    )


def _removal_refusal(removed: list[RemovedSection]) -> str | None:
    """The refusal an import meets when sections with questions would vanish."""
    kept_questions = [s for s in removed if s.question_count]
    if not kept_questions:
        return None
    names = ", ".join(f"“{s.title}” ({s.question_count})" for s in kept_questions)
    return (
        f"these sections have questions but are not in the new file: {names}; "
        "keep their headings, or move their questions first"
    )


def _existing_sections(document: SourceDocument | None) -> dict[str, Section]:
    if document is None or document.pk is None:
        return {}
    return {
        s.slug: s
        for s in document.sections.select_related("parent").annotate(
            question_count=Count("questions")
        )
    }


def _sections_plan(
    *, existing: dict[str, Section], split: SplitDocument
) -> tuple[list[SectionPreview], list[RemovedSection]]:
    """Each new section and what happens to it, and the stored ones that go.

    The one comparison both the preview and the import count with, so that the
    preview's "2 new, 1 changed" is what the import then reports.
    """
    previews = []
    for part in split.sections:
        row = existing.get(part.slug)
        if row is None:
            change = "new"
        else:
            parent_slug = (
                split.sections[part.parent_order].slug
                if part.parent_order is not None
                else None
            )
            before = (row.order, row.level, row.title, row.text)
            after = (part.order, part.level, part.title, part.text)
            same_parent = (row.parent.slug if row.parent else None) == parent_slug
            change = "unchanged" if before == after and same_parent else "changed"
        previews.append(
            SectionPreview(
                title=part.title,
                slug=part.slug,
                level=part.level,
                line=part.line,
                first_lines=_first_lines(part),
                change=change,
            )
        )
    wanted = {s.slug for s in split.sections}
    removed = [
        RemovedSection(s.title, s.slug, s.question_count)
        for slug, s in existing.items()
        if slug not in wanted
    ]
    return previews, removed


def _first_lines(section: SplitSection) -> tuple[str, ...]:
    """The first non-blank lines of a section's body, shortened for a preview."""
    lines = [line.strip() for line in _body_of(section).splitlines() if line.strip()]
    return tuple(
        line if len(line) <= PREVIEW_LINE_CHARS else f"{line[:PREVIEW_LINE_CHARS]}…"
        for line in lines[:PREVIEW_FIRST_LINES]
    )


def _sections_sync(
    *, document: SourceDocument, split: SplitDocument
) -> tuple[int, int, int]:
    existing = _existing_sections(document)
    plan, removed = _sections_plan(existing=existing, split=split)
    refusal = _removal_refusal(removed)
    if refusal:
        raise DocumentImportError(refusal)
    doomed = [existing[s.slug] for s in removed]
    # Detach every section first: a kept subsection may hang under a doomed parent,
    # and deleting that parent must not cascade to it.
    document.sections.update(order=F("order") + ORDER_OFFSET, parent=None, level=1)
    Section.objects.filter(pk__in=[s.pk for s in doomed]).delete()

    by_order: dict[int, Section] = {}
    for part in split.sections:
        section = existing.get(part.slug) or Section(document=document, slug=part.slug)
        parent = by_order[part.parent_order] if part.parent_order is not None else None
        section.order = part.order
        section.level = part.level
        section.title = part.title
        section.text = part.text
        section.parent = parent
        section.save()
        by_order[part.order] = section
    created = sum(s.change == "new" for s in plan)
    updated = sum(s.change == "changed" for s in plan)
    return created, updated, len(doomed)
