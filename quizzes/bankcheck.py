"""Check bank files against the seed document without a database.

``python -m quizzes.bankcheck fixtures/banks/FILE.toml [...]`` prints each problem and
exits 1 if there is one. Authors use it while writing; ``audit_bank`` applies the same
rules to what is stored.
"""

from __future__ import annotations

import sys
from pathlib import Path

from quizzes.banks import BankFileError, bank_read
from quizzes.choices import QuestionKind, QuestionStatus
from quizzes.rules import bank_cue_problems, minimum_questions, question_problems
from quizzes.splitting import split_markdown, subtree_text

SEED = Path(__file__).resolve().parent.parent / "fixtures/ketamine-clinical-overview.md"


def main(paths: list[str]) -> int:
    split = split_markdown(SEED.read_text(encoding="utf-8"))
    index_by_slug = {s.slug: i for i, s in enumerate(split.sections) if s.level == 1}
    failures = 0
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
        problems = []
        for q in bank.questions:
            problems += [
                f"{q.ref}: {p}"
                for p in question_problems(
                    question=q, choices=q.choices, section_text=text
                )
            ]
        problems += bank_cue_problems(
            keyed_choices=[
                q.choices for q in bank.questions if q.kind != QuestionKind.TRUE_FALSE
            ]
        )
        published = sum(q.status == QuestionStatus.PUBLISHED for q in bank.questions)
        if published < minimum_questions(bank.section):
            problems.append(
                f"{published} published questions; the section needs at least "
                f"{minimum_questions(bank.section)}"
            )
        for problem in problems:
            print(f"{name}: {problem}")
        failures += len(problems)
        if not problems:
            kinds = {
                k: sum(q.kind == k for q in bank.questions) for k in QuestionKind.values
            }
            print(f"{name}: OK ({len(bank.questions)} questions: {kinds})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
