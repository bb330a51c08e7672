"""Personal tests: a trainee's own quiz, built from their history (the builder).

A personal test is a ``Quiz`` with an ``owner``: fixed questions in the order
given, one attempt, full review at once, no dates. Reusing Quiz and Attempt means
the attempt page, autosave, scoring, tutor mode and review work unchanged; the
pure rules (pools, bounds, the draw) are in ``quizzes.builder``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Max, Q

from quizzes import builder
from quizzes.builder import (
    COUNT_MAX,
    COUNT_MIN,
    FULL_MARK,
    MODE_TIMED,
    MODE_TUTOR,
    SECONDS_DEFAULT,
    AnswerRow,
    PoolCounts,
    QuestionHistory,
)
from quizzes.choices import QuestionStatus, QuizMode, ReviewFrom, ReviewShows
from quizzes.models import Answer, Attempt, Question, Quiz, QuizQuestion
from quizzes.models.attempts import started_q
from quizzes.progress import TopSection, top_sections
from quizzes.selectors import review_next_due, reviews_due
from quizzes.services.attempts import attempt_start

REVIEW_LIMIT_DEFAULT = 20


class BuildRefused(Exception):
    """The builder's request is refused; ``problems`` maps form fields to why."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


@dataclass(frozen=True)
class BuildResult:
    quiz: Quiz
    question_ids: list[int]
    asked: int
    # "Only 7 questions match: your test has 7." when fewer than asked, else "".
    shortfall: str


@dataclass(frozen=True)
class BuilderSection:
    """A top-level section offered by the builder, with the trainee's counts."""

    section: TopSection
    counts: PoolCounts


def personal_test_create(
    *,
    trainee,
    question_ids: list[int],
    mode: str,
    title: str,
    now: datetime,
    seconds_per_question: int = SECONDS_DEFAULT,
) -> Quiz:
    """Create a personal test of ``question_ids``, in that order, for ``trainee``.

    ``mode``: "tutor" (untimed, feedback after each confirmed answer) or "timed"
    (exam mode, ``len(question_ids) × seconds_per_question``). The caller starts
    the attempt (``services.attempts.attempt_start``). Questions keep the order
    given (a review session asks the soonest due first), choices are shuffled.
    """
    if not question_ids:
        raise BuildRefused({"pools": "A test needs at least one question."})
    if len(set(question_ids)) != len(question_ids):
        raise ValueError("A question appears twice in one test.")
    timed = mode == MODE_TIMED
    with transaction.atomic():
        quiz = Quiz.objects.create(
            owner=trainee,
            title=title,
            slug=f"my-{trainee.pk}-{uuid.uuid4().hex[:12]}",
            description=f"Built by {trainee.get_username()} on {now:%d %b %Y %H:%M}.",
            mode=QuizMode.EXAM if timed else QuizMode.TUTOR,
            time_limit=timedelta(seconds=len(question_ids) * seconds_per_question)
            if timed
            else None,
            attempts_allowed=1,
            pass_mark=0,
            shuffle_questions=False,
            shuffle_choices=True,
            review_shows=ReviewShows.FULL,
            review_from=ReviewFrom.IMMEDIATELY,
        )
        QuizQuestion.objects.bulk_create(
            QuizQuestion(quiz=quiz, question_id=question_id, order=order)
            for order, question_id in enumerate(question_ids, start=1)
        )
    return quiz


def personal_test_build(
    *,
    trainee,
    section_ids: list[int],
    count: int | None,
    mode: str,
    pools: list[str],
    seconds_per_question: int | None = SECONDS_DEFAULT,
    now: datetime,
    rng,
) -> BuildResult:
    """Build a personal test from the trainee's own history (see ``builder``).

    Draws ``count`` distinct published questions at random (``rng``) from the
    union of ``pools`` over the chosen top-level sections and their subsections.
    A smaller pool gives a shorter test and says so; an empty one, or a bad
    choice, raises ``BuildRefused`` and creates nothing.
    """
    sections = {s.id: s for s in top_sections()}
    problems = builder.build_request_problems(
        section_ids=section_ids,
        known_section_ids=sections,
        count=count,
        mode=mode,
        pools=pools,
        seconds_per_question=seconds_per_question,
    )
    if problems:
        raise BuildRefused(problems)
    member_ids = [pk for sid in section_ids for pk in sections[sid].member_ids]
    published = _published_ids(member_ids)
    histories = _histories(trainee=trainee, section_ids=member_ids)
    pool = [q for q in published if builder.in_pools(q, pools, histories)]
    if not pool:
        raise BuildRefused(
            {"pools": "No question of these sections is in the pools you chose."}
        )
    chosen = builder.draw(pool, count, rng)
    titles = ", ".join(sections[sid].title for sid in section_ids)
    quiz = personal_test_create(
        trainee=trainee,
        question_ids=chosen,
        mode=mode,
        title=f"My test: {titles}"[:255],
        now=now,
        seconds_per_question=seconds_per_question or SECONDS_DEFAULT,
    )
    return BuildResult(
        quiz=quiz,
        question_ids=chosen,
        asked=count,
        shortfall=builder.shortfall_text(asked=count, found=len(chosen))
        if len(chosen) < count
        else "",
    )


