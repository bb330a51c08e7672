"""Item analysis as Moodle's quiz statistics report defines it: pure, no database.

The input is a matrix of marks, one row per attempt and one column per question,
each cell the mark from 0 to the question's max mark, or None when the attempt did
not have that question (a question drawn at random for other attempts only, or an
empty cell of a CSV). An unanswered question that the attempt had is a 0, as in
Moodle, not a None.

The definitions follow Moodle's report (``mod/quiz/report/statistics`` and
``question/classes/statistics/questions/calculator.php``; docs.moodle.org, "Quiz
statistics calculations"). Notation, for one question over the ``s`` attempts that
had it: ``x`` its mark, ``X`` the attempt's total (the sum of its marks), ``r = X -
x`` the rest of the test, ``m`` the question's max mark, a bar for a mean, and every
variance and covariance a *sample* one (divided by ``s - 1``), as Moodle's are.

Where a statistic cannot be computed (no spread, a single attempt, a negative
coefficient of internal consistency, a kind of question Moodle does not estimate),
its value is None and ``reasons[name]`` says why, in words a caller shows beside a
"—". Nothing here raises on such data.

Random draws. Moodle reports a random slot as a whole and each question drawn into
it over the attempts that drew it. We have no slots, only questions, so:

- each question's statistics are computed over the attempts that had it (its
  ``attempts``), with the rest of the test ``X - x`` of those attempts. (Moodle's
  per-drawn-question figures correlate ``x`` with ``X`` itself, the item included;
  we keep the rest of the test, the definition the report documents and the one its
  fixed slots use, so a drawn question is not flattered by its own mark.)
- questions drawn from one pool share a ``group``: ``k`` of them per attempt fill
  ``k`` exchangeable slots. The coefficient of internal consistency needs the sum of
  the slots' variances, and effective weight the slots' covariances with the total;
  for a group they are estimated as ``k`` times the variance (covariance) of the
  group's marks pooled over all its questions. For a group of one question present
  in every attempt (a fixed question) this is exactly Moodle's slot statistic.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat
from operator import mul, sub

# Kinds, as ``quizzes.choices.QuestionKind`` spells them (not imported: this module
# stays free of Django).
SINGLE = "single"
MULTIPLE = "multiple"
TRUE_FALSE = "true_false"

NO_SPREAD_QUESTION = "no variance: every attempt scored the same on this question"
NO_SPREAD_REST = "no variance: every attempt scored the same on the rest of the test"
NO_SPREAD_TOTAL = "no variance: every attempt has the same total"
SINGLE_ATTEMPT = "a single attempt: a spread needs two or more"

DASH = "—"  # shown for a figure that cannot be computed, beside its reason

# The quiz's figures as the admin page and the command show them: name (the
# ``QuizStats`` attribute and the JSON key), label, and unit: "n" a number, "m"
# marks, "%" percent.
QUIZ_ROWS = [
    ("attempts", "Attempts", "n"),
    ("mean", "Mean", "m"),
    ("median", "Median", "m"),
    ("sd", "Standard deviation", "m"),
    ("skewness", "Skewness", "n"),
    ("kurtosis", "Kurtosis (excess)", "n"),
    ("cic", "Coefficient of internal consistency (Cronbach’s α)", "%"),
    ("error_ratio", "Error ratio", "%"),
    ("standard_error", "Standard error", "m"),
]


@dataclass(frozen=True)
class ChoiceInfo:
    """One option of a question, for the distractor analysis."""

    id: int
    label: str
    is_correct: bool


@dataclass(frozen=True)
class QuestionInfo:
    """A column of the matrix: its name, max mark and, when known, its kind and
    choices (for the random-guess score and the distractor analysis).

    ``group`` names the pool a question was drawn from; None means a slot of its
    own (a fixed question).
    """

    name: str
    max_mark: float = 1.0
    kind: str | None = None
    choices: tuple[ChoiceInfo, ...] = ()
    group: str | None = None


@dataclass
class ChoiceStats:
    """How often a choice was picked, overall and by the top and bottom thirds of the
    cohort ranked by total: counts, and fractions of the attempts that had the
    question (in that third)."""

    id: int
    label: str
    is_correct: bool
    picked: int
    picked_fraction: float | None
    top_picked: int | None
    top_fraction: float | None
    bottom_picked: int | None
    bottom_fraction: float | None


@dataclass
class QuestionStats:
    question: str
    attempts: int
    facility: float | None = None
    sd: float | None = None
    random_guess_score: float | None = None
    discrimination_index: float | None = None
    discriminative_efficiency: float | None = None
    effective_weight: float | None = None
    reasons: dict[str, str] = field(default_factory=dict)
    choices: list[ChoiceStats] = field(default_factory=list)

    JSON_KEYS = (
        "question",
        "attempts",
        "facility",
        "sd",
        "random_guess_score",
        "discrimination_index",
        "discriminative_efficiency",
        "effective_weight",
    )


@dataclass
class QuizStats:
    """The test statistics. ``withheld`` keeps the figures Moodle would print where we
    show "—" instead (a negative CIC, and the error ratio and standard error derived
    from it), so they can still be checked against Moodle's."""

    attempts: int
    mean: float | None = None
    median: float | None = None
    sd: float | None = None
    skewness: float | None = None
    kurtosis: float | None = None
    cic: float | None = None
    error_ratio: float | None = None
    standard_error: float | None = None
    reasons: dict[str, str] = field(default_factory=dict)
    withheld: dict[str, float] = field(default_factory=dict)

    JSON_KEYS = (
        "attempts",
        "mean",
        "median",
        "sd",
        "skewness",
        "kurtosis",
        "cic",
        "error_ratio",
        "standard_error",
    )


