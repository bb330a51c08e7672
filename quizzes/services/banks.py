"""Loading the hand-written question banks into the database."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from quizzes.banks import Bank, BankFileError, banks_read
from quizzes.models import Choice, Question, Section
from quizzes.rules import question_problems

logger = logging.getLogger(__name__)


class BankLoadError(ValueError):
    """Bank files that cannot be loaded; ``problems`` lists each one with its place."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s): " + "; ".join(problems[:5]))


@dataclass(frozen=True)
class BankLoadResult:
    created: int
    updated: int
    unchanged: int


def banks_load(*, directory: Path) -> BankLoadResult:
    """Load every bank file in ``directory``: all of them, or nothing.

    Questions are matched on their ``ref``, so loading again updates them in place
    and creates nothing twice. Choices are matched on their position, so that answers
    already given keep pointing at the same rows. A question's ``acknowledge`` table
    is stored as its acknowledged warnings.

    Only errors stop a load: warnings (item-writing flaws that can misfire) are for
    ``audit_bank`` to report, acknowledged or not, as are the rules over a bank.
    """
    try:
        banks = banks_read(directory)
    except BankFileError as exc:
        raise BankLoadError([str(exc)]) from None
    if not banks:
        raise BankLoadError([f"{directory}: no *.toml bank files"])
    sections = _sections_for(banks)
    problems: list[str] = []
    for bank in banks:
        section = sections[bank.path]
        text = section.full_text()
        for q in bank.questions:
            problems += [
                f"{bank.path.name}: {q.ref}: {problem}"
                for problem in question_problems(
                    question=q, choices=q.choices, section_text=text
                )
                if not getattr(problem, "warning", False)
            ]
    if problems:
        raise BankLoadError(problems)

    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {
            q.ref: q
            for q in Question.objects.filter(
                ref__in=[q.ref for b in banks for q in b.questions]
            ).prefetch_related("choices")
        }
        for bank in banks:
            for item in bank.questions:
                outcome = _question_upsert(
                    item=item,
                    section=sections[bank.path],
                    question=existing.get(item.ref),
                )
                created += outcome == "created"
                updated += outcome == "updated"
                unchanged += outcome == "unchanged"
    logger.info(
        "banks loaded: %d created, %d updated, %d unchanged",
        created,
        updated,
        unchanged,
    )
    return BankLoadResult(created, updated, unchanged)


def _sections_for(banks: list[Bank]) -> dict[Path, Section]:
    sections: dict[Path, Section] = {}
    missing: list[str] = []
    for bank in banks:
        section = (
            Section.objects.select_related("document")
            .filter(document__slug=bank.document, slug=bank.section)
            .first()
        )
        if section is None:
            missing.append(
                f"{bank.path.name}: no section “{bank.section}” in document "
                f"“{bank.document}”; import the document first"
            )
        else:
            sections[bank.path] = section
    if missing:
        raise BankLoadError(missing)
    return sections


def _question_upsert(*, item, section: Section, question: Question | None) -> str:
    fields = {
        "section": section,
        "kind": item.kind,
        "status": item.status,
        "stem": item.stem,
        "explanation": item.explanation,
        "source_quote": item.source_quote,
        "acknowledged_warnings": item.acknowledge,
    }
    if question is None:
        question = Question.objects.create(ref=item.ref, **fields)
        # With history, so that a question's first version includes its choices.
        bulk_create_with_history(
            [
                Choice(
                    question=question,
                    order=order,
                    text=c.text,
                    is_correct=c.is_correct,
                    rationale=c.rationale,
                )
                for order, c in enumerate(item.choices, start=1)
            ],
            Choice,
        )
        return "created"

    changed = False
    for name, value in fields.items():
        if getattr(question, name) != value:
            setattr(question, name, value)
            changed = True
    if changed:
        question.save()
    current = {c.order: c for c in question.choices.all()}
    for order, c in enumerate(item.choices, start=1):
        choice = current.pop(order, None) or Choice(question=question, order=order)
        values = {"text": c.text, "is_correct": c.is_correct, "rationale": c.rationale}
        if choice.pk is None or any(getattr(choice, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(choice, k, v)
            choice.save()
            changed = True
    if current:
        Choice.objects.filter(pk__in=[c.pk for c in current.values()]).delete()
        changed = True
    return "updated" if changed else "unchanged"
