"""The input of ``quizzes.item_analysis`` for a quiz, read from the database.

Reads only. A handful of queries whatever the number of attempts (the attempts,
their answers, the questions, their choices and the quiz's composition), the answers
streamed with ``.values_list(...).iterator()``: 10,000 attempts × 40 questions stay
well within memory and the time budget (``manage.py bench_item_analysis``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    FloatField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
)
from django.db.models.functions import Cast
from django.utils import timezone

from quizzes.choices import AttemptState
from quizzes.item_analysis import (
    Analysis,
    ChoiceInfo,
    Flag,
    QuestionInfo,
    item_analysis_by_question,
    question_flags,
    score_bins,
    score_percents,
)
from quizzes.models import (
    Answer,
    Attempt,
    AttemptRegrade,
    Choice,
    Question,
    Quiz,
    Section,
)
from quizzes.splitting import subtree_end

FINISHED_STATES = [AttemptState.FINISHED, AttemptState.EXPIRED]


@dataclass
class QuizMatrix:
    """Marks and picked choices, one row per attempt (in id order), one column per
    question (in the order the quiz lists them: fixed, then drawn, then any other).

    Held column by column, as ``item_analysis_by_question`` takes them; ``marks`` and
    ``responses`` give the rows.
    """

    attempt_ids: list[int]
    question_ids: list[int]
    questions: list[QuestionInfo]
    columns: list[list[float | None]]
    response_columns: list[list[frozenset[int] | None]] | None

    @property
    def marks(self) -> list[list[float | None]]:
        return _rows(self.columns, len(self.attempt_ids))

    @property
    def responses(self) -> list[list[frozenset[int] | None]] | None:
        if self.response_columns is None:
            return None
        return _rows(self.response_columns, len(self.attempt_ids))


def quiz_attempts_analysed(*, quiz: Quiz, all_attempts: bool = False) -> QuerySet:
    """The finished (or expired) attempts the statistics cover.

    By default each trainee's first one (the finished attempt with the lowest
    number: Moodle's "first attempts"), else all of them.
    """
    finished = Attempt.objects.filter(quiz=quiz, state__in=FINISHED_STATES)
    if all_attempts:
        return finished
    first_number = (
        finished.filter(trainee=OuterRef("trainee"))
        .order_by("number")
        .values("number")[:1]
    )
    return finished.filter(number=Subquery(first_number))


def quiz_item_matrix(
    *, quiz: Quiz, all_attempts: bool = False, with_responses: bool = True
) -> QuizMatrix:
    """The marks matrix of ``quiz`` for ``quizzes.item_analysis``.

    Each answer's stored score is its mark (out of 1). A question an attempt did not
    draw is None (missing), not 0; an unanswered one the attempt had is its stored 0.
    Questions drawn from one section's pool share a ``group`` (see
    ``quizzes.item_analysis`` for how the statistics treat draws).
    """
    attempts = quiz_attempts_analysed(quiz=quiz, all_attempts=all_attempts)
    attempt_ids = list(attempts.order_by("pk").values_list("pk", flat=True))
    row_of = {attempt_id: i for i, attempt_id in enumerate(attempt_ids)}
    # The casts skip Django's per-row converters (a Decimal and a JSON decode per
    # answer, most of the time of 400,000 rows): the score comes as a float, the
    # picked ids as their JSON text, decoded once per distinct text below.
    fields = {"mark": Cast("score", FloatField())}
    if with_responses:
        fields["picked"] = Cast("choice_ids", TextField())
    answers = (
        Answer.objects.filter(attempt__in=attempts.values("pk"))
        .order_by()
        .annotate(**fields)
        .values_list("attempt_id", "question_id", *fields)
    )
    # Filled column by column, each created when its question is first met: one
    # list store per answer. A finished attempt scores every answer, so a missing
    # score stays a missing mark (None).
    n = len(attempt_ids)
    mark_columns: dict[int, list[float | None]] = {}
    pick_columns: dict[int, list[frozenset[int] | None]] = {}
    decoded: dict[str, frozenset[int]] = {}
    rows = chain.from_iterable(_chunks(answers))
    if not with_responses:
        for attempt_id, question_id, mark in rows:
            column = mark_columns.get(question_id)
            if column is None:
                column = mark_columns[question_id] = [None] * n
            column[row_of[attempt_id]] = mark
    else:
        for attempt_id, question_id, mark, text in rows:
            row = row_of[attempt_id]
            column = mark_columns.get(question_id)
            if column is None:
                column = mark_columns[question_id] = [None] * n
                pick_columns[question_id] = [None] * n
            column[row] = mark
            chosen = decoded.get(text)
            if chosen is None:
                chosen = decoded[text] = frozenset(json.loads(text))
            pick_columns[question_id][row] = chosen
    infos = _question_infos(quiz=quiz, question_ids=list(mark_columns))
    question_ids = list(infos)
    responses = None
    if with_responses:
        responses = [pick_columns[qid] for qid in question_ids]
    return QuizMatrix(
        attempt_ids=attempt_ids,
        question_ids=question_ids,
        questions=list(infos.values()),
        columns=[mark_columns[qid] for qid in question_ids],
        response_columns=responses,
    )


def quiz_item_analysis_compute(*, quiz: Quiz, all_attempts: bool = False) -> Analysis:
    """Moodle's quiz and question statistics, and the distractor analysis, of
    ``quiz``'s first (or all) finished attempts, computed now (no cache: see
    ``quiz_item_analysis`` for the cached one)."""
    return _report_compute(quiz=quiz, all_attempts=all_attempts).analysis


# --- the cache -------------------------------------------------------------------

# Bumped whenever ``ItemReport`` or the statistics change shape or meaning, so that
# a deploy never unpickles an older report.
CACHE_VERSION = 1
# A report stays valid while its quiz's finished attempts do not change (the key
# carries their fingerprint); the timeout only frees the memory of stale keys.
CACHE_TIMEOUT = 7 * 24 * 3600


@dataclass
class ItemReport:
    """What the statistics page shows of a quiz, as cached: the analysis, the
    question ids of its rows (in the same order), each row's flags, the histogram's
    bins (attempts per 10 % of score) and when it was computed."""

    analysis: Analysis
    question_ids: list[int]
    flags: list[list[Flag]]
    bins: list[int]
    computed_at: datetime
    from_cache: bool = field(default=False, compare=False)


def quiz_item_analysis(*, quiz: Quiz, all_attempts: bool = False) -> Analysis:
    """``quiz``'s item analysis from the cache while its finished attempts are
    unchanged, else computed and cached (see ``quiz_item_report``)."""
    return quiz_item_report(quiz=quiz, all_attempts=all_attempts).analysis


def quiz_item_report(
    *, quiz: Quiz, all_attempts: bool = False, recompute: bool = False
) -> ItemReport:
    """The statistics page's report of ``quiz``: from the cache when one was
    computed from the same finished attempts, else computed now and stored.

    Validity costs one query (``_fingerprints``): a new, deleted or re-finished
    attempt changes the key, so a stale report is never read. ``recompute`` skips
    the cache (the page's "Recompute now"), e.g. after a question's text changed.
    """
    fingerprint, _ = _fingerprints(quiz_ids=[quiz.pk]).get(
        quiz.pk, (EMPTY_FINGERPRINT, "")
    )
    key = _cache_key(quiz_id=quiz.pk, all_attempts=all_attempts, print_=fingerprint)
    if not recompute:
        report = cache.get(key)
        if report is not None:
            report.from_cache = True
            return report
    report = _report_compute(quiz=quiz, all_attempts=all_attempts)
    cache.set(key, report, CACHE_TIMEOUT)
    return report


@dataclass(frozen=True)
class QuestionFigures:
    """A question's figures on the question list: those of the quiz whose cached
    report flags it worst (or, unflagged, has the most attempts of it)."""

    quiz_id: int
    quiz_title: str
    discrimination_index: float | None
    flags: tuple[Flag, ...]


def question_item_figures() -> dict[int, QuestionFigures]:
    """Every question's figures from the *cached* first-attempt reports of the
    quizzes it was sat in: one query (the fingerprints) and one cache read.

    Never computes: a list page must not spend seconds per quiz; a quiz counts once
    its statistics page has been opened (or recomputed) since its last attempt.
    Across quizzes the worst flag wins (a question weak in one quiz is worth a look
    wherever else it scores well), then the quiz with the most attempts of it.
    """
    prints, titles = _fingerprints(quiz_ids=None), {}
    for quiz_id, (print_, title) in list(prints.items()):
        prints[quiz_id], titles[quiz_id] = print_, title
    keys = {
        _cache_key(quiz_id=quiz_id, all_attempts=False, print_=print_): quiz_id
        for quiz_id, print_ in prints.items()
    }
    reports = cache.get_many(list(keys))
    best: dict[int, tuple[tuple, QuestionFigures]] = {}
    for key, report in reports.items():
        quiz_id = keys[key]
        for qid, stats, flags in zip(
            report.question_ids, report.analysis.questions, report.flags, strict=True
        ):
            rank = (max((f.severity for f in flags), default=0), stats.attempts)
            if qid in best and best[qid][0] >= rank:
                continue
            best[qid] = (
                rank,
                QuestionFigures(
                    quiz_id=quiz_id,
                    quiz_title=titles[quiz_id],
                    discrimination_index=stats.discrimination_index,
                    flags=tuple(flags),
                ),
            )
    return {qid: figures for qid, (_, figures) in best.items()}


# (count, last finished_at, highest id) of a quiz's finished attempts, and the
# id of its latest regrade log row (a regrade changes marks without finishing an
# attempt; ids only grow, so a new regrade always changes the print).
EMPTY_FINGERPRINT = (0, None, None, None)


def _fingerprints(*, quiz_ids: list[int] | None) -> dict[int, tuple[tuple, str]]:
    """The fingerprint of each quiz's finished attempts, and the quiz's title, all
    quizzes in one query (a quiz without a finished attempt is left out)."""
    attempts = Attempt.objects.filter(state__in=FINISHED_STATES)
    if quiz_ids is not None:
        attempts = attempts.filter(quiz_id__in=quiz_ids)
    else:
        # A trainee's personal test is no item analysis of an instructor's quiz.
        attempts = attempts.filter(quiz__owner__isnull=True)
    rows = (
        attempts.order_by()
        .values("quiz_id", "quiz__title")
        .annotate(
            n=Count("pk"),
            last=Max("finished_at"),
            top=Max("pk"),
            regraded=Subquery(
                AttemptRegrade.objects.filter(quiz_id=OuterRef("quiz_id"))
                .order_by("-pk")
                .values("pk")[:1]
            ),
        )
        .values_list("quiz_id", "quiz__title", "n", "last", "top", "regraded")
    )
    return {
        quiz_id: ((n, last, top, regraded), title)
        for quiz_id, title, n, last, top, regraded in rows
    }


def _cache_key(*, quiz_id: int, all_attempts: bool, print_: tuple) -> str:
    n, last, top, regraded = print_
    stamp = "-" if last is None else f"{last.timestamp():.6f}"
    mode = "all" if all_attempts else "first"
    return (
        f"item-analysis:v{CACHE_VERSION}:{quiz_id}:{mode}:{n}:{stamp}:{top}"
        f":{regraded or '-'}"
    )


def _report_compute(*, quiz: Quiz, all_attempts: bool) -> ItemReport:
    matrix = quiz_item_matrix(quiz=quiz, all_attempts=all_attempts)
    analysis = item_analysis_by_question(
        columns=matrix.columns,
        questions=matrix.questions,
        responses=matrix.response_columns,
    )
    return ItemReport(
        analysis=analysis,
        question_ids=matrix.question_ids,
        flags=[question_flags(stats=stats) for stats in analysis.questions],
        bins=score_bins(
            percents=score_percents(columns=matrix.columns, questions=matrix.questions)
        ),
        computed_at=timezone.now(),
    )


def _chunks(queryset: QuerySet, size: int = 5000):
    """The rows of ``queryset``'s SQL, straight from the database cursor, in lists
    of ``size``.

    ``.iterator()`` would run Django's converters on each of 400,000 rows (half the
    time of the read, even with the casts); the casts make the raw values what we
    need. ``chunked_cursor`` streams (a server-side cursor on PostgreSQL).
    """
    sql, params = queryset.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(size):
            yield chunk


def _rows(columns: list[list], n: int) -> list[list]:
    if not columns:
        return [[] for _ in range(n)]
    return list(map(list, zip(*columns, strict=True)))


def _question_infos(*, quiz: Quiz, question_ids: list[int]) -> dict[int, QuestionInfo]:
    """Each question's name (its ``ref``), kind, choices and pool, in quiz order."""
    questions = {
        pk: (ref, kind, section_id)
        for pk, ref, kind, section_id in Question.objects.filter(
            pk__in=question_ids
        ).values_list("pk", "ref", "kind", "section_id")
    }
    choices: dict[int, list[ChoiceInfo]] = {}
    for pk, question_id, text, is_correct in (
        Choice.objects.filter(question_id__in=question_ids)
        .order_by("question_id", "order", "pk")
        .values_list("pk", "question_id", "text", "is_correct")
    ):
        choices.setdefault(question_id, []).append(ChoiceInfo(pk, text, is_correct))
    fixed = list(
        quiz.fixed.order_by("order", "pk").values_list("question_id", flat=True)
    )
    pool_of = _pools(quiz=quiz, section_ids={s for _, _, s in questions.values()})
    order = {qid: i for i, qid in enumerate(fixed)}

    def sort_key(qid):
        group = pool_of.get(questions[qid][2])
        return (qid not in order, order.get(qid, 0), group is None, qid)

    infos = {}
    for qid in sorted(question_ids, key=sort_key):
        ref, kind, section_id = questions[qid]
        infos[qid] = QuestionInfo(
            name=ref or f"question-{qid}",
            kind=kind,
            choices=tuple(choices.get(qid, ())),
            # A fixed question is a slot of its own, even inside a drawn section.
            group=None if qid in order else pool_of.get(section_id),
        )
    return infos


def _pools(*, quiz: Quiz, section_ids: set[int]) -> dict[int, str]:
    """The pool (a draw's section title) each section's questions are drawn from:
    the draw's section and its subsections, as ``quiz_questions_pick`` draws."""
    draws = list(quiz.draws.values_list("section_id", "section__document_id"))
    if not draws:
        return {}
    sections = list(
        Section.objects.filter(document_id__in={doc for _, doc in draws})
        .order_by("document_id", "order")
        .only("id", "title", "level", "order", "document_id")
    )
    index_of = {section.pk: i for i, section in enumerate(sections)}
    pool_of: dict[int, str] = {}
    for section_id, _ in draws:
        start = index_of[section_id]
        title = f"draw from “{sections[start].title}” (section {section_id})"
        for section in sections[start : subtree_end(sections, start)]:
            if section.pk in section_ids:
                pool_of.setdefault(section.pk, title)
    return pool_of