@dataclass
class Analysis:
    quiz: QuizStats
    questions: list[QuestionStats]

    def as_dict(self) -> dict:
        """The command's JSON layout: the issue's keys, then ``reasons`` (and
        ``withheld``, ``choices``) for the values that are null or extra."""
        quiz = {key: getattr(self.quiz, key) for key in QuizStats.JSON_KEYS}
        quiz["reasons"] = dict(self.quiz.reasons)
        quiz["withheld"] = dict(self.quiz.withheld)
        questions = []
        for stats in self.questions:
            row = {key: getattr(stats, key) for key in QuestionStats.JSON_KEYS}
            row["reasons"] = dict(stats.reasons)
            if stats.choices:
                row["choices"] = [vars(choice).copy() for choice in stats.choices]
            questions.append(row)
        return {"quiz": quiz, "questions": questions}


def item_analysis(
    *,
    marks: Sequence[Sequence[float | None]],
    questions: Sequence[QuestionInfo],
    responses: Sequence[Sequence[frozenset[int] | None]] | None = None,
) -> Analysis:
    """Moodle's quiz and question statistics for ``marks`` (attempts × questions).

    ``responses``, when given, has the same shape and holds the ids of the choices
    each attempt picked: it feeds the distractor analysis of questions with
    ``choices``. Rows must all have one cell per question (``ValueError`` if not).
    """
    for number, row in enumerate(marks, start=1):
        if len(row) != len(questions):
            raise ValueError(
                f"attempt {number} has {len(row)} marks for {len(questions)} questions"
            )
    return item_analysis_by_question(
        columns=_transposed(marks, len(questions)),
        questions=questions,
        responses=None if responses is None else _transposed(responses, len(questions)),
    )


def item_analysis_by_question(
    *,
    columns: Sequence[Sequence[float | None]],
    questions: Sequence[QuestionInfo],
    responses: Sequence[Sequence[frozenset[int] | None]] | None = None,
) -> Analysis:
    """``item_analysis`` of the same matrix given column by column: one sequence of
    marks per question (and of picks, for ``responses``), each as long as there are
    attempts. The database's reader builds columns, and is spared two
    transpositions of 400,000 cells."""
    lengths = {len(column) for column in columns}
    if len(lengths) > 1 or len(columns) != len(questions):
        raise ValueError("one column per question, all as long as the attempts")
    # Each attempt's total, the sum of the marks it has.
    if any(None in column for column in columns):
        totals = [
            math.fsum(x for x in row if x is not None)
            for row in zip(*columns, strict=True)
        ]
    else:
        totals = list(map(math.fsum, zip(*columns, strict=True)))
    if not columns:
        totals = [0.0] * (lengths.pop() if lengths else 0)
    stats, sums = [], []
    for info, column in zip(questions, columns, strict=True):
        question, products = _question_stats(info=info, column=column, totals=totals)
        stats.append(question)
        sums.append(products)
    slots = _slots(columns=columns, questions=questions, totals=totals, sums=sums)
    _effective_weights(stats=stats, questions=questions, slots=slots)
    quiz = quiz_stats(totals=totals, slots=slots)
    if responses is not None:
        thirds = _thirds(totals)
        for stat, info, picks in zip(stats, questions, responses, strict=True):
            if info.choices:
                stat.choices = choice_stats(
                    choices=info.choices, picks=picks, thirds=thirds
                )
    return Analysis(quiz=quiz, questions=stats)


