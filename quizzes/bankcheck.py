"""Check bank files against the seed document without a database.

``python -m quizzes.bankcheck fixtures/banks/FILE.toml [...]`` prints each problem and
exits 1 if there is one. Authors use it while writing; ``audit_bank`` applies the same
rules to what is stored. It applies the rules of each question (item-writing flaws
included), those of each file's bank, and the near-duplicates among the questions of
the files given. A warning the file acknowledges (``acknowledge = {code = "why"}``)
is printed as acknowledged and does not count.
"""

from __future__ import annotations

import sys
from pathlib import Path

from quizzes.banks import Bank, BankFileError, bank_read
from quizzes.choices import QuestionKind, QuestionStatus
from quizzes.rules import (
    Item,
    bank_problems,
    minimum_questions,
    near_duplicate_problems,
    problems_blocking,
    question_problems,
)
from quizzes.splitting import split_markdown, subtree_text

SEED = Path(__file__).resolve().parent.parent / "fixtures/ketamine-clinical-overview.md"


def main(paths: list[str]) -> int:
    split = split_markdown(SEED.read_text(encoding="utf-8"))
    index_by_slug = {s.slug: i for i, s in enumerate(split.sections) if s.level == 1}
    failures = 0
    banks: list[tuple[str, Bank, str]] = []
    for name in paths:
        try:
            bank = bank_read(Path(name))
        except BankFileError as exc:
            print(exc)
            failures += 1
            continue
        if bank.section not in index_by_slug:
            print(f"{name}: no top-level section “{bank.section}” in {SEED.name}")
            failures += 1
            continue
        text = subtree_text(split.sections, index_by_slug[bank.section])
        banks.append((name, bank, text))

    questions = [(name, q) for name, bank, _ in banks for q in bank.questions]
    duplicates = near_duplicate_problems(
        items=[
            Item(label=q.ref, kind=q.kind, stem=q.stem, choices=q.choices)
            for _, q in questions
        ]
    )
    duplicates_of = {
        (name, q.ref): duplicates.get(index, [])
        for index, (name, q) in enumerate(questions)
    }
    for name, bank, text in banks:
        problems: list[str] = []
        acknowledged: list[str] = []
        for q in bank.questions:
            found = (
                question_problems(question=q, choices=q.choices, section_text=text)
                + duplicates_of[(name, q.ref)]
            )
            standing = problems_blocking(found, acknowledged=q.acknowledge)
            problems += [f"{q.ref}: {_tagged(p)}" for p in standing]
            acknowledged += [
                f"{q.ref}: acknowledged {p.code}: “{q.acknowledge[p.code]}”"
                for p in found
                if p not in standing
            ]
        problems += map(
            _tagged,
            bank_problems(
                items=[
                    Item(label=q.ref, kind=q.kind, stem=q.stem, choices=q.choices)
                    for q in bank.questions
                ]
            ),
        )
        published = sum(q.status == QuestionStatus.PUBLISHED for q in bank.questions)
        if published < minimum_questions(bank.section):
            problems.append(
                f"{published} published questions; the section needs at least "
                f"{minimum_questions(bank.section)}"
            )
        for line in acknowledged:
            print(f"{name}: {line}")
        for problem in problems:
            print(f"{name}: {problem}")
        failures += len(problems)
        if not problems:
            kinds = {
                k: sum(q.kind == k for q in bank.questions) for k in QuestionKind.values
            }
            print(f"{name}: OK ({len(bank.questions)} questions: {kinds})")
    return 1 if failures else 0


def _tagged(problem: str) -> str:
    """The problem with its code first, and "warning" when it can be acknowledged."""
    code = getattr(problem, "code", None)
    if code is None:
        return problem
    return f"[{code}{' warning' if problem.warning else ''}] {problem}"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
