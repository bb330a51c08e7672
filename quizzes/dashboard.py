"""The trainee's dashboard (the home page): its pure rules. No database.

- the **study streak**: consecutive days with some study, ending today or yesterday;
- the **next step**: which section to build a test from;
- the **grouping** of the quizzes by document and section, exams apart from practice;
- the **time left** of an attempt, as words.

The figures these rules read (mastery, pool counts, study days) come from
``quizzes.progress``, ``services.personal_tests`` and ``quizzes.selectors``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from quizzes.progress import TopSection

# A section counts as mastered from this percent on: the top band of the mastery
# scale the instructors see (``charts.MASTERY_BANDS``: "85 % and over").
MASTERED_PERCENT = 85.0
# A test worth building holds at least this many questions of the chosen pool.
MIN_QUESTIONS = 5


def study_streak(*, days: Iterable[date], today: date) -> int:
    """How many consecutive days, up to ``today``, hold some study.

    ``days``: the days (in the site's time zone) on which the trainee saved an
    answer or finished an attempt. The streak ends today, or yesterday when
    nothing has been done yet today (the day is not over: the streak is not lost
    before midnight). A gap of one whole day breaks it: 0.
    """
    studied = set(days)
    day = today if today in studied else today - timedelta(days=1)
    streak = 0
    while day in studied:
        streak += 1
        day -= timedelta(days=1)
    return streak


@dataclass(frozen=True)
class SectionState:
    """What the next step rule reads of one top-level section."""

    section_id: int
    title: str
    percent: float | None  # mastery; None when no answer is behind it
    unused: int
    incorrect: int


@dataclass(frozen=True)
class NextStep:
    """Build a test from ``pool`` ("unused" or "incorrect") of one section."""

    section_id: int
    title: str
    pool: str
    available: int
    reason: str


def next_step(
    sections: Sequence[SectionState], *, min_questions: int = MIN_QUESTIONS
) -> NextStep | None:
    """The section to study next, in this order of preference:

    1. the weakest section by mastery, under ``MASTERED_PERCENT``, that still
       holds ``min_questions`` unused questions;
    2. else the first section not answered yet with that many unused questions;
    3. else the weakest answered section with that many unused questions;
    4. else the section with the most questions last answered wrong (the
       "incorrect" pool), if any.

    Ties go to the section listed first (document order). None: nothing to
    suggest (no question left that the rules would offer).
    """

    def weakest(candidates):
        return min(candidates, key=lambda s: s.percent, default=None)

    roomy = [s for s in sections if s.unused >= min_questions]
    answered = [s for s in roomy if s.percent is not None]
    choice = weakest(s for s in answered if s.percent < MASTERED_PERCENT)
    if choice is not None:
        return _unused_step(choice, f"your weakest section ({choice.percent:g} %)")
    choice = next((s for s in roomy if s.percent is None), None)
    if choice is not None:
        return _unused_step(choice, "a section you have not tried yet")
    choice = weakest(answered)
    if choice is not None:
        return _unused_step(choice, f"your weakest section ({choice.percent:g} %)")
    choice = max(sections, key=lambda s: s.incorrect, default=None)
    if choice is not None and choice.incorrect:
        return NextStep(
            section_id=choice.section_id,
            title=choice.title,
            pool="incorrect",
            available=choice.incorrect,
            reason="the questions you last got wrong",
        )
    return None


def _unused_step(section: SectionState, reason: str) -> NextStep:
    return NextStep(
        section_id=section.section_id,
        title=section.title,
        pool="unused",
        available=section.unused,
        reason=reason,
    )


@dataclass(frozen=True)
class Placed:
    """A quiz to place: ``item`` is shown, the rest says where it goes."""

    item: Any
    quiz_id: int
    is_exam: bool


ACROSS_SECTIONS = "Across sections"
OTHER_QUIZZES = "Other quizzes"


@dataclass
class SectionGroup:
    title: str
    items: list = field(default_factory=list)


@dataclass
class DocumentGroup:
    title: str
    sections: list[SectionGroup] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(s.items) for s in self.sections)


@dataclass(frozen=True)
class QuizGroups:
    exams: list[DocumentGroup]
    practice: list[DocumentGroup]


def quiz_groups(
    placed: Sequence[Placed],
    *,
    sections: Sequence[TopSection],
    quiz_sections: dict[int, set[int]],
) -> QuizGroups:
    """Exams apart from practice, each by document then top-level section.

    A quiz belongs to the top-level section its questions come from
    (``quiz_sections``: the sections it draws from or fixes questions of, at any
    depth). One drawing from several top-level sections of a document (a
    comprehensive exam) goes under "Across sections", after that document's
    sections; one spanning documents, or with no question, goes under "Other
    quizzes", last. Documents and sections keep the order of ``sections``
    (document order); quizzes keep the order of ``placed``.
    """
    top_of = {member: s for s in sections for member in s.member_ids}
    order = {s.id: index for index, s in enumerate(sections)}
    documents = list(dict.fromkeys(s.document_title for s in sections))

    def place(items: Iterable[Placed]) -> list[DocumentGroup]:
        buckets: dict[tuple[str, str], list] = {}
        for entry in items:
            found = quiz_sections.get(entry.quiz_id, ())
            tops = {top_of[pk] for pk in found if pk in top_of}
            titles = {t.document_title for t in tops}
            if len(titles) != 1:
                key = (OTHER_QUIZZES, "")
            elif len(tops) == 1:
                (top,) = tops
                key = (top.document_title, top.title, order[top.id])
            else:
                key = (titles.pop(), ACROSS_SECTIONS, len(sections))
            buckets.setdefault(key, []).append(entry.item)
        groups = []
        for document in [*documents, OTHER_QUIZZES]:
            keys = sorted((k for k in buckets if k[0] == document), key=lambda k: k[2:])
            if keys:
                groups.append(
                    DocumentGroup(
                        title=document,
                        sections=[SectionGroup(k[1], buckets[k]) for k in keys],
                    )
                )
        return groups

    return QuizGroups(
        exams=place(p for p in placed if p.is_exam),
        practice=place(p for p in placed if not p.is_exam),
    )


def time_left_text(seconds: int | None) -> str:
    """An attempt's time left, in words: None (untimed) → "No time limit"."""
    if seconds is None:
        return "No time limit"
    if seconds <= 0:
        return "Time is up"
    if seconds < 60:
        return "Under a minute left"
    hours, minutes = divmod(seconds // 60, 60)
    if hours:
        return f"{hours} h {minutes:02d} min left"
    return f"{minutes} min left"