def _transposed(rows: Sequence[Sequence], width: int) -> list[Sequence]:
    # Rows checked by the caller, so the transposition is exact.
    return list(zip(*rows, strict=True)) if rows else [()] * width


def _question_stats(
    *, info: QuestionInfo, column: Sequence[float | None], totals: list[float]
) -> tuple[QuestionStats, tuple[float, float] | None]:
    """The question's statistics, and (Σ dx², Σ dx·dr) for its slot when every
    attempt had it (the deviations are computed once, here)."""
    if None in column:
        kept = [i for i, x in enumerate(column) if x is not None]
        item = [column[i] for i in kept]
        rest = [totals[i] - column[i] for i in kept]
    else:
        item = column  # read only
        rest = list(map(sub, totals, item))
    stats = QuestionStats(question=info.name, attempts=len(item))
    stats.random_guess_score, reason = random_guess_score(
        kind=info.kind, choices=info.choices
    )
    if reason:
        stats.reasons["random_guess_score"] = reason
    if not item:
        for name in (
            "facility",
            "sd",
            "discrimination_index",
            "discriminative_efficiency",
            "effective_weight",
        ):
            stats.reasons[name] = "no attempt had this question"
        return stats, None
    stats.facility = facility(item=item, max_mark=info.max_mark)
    if len(item) < 2:
        for name in ("sd", "discrimination_index", "discriminative_efficiency"):
            stats.reasons[name] = SINGLE_ATTEMPT
        return stats, None
    dx, dr = deviations(item), deviations(rest)
    sxx, srr, sxr = _dot(dx, dx), _dot(dr, dr), _dot(dx, dr)
    # SD = s / m, s = √(Σ (x - x̄)² / (n - 1)): a sample SD, as a fraction of m.
    stats.sd = math.sqrt(sxx / (len(item) - 1)) / info.max_mark
    stats.discrimination_index, reason = _discrimination(sxx, srr, sxr)
    if reason:
        stats.reasons["discrimination_index"] = reason
    stats.discriminative_efficiency, reason = _efficiency(dx, dr, sxr)
    if reason:
        stats.reasons["discriminative_efficiency"] = reason
    return stats, (None if None in column else (sxx, sxr))


# --- the statistics, one function each -------------------------------------------


def facility(*, item: Sequence[float], max_mark: float) -> float:
    """Facility index F = x̄ / m: the mean mark as a fraction of the max mark (0–1)."""
    return math.fsum(item) / len(item) / max_mark


def deviations(values: list[float]) -> list[float]:
    """v - v̄ for each value: exactly 0 when the values are all equal (a mean of
    equal floats can miss them by a rounding, and a spread of 1e-17 is no spread).

    ``map`` and ``fsum`` keep the loops in C: 400,000 marks take milliseconds.
    """
    if values.count(values[0]) == len(values):  # one pass, in C
        return [0.0] * len(values)
    return list(map(sub, values, repeat(math.fsum(values) / len(values))))


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    # Products of deviations: a plain sum loses nothing at 4 decimals (10,000
    # terms, error ~1e-12 relative) and is faster than fsum.
    return sum(map(mul, a, b))


def sample_variance(values: Sequence[float]) -> float:
    """s² = Σ (v - v̄)² / (n - 1): Moodle's variances are sample ones."""
    d = deviations(values)
    return _dot(d, d) / (len(values) - 1)