class ReviewRefused(Exception):
    """No review session can start: ``problem`` says why (for the count field)."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


def review_session_start(
    *, trainee, now: datetime, limit: int = REVIEW_LIMIT_DEFAULT
) -> Attempt:
    """Build a tutor-mode personal test of the trainee's due cards and start it.

    At most ``limit`` (1–100) published questions due at ``now``, soonest due
    first, asked in that order (``reviews_due``): the card closest to being
    forgotten comes first even when the session is cut short. Raises
    ``ReviewRefused`` when ``limit`` is out of bounds or nothing is due, saying
    when the next card falls due, if any; nothing is created then.
    """
    if not COUNT_MIN <= limit <= COUNT_MAX:
        raise ReviewRefused(f"Choose between {COUNT_MIN} and {COUNT_MAX} questions.")
    question_ids = reviews_due(trainee=trainee, now=now, limit=limit)
    if not question_ids:
        raise ReviewRefused(review_none_due_text(trainee=trainee, now=now))
    count = len(question_ids)
    with transaction.atomic():
        quiz = personal_test_create(
            trainee=trainee,
            question_ids=question_ids,
            mode=MODE_TUTOR,
            title=f"Review due: {count} question{'s' if count != 1 else ''}"
            f" ({now.day} {now:%b})",
            now=now,
        )
        return attempt_start(trainee=trainee, quiz=quiz, now=now).attempt


def review_none_due_text(*, trainee, now: datetime) -> str:
    """Why there is no review to start at ``now``: the next due date, if any."""
    next_due = review_next_due(trainee=trainee, now=now)
    if next_due is None:
        return (
            "Nothing is due for review: answer some questions first, and they "
            "come back here when they are due."
        )
    return (
        "Nothing is due for review yet: the next card is due "
        f"{next_due.day} {next_due:%b %Y %H:%M} UTC."
    )


def builder_sections(*, trainee) -> list[BuilderSection]:
    """The top-level sections with published questions, with the trainee's pool
    counts, in document order (``builder_pool_counts``)."""
    sections = top_sections()
    counts = _pool_counts(trainee=trainee, sections=sections)
    return [
        BuilderSection(section=s, counts=counts[s.id])
        for s in sections
        if counts[s.id].total
    ]


def builder_pool_counts(
    *, trainee, sections: list[TopSection] | None = None
) -> dict[int, PoolCounts]:
    """Each top-level section's unused, incorrect, flagged and published totals
    for ``trainee``, by section id.

    Three queries whatever the history: the sections (none when the caller has
    ``top_sections()`` already), the published questions, the trainee's answers
    folded per question by the database (``_question_states``).
    """
    if sections is None:
        sections = top_sections()
    return _pool_counts(trainee=trainee, sections=sections)


def _pool_counts(*, trainee, sections: list[TopSection]) -> dict[int, PoolCounts]:
    top_of = {pk: s.id for s in sections for pk in s.member_ids}
    published = list(
        Question.objects.filter(
            status=QuestionStatus.PUBLISHED, section_id__in=list(top_of)
        ).values_list("pk", "section_id")
    )
    histories = _question_states(trainee=trainee)
    by_top: dict[int, list[int]] = {s.id: [] for s in sections}
    for question_id, section_id in published:
        by_top[top_of[section_id]].append(question_id)
    return {sid: builder.pool_counts(ids, histories) for sid, ids in by_top.items()}


def _published_ids(section_ids: list[int]) -> list[int]:
    return list(
        Question.objects.filter(
            status=QuestionStatus.PUBLISHED, section_id__in=section_ids
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _question_states(*, trainee) -> dict[int, builder.QuestionState]:
    """The trainee's pools per question, folded by the database: one grouped query,
    a row per question answered (not per answer), so that the builder's counts and
    the dashboard's next step cost the same whatever the length of the history.
    The same states as ``_histories`` (``builder.question_state`` says why)."""
    rows = (
        Answer.objects.filter(attempt__trainee=trainee)
        .values("question_id")
        .annotate(
            answered=Count("pk", filter=~Q(choice_ids=[])),
            last_wrong=Max("attempt__started_at", filter=Q(score__lt=FULL_MARK)),
            last_right=Max("attempt__started_at", filter=Q(score__gte=FULL_MARK)),
            last_flagged=Max("attempt__started_at", filter=Q(flagged=True)),
            last_unflagged=Max("attempt__started_at", filter=Q(flagged=False)),
        )
        .order_by()
    )
    return {
        row["question_id"]: builder.question_state(
            answered=row["answered"] > 0,
            last_wrong=row["last_wrong"],
            last_right=row["last_right"],
            last_flagged=row["last_flagged"],
            last_unflagged=row["last_unflagged"],
        )
        for row in rows
    }


def _histories(*, trainee, section_ids=None) -> dict[int, QuestionHistory]:
    """The trainee's answers, oldest attempt first, folded per question.

    One query reading four small columns per answer; no other trainee's rows.
    """
    # A prepared attempt's answers are not history: the trainee has not met them.
    answers = Answer.objects.filter(attempt__trainee=trainee).filter(
        started_q("attempt__")
    )
    if section_ids is not None:
        answers = answers.filter(question__section_id__in=section_ids)
    rows = answers.order_by("attempt__started_at", "attempt_id").values_list(
        "question_id", "choice_ids", "score", "flagged"
    )
    return builder.question_histories(
        AnswerRow(question_id=q, answered=bool(c), score=s, flagged=f)
        for q, c, s, f in rows
    )
