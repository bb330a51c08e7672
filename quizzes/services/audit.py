"""Auditing the stored banks against the item-writing rules and the minimums."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from quizzes.choices import QuestionStatus
from quizzes.models import Question, SourceDocument
from quizzes.rules import (
    Item,
    Problem,
    bank_problems,
    document_balance_problems,
    item_flaw_problems,
    minimum_questions,
    near_duplicate_problems,
    question_problems,
)
from quizzes.services.quote_suggestions import (
    draft_quote_suggestions,
    drafts_without_quote,
)
from quizzes.splitting import subtree_text

WHOLE_DOCUMENT = "(whole document)"


@dataclass(frozen=True)
class AuditFinding:
    """One problem the audit found: where, which, and whether it is acknowledged."""

    document: str
    bank: str  # the slug of the top-level section, or WHOLE_DOCUMENT
    where: str  # the question's ref (or id), or the section's title
    problem: str
    acknowledged: bool = False
    question_id: int | None = None  # None for a problem of a bank or a document
    reason: str = ""  # why the warning was acknowledged

    @property
    def code(self) -> str:
        return getattr(self.problem, "code", "other")

    @property
    def line(self) -> str:
        return f"{self.document}: {self.where}: {self.problem}"


def question_audit(
    *, question: Question, choices: list, section_text: str | None = None
) -> list[str]:
    """Every problem of one question as the audit sees it, with ``choices`` as given
    (the admin's unsaved rows, say): its own rules and flaws, and the near-duplicates
    among the other published questions of its document.
    """
    if section_text is None:
        section_text = question.section.full_text()
    problems = question_problems(
        question=question, choices=choices, section_text=section_text
    )
    return problems + _near_duplicates(question=question, choices=choices)


def question_warnings(*, question: Question, choices: list) -> list[str]:
    """The warnings of one question (acknowledged or not): its item-writing flaws
    that can misfire and its near-duplicates. No section text needed (one or two
    queries)."""
    flaws = item_flaw_problems(kind=question.kind, stem=question.stem, choices=choices)
    return [
        p
        for p in flaws + _near_duplicates(question=question, choices=choices)
        if getattr(p, "warning", False)
    ]


def _near_duplicates(*, question: Question, choices: list) -> list[str]:
    """The question's near-duplicates among the other published questions of its
    document: they and their choices, two queries (one if there are none)."""
    others = list(
        Question.objects.filter(
            section__document__sections=question.section_id,
            status=QuestionStatus.PUBLISHED,
        )
        .exclude(pk=question.pk)
        .prefetch_related("choices")
    )
    items = [
        Item(
            label="this question",
            kind=question.kind,
            stem=question.stem,
            choices=choices,
        )
    ] + [
        Item(
            label=other.ref or f"question {other.pk}",
            kind=other.kind,
            stem=other.stem,
            choices=list(other.choices.all()),
        )
        for other in others
    ]
    # Only this question's pairs matter here; the others among themselves are the
    # whole audit's business.
    return near_duplicate_problems(items=items, first_only=True).get(0, [])


def bank_audit() -> list[str]:
    """Every rule violation among the published questions, one line each.

    An empty list means a clean audit. Acknowledged warnings are not violations
    (``bank_audit_findings`` lists them too).
    """
    return [f.line for f in bank_audit_findings() if not f.acknowledged]


def bank_audit_findings() -> list[AuditFinding]:
    """Every problem among the published questions, acknowledged ones included.

    Checks each published question (kind rules, verbatim quote, stem, rationales,
    item-writing flaws), its near-duplicates in the document, each top-level
    section's bank for cues (key position and length, true/false balance, number
    correct) and for its minimum number of published questions, and the document's
    items together for the same cues.
    """
    findings: list[AuditFinding] = []
    for document in SourceDocument.objects.prefetch_related("sections"):
        findings += _document_findings(document)
    return findings


def _document_findings(document: SourceDocument) -> list[AuditFinding]:
    sections = list(document.sections.all())
    # A question on a subsection belongs to the bank of its top-level section.
    top_of: dict[int, object] = {}
    subtree_of: dict[int, str] = {}
    top = None
    for index, section in enumerate(sections):
        top = section if section.level == 1 else top
        top_of[section.pk] = top
        subtree_of[section.pk] = subtree_text(sections, index)

    findings: list[AuditFinding] = []
    bank: dict[int, list[Item]] = defaultdict(list)
    published = list(
        Question.objects.filter(
            section__document=document, status=QuestionStatus.PUBLISHED
        ).prefetch_related("choices")
    )
    items = []
    for question in published:
        choices = list(question.choices.all())
        label = question.ref or f"question {question.pk}"
        item = Item(
            label=label, kind=question.kind, stem=question.stem, choices=choices
        )
        items.append(item)
        bank[top_of[question.section_id].pk].append(item)
    duplicates = near_duplicate_problems(items=items)
    for index, (question, item) in enumerate(zip(published, items, strict=True)):
        problems = question_problems(
            question=question,
            choices=item.choices,
            section_text=subtree_of[question.section_id],
        ) + duplicates.get(index, [])
        acknowledged = question.acknowledged_warnings or {}
        for problem in problems:
            reason = _reason(problem, acknowledged)
            findings.append(
                AuditFinding(
                    document=document.slug,
                    bank=top_of[question.section_id].slug,
                    where=item.label,
                    problem=problem,
                    acknowledged=bool(reason),
                    question_id=question.pk,
                    reason=reason,
                )
            )

    for section in (s for s in sections if s.level == 1):
        questions = bank[section.pk]
        where = f"section “{section.title}”"
        problems = bank_problems(items=questions)
        needed = minimum_questions(section.slug)
        if len(questions) < needed:
            problems.insert(
                0,
                Problem(
                    f"{len(questions)} published questions; it needs at least {needed}",
                    code="bank-size",
                ),
            )
        findings += [
            AuditFinding(
                document=document.slug, bank=section.slug, where=where, problem=p
            )
            for p in problems
        ]
    # Banks too small for their own balance checks are held to them together; with
    # a single bank the document-wide check would only repeat it.
    if sum(1 for questions in bank.values() if questions) > 1:
        findings += [
            AuditFinding(
                document=document.slug,
                bank=WHOLE_DOCUMENT,
                where="all its banks",
                problem=p,
            )
            for p in document_balance_problems(items=items)
        ]
    return findings


def _reason(problem: str, acknowledged: dict) -> str:
    """Why ``problem`` was acknowledged, or "" if it stands (errors always do)."""
    if not getattr(problem, "warning", False):
        return ""
    return str(acknowledged.get(problem.code, "")).strip()


def audit_summary(findings: list[AuditFinding]) -> list[str]:
    """The audit's counts as text lines: per code, then per bank and code, each
    with the acknowledged ones apart, and the questions with at least one problem."""
    found: Counter[str] = Counter()
    acked: Counter[str] = Counter()
    per_bank: Counter[tuple[str, str]] = Counter()
    per_bank_acked: Counter[tuple[str, str]] = Counter()
    flawed: set[int] = set()
    for finding in findings:
        counter, bank_counter = (
            (acked, per_bank_acked) if finding.acknowledged else (found, per_bank)
        )
        counter[finding.code] += 1
        bank_counter[(finding.bank, finding.code)] += 1
        if not finding.acknowledged and finding.question_id is not None:
            flawed.add(finding.question_id)
    width = max([len(code) for code in found | acked] + [len("code")])
    lines = [f"{'code':<{width}}  {'open':>5}  {'acknowledged':>12}"]
    for code in sorted(found | acked):
        lines.append(f"{code:<{width}}  {found[code]:>5}  {acked[code]:>12}")
    lines.append(
        f"{'all':<{width}}  {sum(found.values()):>5}  {sum(acked.values()):>12}"
    )
    lines.append("")
    lines.append("per bank (open / acknowledged):")
    for bank in sorted({bank for bank, _ in per_bank | per_bank_acked}):
        codes = sorted({code for b, code in per_bank | per_bank_acked if b == bank})
        counts = ", ".join(
            f"{code} {per_bank[(bank, code)]}/{per_bank_acked[(bank, code)]}"
            for code in codes
        )
        lines.append(f"  {bank}: {counts}")
    lines.append("")
    lines.append(
        f"published questions with an open problem: {len(flawed)} of "
        f"{Question.objects.filter(status=QuestionStatus.PUBLISHED).count()}"
    )
    return lines


def draft_quote_audit() -> list[str]:
    """The drafts that lack a verbatim source quote, one line each, with the best
    sentence of their section to quote (and its match score, 0–100).

    Not violations: trainees never see a draft. The instructor quotes the passage
    (the admin offers the same suggestions) before publishing it.
    """
    lines = []
    for draft in draft_quote_suggestions(gaps=drafts_without_quote(), limit=1):
        question = draft.question
        label = f"draft {question.pk}" + (
            f" “{question.name}”" if question.name else ""
        )
        best = draft.best
        suggestion = (
            f"best suggestion ({best.score}): “{best.sentence}”"
            if best
            else "its section has no sentence to suggest"
        )
        lines.append(
            f"{question.section.document.slug}: {label}: {draft.problem}; {suggestion}"
        )
    return lines