def sample_covariance(a: Sequence[float], b: Sequence[float]) -> float:
    """cov(a, b) = Σ (a - ā)(b - b̄) / (n - 1)."""
    if len(a) != len(b):
        raise ValueError("a covariance needs pairs")
    return _dot(deviations(a), deviations(b)) / (len(a) - 1)


def discrimination_index(
    *, item: Sequence[float], rest: Sequence[float]
) -> tuple[float | None, str | None]:
    """D = 100 · cov(x, r) / √(var(x) · var(r)), in percent: Pearson's correlation of
    the question's mark with the rest of the test, r = X - x.

    None when either variance is zero (Moodle leaves it empty then too).
    """
    dx, dr = deviations(item), deviations(rest)
    return _discrimination(_dot(dx, dx), _dot(dr, dr), _dot(dx, dr))


def _discrimination(
    sxx: float, srr: float, sxr: float
) -> tuple[float | None, str | None]:
    # Sums of products of deviations: the n - 1 divisors cancel out of the ratio.
    if sxx == 0:
        return None, NO_SPREAD_QUESTION
    if srr == 0:
        return None, NO_SPREAD_REST
    return 100 * sxr / math.sqrt(sxx * srr), None


def discriminative_efficiency(
    *, item: Sequence[float], rest: Sequence[float]
) -> tuple[float | None, str | None]:
    """E = 100 · cov(x, r) / cov_max(x, r), in percent: the discrimination index
    relative to the largest one this question's marks could reach.

    cov_max pairs the marks and the rests both sorted in ascending order (the
    arrangement that maximises their covariance, whatever the marks' distributions):
    cov_max = Σ (x₍ᵢ₎ - x̄)(r₍ᵢ₎ - r̄) / (n - 1). None when cov_max is 0, i.e. when
    either the marks or the rests do not vary.
    """
    dx, dr = deviations(item), deviations(rest)
    return _efficiency(dx, dr, _dot(dx, dr))


def _efficiency(
    dx: list[float], dr: list[float], sxr: float
) -> tuple[float | None, str | None]:
    # Sorting the deviations sorts the values; the n - 1 divisors cancel out.
    covariance_max = _dot(sorted(dx), sorted(dr))
    if covariance_max == 0:
        return None, NO_SPREAD_QUESTION if not any(dx) else NO_SPREAD_REST
    return 100 * sxr / covariance_max, None


def random_guess_score(
    *, kind: str | None, choices: Sequence[ChoiceInfo]
) -> tuple[float | None, str | None]:
    """The mean fraction of the max mark a random guess scores (0–1), as Moodle's
    question types estimate it:

    - single best answer: the mean of the choices' fractions, i.e. correct choices
      / choices (1/n with one key);
    - true/false: 0.5;
    - select all that apply: Moodle does not estimate it (None);
    - unknown kind or choices (e.g. ``--marks`` from a CSV): None.
    """
    if kind == TRUE_FALSE:
        return 0.5, None
    if kind == SINGLE:
        if not choices:
            return None, "unknown: the question's choices are not given"
        return sum(c.is_correct for c in choices) / len(choices), None
    if kind == MULTIPLE:
        return None, "not estimated for select-all questions (as in Moodle)"
    return None, "unknown: the question's kind and choices are not given"


@dataclass(frozen=True)
class _Slots:
    """What the quiz statistics need of the slots: their number ``p``, the sum of
    their mark variances, and each group's covariance with the total; or, when the
    attempts do not share one layout, why not."""

    count: int = 0
    variance_sum: float = 0.0
    # group key -> (slots k, per-slot covariance of the marks with the total)
    covariances: dict[object, tuple[int, float]] = field(default_factory=dict)
    problem: str | None = None


