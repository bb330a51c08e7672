"""Read hand-written question bank files (TOML) into plain values.

The format is described in ``fixtures/banks/README.md``. Reading checks the shape of
the file only (keys, types); the content rules live in ``quizzes.rules`` and are applied
by whoever stores or audits the questions.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from quizzes.choices import QuestionKind, QuestionStatus
from quizzes.rules import acknowledgement_problems


class BankFileError(ValueError):
    """A bank file that cannot be read; the message says which file and where."""


@dataclass(frozen=True)
class BankChoice:
    text: str
    is_correct: bool
    rationale: str


@dataclass(frozen=True)
class BankQuestion:
    ref: str
    kind: str
    status: str
    stem: str
    explanation: str
    source_quote: str
    choices: list[BankChoice] = field(default_factory=list)
    # The warnings judged not to apply, {code: reason}: ``acknowledge = {…}``.
    acknowledge: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Bank:
    path: Path
    document: str
    section: str
    questions: list[BankQuestion]


def bank_read(path: Path) -> Bank:
    """Parse one bank file, or raise ``BankFileError`` naming the file and the spot."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BankFileError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise BankFileError(f"{path}: not UTF-8 (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise BankFileError(f"{path}: not valid TOML: {exc}") from None
    where = str(path)
    questions = _list_of_tables(data, "questions", where)
    return Bank(
        path=path,
        document=_string(data, "document", where),
        section=_string(data, "section", where),
        questions=[
            _question(item, f"{where}: questions[{index}]")
            for index, item in enumerate(questions, start=1)
        ],
    )


def banks_read(directory: Path) -> list[Bank]:
    """Parse every ``*.toml`` bank in ``directory``, in file-name order."""
    banks = [bank_read(path) for path in sorted(directory.glob("*.toml"))]
    seen: dict[str, str] = {}
    for bank in banks:
        for question in bank.questions:
            if question.ref in seen:
                raise BankFileError(
                    f"{bank.path}: ref “{question.ref}” is used twice "
                    f"(also in {seen[question.ref]})"
                )
            seen[question.ref] = str(bank.path)
    return banks


def _question(data: dict, where: str) -> BankQuestion:
    kind = _string(data, "kind", where)
    if kind not in QuestionKind.values:
        raise BankFileError(
            f"{where}: kind “{kind}” is not one of {QuestionKind.values}"
        )
    status = _string(data, "status", where, default=QuestionStatus.PUBLISHED)
    if status not in QuestionStatus.values:
        raise BankFileError(
            f"{where}: status “{status}” is not one of {QuestionStatus.values}"
        )
    ref = _string(data, "ref", where)
    where = f"{where} ({ref})"
    return BankQuestion(
        ref=ref,
        kind=kind,
        status=status,
        stem=_string(data, "stem", where).strip(),
        explanation=_string(data, "explanation", where).strip(),
        source_quote=_string(data, "source_quote", where),
        choices=[
            _choice(item, f"{where}: choices[{index}]")
            for index, item in enumerate(
                _list_of_tables(data, "choices", where), start=1
            )
        ],
        acknowledge=_acknowledge(data, where),
    )


def _acknowledge(data: dict, where: str) -> dict[str, str]:
    value = data.get("acknowledge", {})
    if not isinstance(value, dict):
        raise BankFileError(
            f'{where}: “acknowledge” must be a table of code = "reason"'
        )
    if problems := acknowledgement_problems(value):
        raise BankFileError(f"{where}: acknowledge: {'; '.join(problems)}")
    return {code: reason.strip() for code, reason in value.items()}


def _choice(data: dict, where: str) -> BankChoice:
    correct = data.get("correct")
    if not isinstance(correct, bool):
        raise BankFileError(f"{where}: “correct” must be true or false")
    return BankChoice(
        text=_string(data, "text", where).strip(),
        is_correct=correct,
        rationale=_string(data, "rationale", where).strip(),
    )


def _string(data: dict, key: str, where: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise BankFileError(f"{where}: “{key}” must be a string")
    return value


def _list_of_tables(data: dict, key: str, where: str) -> list[dict]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise BankFileError(f"{where}: “{key}” must be a list of [[{key}]] tables")
    return value
