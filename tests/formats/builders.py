"""Questions for the format tests, written out only where they differ."""

from __future__ import annotations

from quizzes.formats.base import ParsedChoice, ParsedQuestion


def parsed_question(
    *choices: ParsedChoice, kind: str = "single", stem: str = "Which?", **fields
) -> ParsedQuestion:
    """A question as a format reads or writes it: at line 0, with no title and no
    general feedback unless ``fields`` give them."""
    values = {"line": 0, "name": "", "explanation": "", **fields}
    return ParsedQuestion(kind=kind, stem=stem, choices=choices, **values)