def _slots(
    *,
    columns: Sequence[Sequence[float | None]],
    questions: Sequence[QuestionInfo],
    totals: list[float],
    sums: Sequence[tuple[float, float] | None],
) -> _Slots:
    """Group the columns into slots (a fixed question is one; a pool drawn ``k`` at a
    time is ``k``) and pool each group's marks, as the module's docstring explains."""
    if len(totals) < 2:
        return _Slots(problem=SINGLE_ATTEMPT)
    groups: dict[object, list[int]] = {}
    for j, info in enumerate(questions):
        key = ("pool", info.group) if info.group is not None else ("question", j)
        groups.setdefault(key, []).append(j)
    count, variance_sum, covariances = 0, 0.0, {}
    for key, members in groups.items():
        group_columns = [columns[j] for j in members]
        if len(group_columns) == 1:  # the common case, counted in C
            missing = group_columns[0].count(None)
            per_attempt = {0 if missing else 1, 0 if missing == len(totals) else 1}
        else:
            per_attempt = {
                sum(x is not None for x in cells)
                for cells in zip(*group_columns, strict=True)
            }
        if len(per_attempt) != 1 or 0 in per_attempt:
            what = questions[members[0]].name if key[0] == "question" else key[1]
            return _Slots(
                problem=f"the attempts do not all have the same questions ({what}): "
                "the slots' variances are not defined"
            )
        k = per_attempt.pop()
        if len(members) == 1 and sums[members[0]] is not None:
            # A fixed question: var(x), and cov(x, X) = var(x) + cov(x, X - x).
            sxx, sxr = sums[members[0]]
            variance_sum += sxx / (len(totals) - 1)
            covariances[key] = (1, (sxx + sxr) / (len(totals) - 1))
            count += 1
            continue
        if len(group_columns) == 1:
            values, with_totals = list(group_columns[0]), totals
        else:
            pairs = [
                (x, total)
                for column in group_columns
                for x, total in zip(column, totals, strict=True)
                if x is not None
            ]
            values = [x for x, _ in pairs]
            with_totals = [total for _, total in pairs]
        variance_sum += k * sample_variance(values)
        covariances[key] = (k, sample_covariance(values, with_totals))
        count += k
    return _Slots(count=count, variance_sum=variance_sum, covariances=covariances)


def _effective_weights(
    *, stats: list[QuestionStats], questions: Sequence[QuestionInfo], slots: _Slots
) -> None:
    """Effective weight W = 100 · √cov(x, X) / Σ √cov(xₛ, X), in percent, the sum over
    the slots whose covariance with the total X is not negative.

    A question whose covariance with the total is negative gets None: its square
    root is not real (Moodle leaves it empty too). None for every question when the
    sum is 0 or the slots are not defined. A drawn question's weight is its slot's.
    """
    if slots.problem:
        for stat in stats:
            stat.reasons.setdefault("effective_weight", slots.problem)
        return
    denominator = math.fsum(
        k * math.sqrt(cov) for k, cov in slots.covariances.values() if cov >= 0
    )
    for j, (stat, info) in enumerate(zip(stats, questions, strict=True)):
        key = ("pool", info.group) if info.group is not None else ("question", j)
        _, covariance = slots.covariances[key]
        if covariance < 0:
            stat.reasons["effective_weight"] = (
                "negative covariance with the total: the question works against "
                "the rest of the test"
            )
        elif denominator == 0:
            stat.reasons["effective_weight"] = NO_SPREAD_TOTAL
        else:
            stat.effective_weight = 100 * math.sqrt(covariance) / denominator


