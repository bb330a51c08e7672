"""Importing a source document and keeping its sections in step with the file."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Count, F
from django.utils.text import slugify

from quizzes.models import Section, SourceDocument
from quizzes.splitting import (
    PREAMBLE_TITLE,
    SplitDocument,
    split_markdown,
    split_plain_text,
)

logger = logging.getLogger(__name__)

MARKDOWN_SUFFIXES = {".md", ".markdown"}
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
# Pushes existing orders out of the way while sections are renumbered, so that the
# unique (document, order) constraint never sees two rows with one order.
ORDER_OFFSET = 1_000_000


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


def document_read(*, name: str, data: bytes) -> SplitDocument:
    """Decode and split a document's bytes, or raise ``DocumentImportError``.

    ``name`` is the file name: a ``.md``/``.markdown`` suffix selects Markdown.
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
    if Path(name).suffix.lower() in MARKDOWN_SUFFIXES:
        split = split_markdown(text)
    else:
        split = split_plain_text(text)
    if not any(_body_of(section) for section in split.sections):
        raise DocumentImportError(
            f"{name}: the file has headings but no text under them; a section needs "
            "the text that questions will quote"
        )
    return split


def _body_of(section) -> str:
    """A section's text without its heading line (the preamble has none)."""
    if section.order == 0 and section.title == PREAMBLE_TITLE:
        return section.text.strip()
    return section.text.partition("\n")[2].strip()


def document_import(
    *, name: str, data: bytes, title: str | None = None
) -> ImportResult:
    """Import a document's file, creating it or updating it in place.

    The document is found by the slug of its title (by default, the file name). An
    unchanged file changes nothing. A changed file updates the sections in place,
    matched by slug, so that their questions stay linked; a section that has
    questions and is gone from the new file makes the import fail. All or nothing.
    """
    split = document_read(name=name, data=data)
    title = (
        title or Path(name).stem.replace("-", " ").replace("_", " ").title()
    ).strip()
    slug = slugify(title)
    if not slug:
        raise DocumentImportError(f"{name}: the title “{title}” gives an empty slug")
    checksum = hashlib.sha256(data).hexdigest()

    with transaction.atomic():
        document = SourceDocument.objects.select_for_update().filter(slug=slug).first()
        created = document is None
        if document and document.checksum == checksum and document.title == title:
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


def document_import_path(*, path: Path, title: str | None = None) -> ImportResult:
    """Import the document at ``path``; a missing or unreadable file is refused."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DocumentImportError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DocumentImportError(f"{path}: is a directory, not a file") from None
    except PermissionError:
        raise DocumentImportError(f"{path}: permission denied") from None
    return document_import(name=str(path), data=data, title=title)


def _sections_sync(
    *, document: SourceDocument, split: SplitDocument
) -> tuple[int, int, int]:
    existing = {
        s.slug: s for s in document.sections.annotate(question_count=Count("questions"))
    }
    wanted = {s.slug for s in split.sections}
    doomed = [s for slug, s in existing.items() if slug not in wanted]
    kept_questions = [s for s in doomed if s.question_count]
    if kept_questions:
        names = ", ".join(f"“{s.title}” ({s.question_count})" for s in kept_questions)
        raise DocumentImportError(
            f"these sections have questions but are not in the new file: {names}; "
            "keep their headings, or move their questions first"
        )
    # Detach every section first: a kept subsection may hang under a doomed parent,
    # and deleting that parent must not cascade to it.
    document.sections.update(order=F("order") + ORDER_OFFSET, parent=None, level=1)
    Section.objects.filter(pk__in=[s.pk for s in doomed]).delete()

    by_order: dict[int, Section] = {}
    created = updated = 0
    for part in split.sections:
        section = existing.get(part.slug) or Section(document=document, slug=part.slug)
        is_new = section.pk is None
        parent = by_order[part.parent_order] if part.parent_order is not None else None
        before = (
            section.order,
            section.level,
            section.title,
            section.text,
            section.parent_id,
        )
        section.order = part.order
        section.level = part.level
        section.title = part.title
        section.text = part.text
        section.parent = parent
        section.save()
        after = (part.order, part.level, part.title, part.text, section.parent_id)
        created += is_new
        updated += not is_new and before != after
        by_order[part.order] = section
    return created, updated, len(doomed)
