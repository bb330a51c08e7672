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

The heuristic misses headings that are not title-cased ("How it is given") or that
end in a colon ("Monitoring:"), so the caller may choose more: explicit 1-based line
numbers and/or a regular expression that a whole stripped line must match. A chosen
line's title drops a trailing colon; its text stays as written. The lines that look
like headings but were not taken are listed as *candidates*, with the reason, so that
a person can choose among them (``candidate_lines``).

Text before the first heading becomes an untitled preamble section, titled
``PREAMBLE_TITLE``. Each section's ``text`` is an exact slice of the document, from the
start of its heading line up to the next heading, so that joining every section's text
in order gives back the document byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.utils.text import slugify

PREAMBLE_TITLE = "Overview"
MARKDOWN_HEADING = re.compile(r"^(#{1,6}) (?=\S)")
# Plain-text headings: short, not a bullet, not ending like a sentence or a lead-in.
PLAIN_MAX_HEADING_LENGTH = 100
PLAIN_MIN_CAPITALISED_SHARE = 0.6
BULLETS = ("- ", "* ", "•")
# Candidates: short standalone lines. A line ending in a colon is a label
# ("Monitoring:", "Signs of toxicity:") when it is short; a longer one is a sentence
# that leads into a list ("Ketamine is primarily used in medical settings for:").
CANDIDATE_MAX_WORDS = 8
LABEL_MAX_WORDS = 5
# Markdown lines that are structure, never a forgotten heading.
MARKDOWN_NOT_PROSE = ("|", ">", "<")
MARKDOWN_FENCES = ("```", "~~~")


class HeadingChoiceError(ValueError):
    """A chosen heading line that is not in the document or holds no text."""


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
    line: int  # 1-based number of the line the section starts on


@dataclass(frozen=True)
class CandidateLine:
    """A line that looks like a heading but was not taken, and why not."""

    line: int  # 1-based
    text: str  # the line, stripped
    reason: str

    @property
    def title(self) -> str:
        """The section's title, were the line chosen as a heading."""
        return _chosen_title(self.text)


@dataclass(frozen=True)
class SplitDocument:
    """A document's text (markup removed), its sections in document order, and the
    lines that look like headings but were not taken."""

    text: str
    sections: list[SplitSection]
    candidates: list[CandidateLine]


def strip_markdown_headings(markdown: str) -> str:
    """Return ``markdown`` with the ``#`` markers of its ATX headings removed."""
    return "".join(
        MARKDOWN_HEADING.sub("", line) for line in markdown.splitlines(keepends=True)
    )


def split_markdown(
    markdown: str,
    *,
    heading_lines: Collection[int] = (),
    heading_pattern: re.Pattern[str] | None = None,
) -> SplitDocument:
    """Split Markdown on its ATX headings; their depth gives each section's level.

    A chosen line (``heading_lines``, ``heading_pattern``) becomes a heading at the
    level of the heading before it, top-level if none: it is cut out of the section
    it was merged into, as that section's peer. Unmarked short standalone lines are
    offered as candidates too: a Markdown author may forget a ``#`` as easily as a
    plain-text author writes a heading in sentence case, and tables, quotes, HTML,
    indented and fenced code are skipped, so the list stays short.
    """
    text_lines: list[str] = []
    marked: dict[int, int] = {}  # line index -> level
    for index, line in enumerate(markdown.splitlines(keepends=True)):
        match = MARKDOWN_HEADING.match(line)
        if match:
            marked[index] = len(match.group(1))
            line = line[match.end() :]
        text_lines.append(line)
    chosen = _chosen(text_lines, heading_lines, heading_pattern) - marked.keys()
    headings: list[tuple[int, int, str]] = []
    level = 1
    for index in sorted(marked.keys() | chosen):
        if index in marked:
            level = marked[index]
            headings.append((index, level, text_lines[index].strip()))
        else:
            headings.append((index, level, _chosen_title(text_lines[index])))
    prose = _markdown_prose(markdown.splitlines(keepends=True))
    return _build(text_lines, headings, candidate_indices=prose)


def split_plain_text(
    text: str,
    *,
    heading_lines: Collection[int] = (),
    heading_pattern: re.Pattern[str] | None = None,
) -> SplitDocument:
    """Split plain text on the lines that look like headings, and on the chosen
    ones (``heading_lines``, 1-based; ``heading_pattern``); all are top-level."""
    lines = text.splitlines(keepends=True)
    chosen = _chosen(lines, heading_lines, heading_pattern)
    headings = [
        (index, 1, _chosen_title(line) if index in chosen else line.strip())
        for index, line in enumerate(lines)
        if index in chosen or looks_like_heading(line)
    ]
    return _build(lines, headings, candidate_indices=range(len(lines)))


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