def quiz_stats(*, totals: Sequence[float], slots: _Slots | None = None) -> QuizStats:
    """The test statistics of the attempts' totals X (in marks), n attempts.

    - mean X̄ and median (the mean of the two middle totals when n is even);
    - SD: s = √(Σ (X - X̄)² / (n - 1));
    - with mⱼ = Σ (X - X̄)ʲ / n, k₂ = n m₂ / (n - 1),
      k₃ = n² m₃ / ((n - 1)(n - 2)),
      k₄ = n² ((n + 1) m₄ - 3 (n - 1) m₂²) / ((n - 1)(n - 2)(n - 3)):
      skewness = k₃ / k₂^(3/2) (n > 2), kurtosis = k₄ / k₂² (n > 3; excess, 0 for a
      normal distribution);
    - CIC (Cronbach's α, = KR-20 for 0/1 marks), in percent, over p slots:
      100 · p / (p - 1) · (1 - Σ var(slot) / k₂);
    - error ratio ER = 100 · √(1 - CIC / 100), in percent;
    - standard error SE = ER / 100 · s, in marks.

    A negative CIC is shown as None, with the error ratio and standard error (an
    error ratio above 100% is meaningless): Moodle's figures go to ``withheld``.
    """
    n = len(totals)
    stats = QuizStats(attempts=n)
    if n == 0:
        for name in QuizStats.JSON_KEYS[1:]:
            stats.reasons[name] = "no attempts"
        return stats
    stats.mean = math.fsum(totals) / n
    stats.median = statistics.median(totals)
    if n < 2:
        for name in QuizStats.JSON_KEYS[3:]:
            stats.reasons[name] = SINGLE_ATTEMPT
        return stats
    deviations = [x - stats.mean for x in totals]
    m2, m3, m4 = (math.fsum(d**j for d in deviations) / n for j in (2, 3, 4))
    k2 = n * m2 / (n - 1)
    stats.sd = math.sqrt(k2)
    if k2 == 0:
        for name in QuizStats.JSON_KEYS[4:]:
            stats.reasons[name] = NO_SPREAD_TOTAL
        return stats
    if n > 2:
        k3 = n * n * m3 / ((n - 1) * (n - 2))
        stats.skewness = k3 / k2**1.5
    else:
        stats.reasons["skewness"] = "needs three attempts or more"
    if n > 3:
        k4 = (
            n
            * n
            * ((n + 1) * m4 - 3 * (n - 1) * m2 * m2)
            / ((n - 1) * (n - 2) * (n - 3))
        )
        stats.kurtosis = k4 / (k2 * k2)
    else:
        stats.reasons["kurtosis"] = "needs four attempts or more"
    _reliability(stats=stats, k2=k2, slots=slots)
    return stats


def _reliability(*, stats: QuizStats, k2: float, slots: _Slots | None) -> None:
    names = ("cic", "error_ratio", "standard_error")
    if slots is None or slots.problem or slots.count < 2:
        reason = (
            slots.problem if slots and slots.problem else "needs two questions or more"
        )
        for name in names:
            stats.reasons[name] = reason
        return
    p = slots.count
    cic = 100 * p / (p - 1) * (1 - slots.variance_sum / k2)
    error_ratio = 100 * math.sqrt(1 - cic / 100)
    standard_error = error_ratio * stats.sd / 100
    if cic < 0:
        stats.withheld = {
            "cic": cic,
            "error_ratio": error_ratio,
            "standard_error": standard_error,
        }
        reason = (
            f"negative ({cic:.2f}%): the questions do not measure one thing together"
        )
        stats.reasons["cic"] = reason
        stats.reasons["error_ratio"] = stats.reasons["standard_error"] = (
            "not meaningful: the CIC is negative"
        )
        return
    stats.cic, stats.error_ratio, stats.standard_error = (
        cic,
        error_ratio,
        standard_error,
    )


def _thirds(totals: Sequence[float]) -> tuple[list[int], list[int]] | None:
    """The attempts (row indexes) of the top and bottom thirds by total: n // 3 each,
    ties at a boundary broken by row order (the earlier attempt ranks higher)."""
    size = len(totals) // 3
    if size == 0:
        return None
    ranked = sorted(range(len(totals)), key=lambda i: (-totals[i], i))
    return ranked[:size], ranked[-size:]


def choice_stats(
    *,
    choices: Sequence[ChoiceInfo],
    picks: Sequence[frozenset[int] | None],
    thirds: tuple[list[int], list[int]] | None,
) -> list[ChoiceStats]:
    """The distractor analysis of one question: for each choice, how many of the
    attempts that had the question picked it (None in ``picks`` = not had),
    overall and in the top and bottom thirds of the cohort by total."""

    def tally(rows: list[frozenset[int]]) -> tuple[int, Counter]:
        # Counter counts in C: 10,000 attempts × 40 questions in milliseconds.
        return len(rows), Counter(chain.from_iterable(rows))

    had, overall = tally([p for p in picks if p is not None])
    if thirds:
        top, top_counts = tally([picks[i] for i in thirds[0] if picks[i] is not None])
        bottom, bottom_counts = tally(
            [picks[i] for i in thirds[1] if picks[i] is not None]
        )

    def fraction(number: int, rows: int) -> float | None:
        return number / rows if rows else None

    result = []
    for choice in choices:
        picked = overall[choice.id]
        top_picked = top_counts[choice.id] if thirds else None
        bottom_picked = bottom_counts[choice.id] if thirds else None
        result.append(
            ChoiceStats(
                id=choice.id,
                label=choice.label,
                is_correct=choice.is_correct,
                picked=picked,
                picked_fraction=fraction(picked, had),
                top_picked=top_picked,
                top_fraction=fraction(top_picked, top) if thirds else None,
                bottom_picked=bottom_picked,
                bottom_fraction=fraction(bottom_picked, bottom) if thirds else None,
            )
        )
    return result


