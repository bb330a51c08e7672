"""A question's versions (who changed what, when) and reverting to one of them.

django-simple-history keeps a row for every save of a question and of each of its
choices; a question's version is the question and its choices as they stood at one
moment. The key lives in the choices (``is_correct``), so reverting a key means
reverting the choices with the question.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F

from quizzes.models import Choice, Question
from quizzes.rules import choice_problems, quote_problems

QUESTION_FIELDS = [
    "section_id",
    "kind",
    "status",
    "stem",
    "explanation",
    "source_quote",
    "acknowledged_warnings",
]
CHOICE_FIELDS = ["order", "text", "is_correct", "rationale"]
# Moves the choices' positions out of the way while they are renumbered, so the
# unique (question, order) constraint never sees two choices at one position.
ORDER_OFFSET = 1000


class QuestionRevertError(ValueError):
    """The version cannot be restored; the message says why."""


@dataclass(frozen=True)
class QuestionVersion:
    """One change: when, by whom, and what it changed."""

    at: datetime
    user: str
    changes: list[str]


def question_versions(*, question: Question) -> list[QuestionVersion]:
    """Every change to the question and its choices, newest first (two queries)."""
    records = [
        ("question", None, r)
        for r in question.history.select_related("history_user").order_by(
            "history_date", "history_id"
        )
    ] + [
        ("choice", r.id, r)
        for r in Choice.history.filter(question_id=question.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    ]
    records.sort(key=lambda item: (item[2].history_date, item[2].history_id))
    previous: dict[tuple[str, int | None], object] = {}
    versions: list[QuestionVersion] = []
    for kind, choice_id, record in records:
        before = previous.get((kind, choice_id))
        previous[(kind, choice_id)] = record
        change = _describe(kind, record, before)
        who = record.history_user.get_username() if record.history_user else "system"
        if versions and versions[-1].at == record.history_date:
            versions[-1].changes.append(change)
        else:
            versions.append(
                QuestionVersion(at=record.history_date, user=who, changes=[change])
            )
    return versions[::-1]


def question_revert(*, question: Question, as_of: datetime) -> Question:
    """Restore the question and its choices as they stood at ``as_of``.

    All or nothing. The restored version must still satisfy the kind's rules and
    quote its section verbatim. Finished attempts keep their stored scores: only
    new scoring sees the restored key.
    """
    try:
        past = question.history.as_of(as_of)
    except Question.DoesNotExist:
        raise QuestionRevertError(f"the question did not exist at {as_of}") from None
    past_choices = sorted(
        Choice.history.as_of(as_of).filter(question_id=question.pk),
        key=lambda c: c.order,
    )
    section = past.section
    problems = choice_problems(kind=past.kind, choices=past_choices) + quote_problems(
        source_quote=past.source_quote, section_text=section.full_text()
    )
    if problems:
        raise QuestionRevertError("; ".join(problems))

    with transaction.atomic():
        for field in QUESTION_FIELDS:
            setattr(question, field, getattr(past, field))
        question._change_reason = (
            f"reverted to the version of {as_of:%Y-%m-%d %H:%M:%S}"
        )
        question.save()
        current = {c.pk: c for c in question.choices.all()}
        question.choices.update(order=F("order") + ORDER_OFFSET)
        for old in past_choices:
            choice = current.pop(old.pk, None) or Choice(pk=old.pk, question=question)
            for field in CHOICE_FIELDS:
                setattr(choice, field, getattr(old, field))
            choice._change_reason = question._change_reason
            choice.save()
        for gone in current.values():
            gone._change_reason = question._change_reason
            gone.delete()
    return question


def _describe(kind: str, record, before) -> str:
    label = "question" if kind == "question" else f"choice “{_short(record.text)}”"
    if record.history_type == "+":
        return f"{label} created"
    if record.history_type == "-":
        return f"{label} deleted"
    if before is None:
        return f"{label} changed"
    fields = QUESTION_FIELDS if kind == "question" else CHOICE_FIELDS
    changed = [
        field.removesuffix("_id")
        for field in fields
        if getattr(record, field) != getattr(before, field)
    ]
    reason = (
        f" ({record.history_change_reason})" if record.history_change_reason else ""
    )
    return f"{label}: {', '.join(changed) or 'saved unchanged'}{reason}"


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