def candidate_reason(line: str) -> str | None:
    """Why a short, heading-shaped line is not taken as a heading by the shape rule.

    ``None`` when the line is taken, or is not heading-shaped at all: blank, long, a
    bullet, a sentence (ends in ``.``, ``;``, ``,``, ``!``), a lead-in longer than a
    label, or without a letter.
    """
    stripped = line.strip()
    if not stripped or looks_like_heading(stripped):
        return None
    words = stripped.split()
    if len(words) > CANDIDATE_MAX_WORDS or len(stripped) > PLAIN_MAX_HEADING_LENGTH:
        return None
    if stripped.startswith(BULLETS) or stripped[-1] in ".;,!":
        return None
    if not re.search(r"[^\W\d_]", stripped):
        return None
    reasons = []
    body = stripped
    if stripped.endswith(":"):
        if len(words) > LABEL_MAX_WORDS:
            return None
        reasons.append("ends with a colon")
        body = stripped.rstrip(":").strip()
    if body and not looks_like_heading(body):
        if not re.search(r"[^\W\d_][\w’'-]{3}", body):
            reasons.append("no word longer than three letters")
        elif not (body[0].isupper() or body[0].isdigit()):
            reasons.append("starts in lower case")
        else:
            reasons.append("sentence case: too few capitalised words")
    return "; ".join(reasons) or None


def candidate_lines(
    lines: Sequence[str],
    *,
    taken: Collection[int],
    among: Collection[int] | None = None,
) -> list[CandidateLine]:
    """The lines that look like headings but were not taken, with why not.

    ``lines`` are a document's lines (``splitlines(keepends=True)``, markup
    removed); ``taken`` the 0-based indices of its heading lines; ``among`` the
    indices that may be offered (default: all). A candidate is standalone: the line
    before it is absent, blank, a heading or ends a sentence or clause, and the line
    after it does not go on in lower case, so the last or first line of a wrapped
    paragraph is not offered.
    """
    found: list[CandidateLine] = []
    for index in range(len(lines)) if among is None else among:
        if index in taken:
            continue
        reason = candidate_reason(lines[index])
        if reason is None:
            continue
        before = lines[index - 1].strip() if index > 0 else ""
        after = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if before and index - 1 not in taken and before[-1] not in '.!?:;)"”':
            continue
        if after[:1].islower():
            continue
        found.append(CandidateLine(index + 1, lines[index].strip(), reason))
    return found


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


def _chosen(
    lines: Sequence[str],
    numbers: Collection[int],
    pattern: re.Pattern[str] | None,
) -> set[int]:
    """The 0-based indices of the chosen heading lines; a number that is not a line
    of the document, or is a blank line, raises ``HeadingChoiceError``."""
    chosen = set()
    for number in sorted(set(numbers)):
        if not 1 <= number <= len(lines):
            raise HeadingChoiceError(
                f"line {number} is out of range: the file has {len(lines)} lines"
            )
        if not lines[number - 1].strip():
            raise HeadingChoiceError(f"line {number} is blank; a heading needs text")
        chosen.add(number - 1)
    if pattern is not None:
        chosen.update(
            index
            for index, line in enumerate(lines)
            if line.strip() and pattern.fullmatch(line.strip())
        )
    return chosen


def _chosen_title(line: str) -> str:
    """A chosen heading's title: the line, stripped, without a trailing colon."""
    stripped = line.strip()
    return stripped.rstrip(":").rstrip() or stripped


def _markdown_prose(lines: Sequence[str]) -> list[int]:
    """Indices of the Markdown lines that are prose: not in a fenced code block, and
    not a table row, quote, HTML or indented code."""
    prose: list[int] = []
    fenced = False
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(MARKDOWN_FENCES):
            fenced = not fenced
        elif not (
            fenced
            or line.startswith(("    ", "\t"))
            or stripped.startswith(MARKDOWN_NOT_PROSE)
        ):
            prose.append(index)
    return prose


def _build(
    lines: list[str],
    headings: list[tuple[int, int, str]],
    *,
    candidate_indices: Collection[int],
) -> SplitDocument:
    """Sections from ``headings`` (line index, level, title), in document order."""
    starts: list[tuple[int, int, str]] = []  # (line index, level, title)
    if not headings or headings[0][0] > 0:
        starts.append((0, 1, PREAMBLE_TITLE))
    starts.extend(headings)

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
                line=start + 1,
            )
        )
    taken = {index for index, _, _ in headings}
    return SplitDocument(
        text="".join(lines),
        sections=sections,
        candidates=candidate_lines(lines, taken=taken, among=candidate_indices),
    )


def _unique_slug(title: str, used: dict[str, int]) -> str:
    """Slugify ``title``; a repeated title gets ``-2``, ``-3``... in document order."""
    base = slugify(title) or "section"
    used[base] = used.get(base, 0) + 1
    return base if used[base] == 1 else f"{base}-{used[base]}"