# --- flags and the histogram, for the admin's pages ----------------------------------

FACILITY_LOW = 0.2
FACILITY_HIGH = 0.95
EFFICIENCY_LOW = 15.0  # percent


@dataclass(frozen=True)
class Flag:
    """Why a question deserves a look: a short ``code`` (for CSS and tests), the
    ``reason`` an instructor reads, and a ``severity`` (3: the key is probably
    wrong; 2: the question measures poorly; 1: a choice does no work)."""

    code: str
    reason: str
    severity: int


def question_flags(*, stats: QuestionStats) -> list[Flag]:
    """The flags of one question's statistics, most severe first:

    - facility < 0.2 (too hard) or > 0.95 (too easy);
    - discriminative efficiency < 15 %;
    - a distractor nobody picked (only with the distractor analysis);
    - a distractor picked by more of the top third than any key (only with thirds,
      i.e. three attempts or more): a wrong key, or an ambiguous stem.

    A figure that is None raises no flag: its reason is shown instead.
    """
    flags = []
    if stats.facility is not None and stats.facility < FACILITY_LOW:
        flags.append(
            Flag("hard", f"too hard: facility {stats.facility:.2f} (< 0.20)", 2)
        )
    if stats.facility is not None and stats.facility > FACILITY_HIGH:
        flags.append(
            Flag("easy", f"too easy: facility {stats.facility:.2f} (> 0.95)", 2)
        )
    efficiency = stats.discriminative_efficiency
    if efficiency is not None and efficiency < EFFICIENCY_LOW:
        flags.append(
            Flag(
                "weak",
                f"discriminates poorly: efficiency {efficiency:.1f} % (< 15 %)",
                2,
            )
        )
    keys = [c for c in stats.choices if c.is_correct]
    distractors = [c for c in stats.choices if not c.is_correct]
    if stats.attempts:
        for choice in distractors:
            if choice.picked == 0:
                flags.append(
                    Flag("unused", f"nobody picked “{_short(choice.label)}”", 1)
                )
    key_top = max((c.top_picked for c in keys if c.top_picked is not None), default=0)
    for choice in distractors:
        if choice.top_picked is not None and choice.top_picked > key_top:
            flags.append(
                Flag(
                    "beats-key",
                    f"the top third picked “{_short(choice.label)}” "
                    f"({choice.top_picked}) more than the key ({key_top})",
                    3,
                )
            )
    return sorted(flags, key=lambda flag: -flag.severity)


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def score_percents(
    *, columns: Sequence[Sequence[float | None]], questions: Sequence[QuestionInfo]
) -> list[float]:
    """Each attempt's score as a percent of the max marks of the questions it had
    (an attempt with none scores 0)."""
    if not any(None in column for column in columns):  # every attempt had all
        out_of = math.fsum(info.max_mark for info in questions)
        if not columns or not out_of:
            return []
        totals = map(math.fsum, zip(*columns, strict=True))
        return [100 * total / out_of for total in totals]
    percents = []
    for row in zip(*columns, strict=True):
        had = [
            (x, info.max_mark)
            for x, info in zip(row, questions, strict=True)
            if x is not None
        ]
        out_of = math.fsum(m for _, m in had)
        percents.append(100 * math.fsum(x for x, _ in had) / out_of if out_of else 0)
    return percents


def score_bins(*, percents: Sequence[float], count: int = 10) -> list[int]:
    """Attempts per equal-width percent bin (0–10, …, 90–100 with 10 bins), a score
    of 100 % in the last bin."""
    bins = [0] * count
    for percent in percents:
        bins[min(int(percent * count // 100), count - 1)] += 1
    return bins
