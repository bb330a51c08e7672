"""Split a source document into titled sections without losing a character.

This module is pure Python (no models), so that it can be reasoned about and tested on
its own: the importer turns its output into ``Section`` rows.

Two input formats:

* **Markdown**: ATX headings (``# Title``, ``## Subtitle``...) mark the structure. The
  heading markers are annotations, not text: they are stripped, and the remaining text
  is what the document holds. Heading depth gives the section level.
* **Plain text**: no markup, so headings are recognised by shape (a short, title-cased
  line that is not a bullet and does not end a sentence). Every heading found is a
  top-level section, since plain text cannot say which headings are nested.

Text before the first heading becomes an untitled preamble section, titled
``PREAMBLE_TITLE``. Each section's ``text`` is an exact slice of the document, from the
start of its heading line up to the next heading, so that joining every section's text
in order gives back the document byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from django.utils.text import slugify

PREAMBLE_TITLE = "Overview"
MARKDOWN_HEADING = re.compile(r"^(#{1,6}) (?=\S)")
# Plain-text headings: short, not a bullet, not ending like a sentence or a lead-in.
PLAIN_MAX_HEADING_LENGTH = 100
PLAIN_MIN_CAPITALISED_SHARE = 0.6


class _Sectionlike(Protocol):
    level: int
    text: str


@dataclass(frozen=True)
class SplitSection:
    """One section of a split document: where it sits and what it holds."""

    order: int
    level: int
    title: str
    slug: str
    text: str
    parent_order: int | None


@dataclass(frozen=True)
class SplitDocument:
    """A document's text (markup removed) and its sections in document order."""

    text: str
    sections: list[SplitSection]


def strip_markdown_headings(markdown: str) -> str:
    """Return ``markdown`` with the ``#`` markers of its ATX headings removed."""
    return "".join(
        MARKDOWN_HEADING.sub("", line) for line in markdown.splitlines(keepends=True)
    )


def split_markdown(markdown: str) -> SplitDocument:
    """Split Markdown on its ATX headings; their depth gives each section's level."""
    text_lines: list[str] = []
    headings: list[tuple[int, int]] = []  # (line index, level)
    for index, line in enumerate(markdown.splitlines(keepends=True)):
        match = MARKDOWN_HEADING.match(line)
        if match:
            headings.append((index, len(match.group(1))))
            line = line[match.end() :]
        text_lines.append(line)
    return _build(text_lines, headings)


def split_plain_text(text: str) -> SplitDocument:
    """Split plain text on the lines that look like headings; all are top-level."""
    lines = text.splitlines(keepends=True)
    headings = [
        (index, 1) for index, line in enumerate(lines) if looks_like_heading(line)
    ]
    return _build(lines, headings)


def looks_like_heading(line: str) -> bool:
    """Whether a plain-text line has the shape of a heading.

    A heading is short, is not a list bullet, does not end like a sentence or a lead-in
    (``.``, ``:``, ``;``, ``,``) and has most of its longer words capitalised, as titles
    do ("What Is Ketamine?", "1. Intravenous (IV) Infusion").
    """
    stripped = line.strip()
    if not stripped or len(stripped) > PLAIN_MAX_HEADING_LENGTH:
        return False
    if stripped.startswith(("- ", "* ", "•")) or stripped[-1] in ".:;,":
        return False
    words = [w for w in re.findall(r"[^\W\d_][\w’'-]*", stripped) if len(w) > 3]
    if not words or (not stripped[0].isupper() and not stripped[0].isdigit()):
        return False
    capitalised = sum(1 for w in words if w[0].isupper())
    return capitalised / len(words) >= PLAIN_MIN_CAPITALISED_SHARE


def subtree_end(sections: Sequence[_Sectionlike], index: int) -> int:
    """The index just past the last subsection of ``sections[index]``.

    ``sections`` is a whole document's sections in document order; a section's
    subsections are the ones that follow it at a deeper level.
    """
    level = sections[index].level
    end = index + 1
    while end < len(sections) and sections[end].level > level:
        end += 1
    return end


def subtree_text(sections: Sequence[_Sectionlike], index: int) -> str:
    """The text of ``sections[index]`` followed by that of all its subsections."""
    return "".join(s.text for s in sections[index : subtree_end(sections, index)])


def _build(lines: list[str], headings: list[tuple[int, int]]) -> SplitDocument:
    starts: list[tuple[int, int, str]] = []  # (line index, level, title)
    if not headings or headings[0][0] > 0:
        starts.append((0, 1, PREAMBLE_TITLE))
    for index, level in headings:
        starts.append((index, level, lines[index].strip()))

    sections: list[SplitSection] = []
    open_orders: list[tuple[int, int]] = []  # stack of (level, order) for parents
    used_slugs: dict[str, int] = {}
    for order, (start, level, title) in enumerate(starts):
        end = starts[order + 1][0] if order + 1 < len(starts) else len(lines)
        while open_orders and open_orders[-1][0] >= level:
            open_orders.pop()
        parent_order = open_orders[-1][1] if open_orders else None
        # Top-level sections always start a new tree, whatever the depth before.
        if level == 1:
            parent_order = None
        open_orders.append((level, order))
        sections.append(
            SplitSection(
                order=order,
                level=len(open_orders),
                title=title,
                slug=_unique_slug(title, used_slugs),
                text="".join(lines[start:end]),
                parent_order=parent_order,
            )
        )
    return SplitDocument(text="".join(lines), sections=sections)


def _unique_slug(title: str, used: dict[str, int]) -> str:
    """Slugify ``title``; a repeated title gets ``-2``, ``-3``... in document order."""
    base = slugify(title) or "section"
    used[base] = used.get(base, 0) + 1
    return base if used[base] == 1 else f"{base}-{used[base]}"
