"""A small question-file format for the admin's tests, registered as "lines".

The admin only calls the service, which calls a format's ``parse`` and ``write``;
this format lets the admin's tests say exactly what a file yields (a question, a
skipped question, an error, on a given line) without depending on a real format's
grammar. One item a line:

    Q name | kind | stem | explanation
    C fraction | text | feedback          (a choice of the question above)
    S type | reason                       (a question of a type we do not have)
    E message                             (an error)

``write`` leaves out true/false questions, as Aiken leaves out all but single best
answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import BinaryIO, TextIO

from quizzes.formats.base import (
    ExportSkip,
    FormatError,
    ParsedChoice,
    ParsedItem,
    ParsedQuestion,
    SkippedQuestion,
)

NAME = "lines"
LABEL = "Test lines"
EXTENSION = ".lines"
MEDIA_TYPE = "text/plain; charset=utf-8"


def parse(stream: BinaryIO) -> Iterator[ParsedItem]:
    question: ParsedQuestion | None = None
    for number, raw in enumerate(stream, start=1):
        try:
            line = raw.decode("utf-8").rstrip("\n")
        except UnicodeDecodeError:
            yield FormatError(line=number, message="the line is not UTF-8")
            continue
        kind, _, rest = line.partition(" ")
        fields = [part.strip() for part in rest.split("|")]
        if kind == "C" and question is not None:
            fraction, text, feedback = fields
            choice = ParsedChoice(
                text=text, fraction=float(fraction), feedback=feedback
            )
            question = replace(question, choices=(*question.choices, choice))
            continue
        if question is not None:
            yield question
            question = None
        if kind == "Q":
            name, qkind, stem, explanation = fields
            question = ParsedQuestion(
                line=number,
                name=name,
                kind=qkind,
                stem=stem,
                explanation=explanation,
                choices=(),
            )
        elif kind == "S":
            yield SkippedQuestion(line=number, type=fields[0], reason=fields[1])
        elif kind == "E":
            yield FormatError(line=number, message=rest)
        elif line.strip():
            yield FormatError(line=number, message=f"cannot read “{line}”")
    if question is not None:
        yield question


def write(questions: Iterable[ParsedQuestion], out: TextIO) -> list[ExportSkip]:
    skips = []
    for question in questions:
        if question.kind == "true_false":
            skips.append(ExportSkip(name=question.name, reason="not in this format"))
            continue
        out.write(
            f"Q {question.name} | {question.kind} | {question.stem} | "
            f"{question.explanation}\n"
        )
        for choice in question.choices:
            out.write(f"C {choice.fraction} | {choice.text} | {choice.feedback}\n")
    return skips
