"""Item analysis (pure): Moodle's figures for Moodle's own test data, and the edges.

The golden tests check each statistic twice: against the values Moodle's unit test
expects (tests/fixtures/item_analysis/, restated), and against a computation from
first principles here, with the ``statistics`` module and textbook formulas written
differently from ``quizzes.item_analysis``.
"""

import ast
import csv
import math
import statistics
from pathlib import Path

import pytest

from quizzes.item_analysis import (
    ChoiceInfo,
    ChoiceStats,
    QuestionInfo,
    QuestionStats,
    item_analysis,
    question_flags,
    score_bins,
    score_percents,
)

FIXTURES = Path(__file__).parent / "fixtures" / "item_analysis"
PLACES = 4  # "agree to the fourth decimal"


def _moodle_marks() -> tuple[list[str], list[list[float]]]:
    with open(FIXTURES / "moodle-quiz00-marks.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    names = rows[0][1:-1]  # without "attempt" and "summarks"
    return names, [[float(cell) for cell in row[1:-1]] for row in rows[1:]]


def _moodle_expected() -> dict[tuple[str, str], float]:
    with open(FIXTURES / "moodle-quiz00-expected.csv", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return {
        (row["name"] or "quiz", row["statistic"]): float(row["value"])
        for row in csv.DictReader(lines)
    }


@pytest.fixture(scope="module")
def moodle():
    names, marks = _moodle_marks()
    analysis = item_analysis(
        marks=marks, questions=[QuestionInfo(name=name) for name in names]
    )
    return names, marks, analysis, _moodle_expected()


def _independent(marks: list[list[float]]) -> dict[tuple[str, str], float]:
    """Every statistic of a complete matrix of 0–1 marks, from first principles."""
    columns = list(zip(*marks, strict=True))
    totals = [sum(row) for row in marks]
    n, p = len(marks), len(columns)
    result = {}
    sqrt_covariances = []
    for j, item in enumerate(columns):
        name = f"slot{j + 1}"
        rest = [t - x for t, x in zip(totals, item, strict=True)]
        result[name, "facility"] = statistics.fmean(item)
        result[name, "sd"] = statistics.stdev(item)
        result[name, "discrimination_index"] = 100 * statistics.correlation(item, rest)
        result[name, "discriminative_efficiency"] = (
            100
            * statistics.covariance(item, rest)
            / statistics.covariance(sorted(item), sorted(rest))
        )
        sqrt_covariances.append(math.sqrt(statistics.covariance(item, totals)))
    for j, root in enumerate(sqrt_covariances):
        result[f"slot{j + 1}", "effective_weight"] = 100 * root / sum(sqrt_covariances)
    # Skewness and kurtosis: the adjusted Fisher–Pearson G1 and G2 of g1, g2.
    mean = statistics.fmean(totals)
    m2 = sum((t - mean) ** 2 for t in totals) / n
    g1 = sum((t - mean) ** 3 for t in totals) / n / m2**1.5
    g2 = sum((t - mean) ** 4 for t in totals) / n / m2**2 - 3
    alpha = (
        p
        / (p - 1)
        * (
            1
            - sum(statistics.variance(c) for c in columns) / statistics.variance(totals)
        )
    )
    result.update(
        {
            ("quiz", "attempts"): n,
            ("quiz", "mean"): mean,
            ("quiz", "median"): statistics.median(totals),
            ("quiz", "sd"): statistics.stdev(totals),
            ("quiz", "skewness"): g1 * math.sqrt(n * (n - 1)) / (n - 2),
            ("quiz", "kurtosis"): ((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3)),
            ("quiz", "cic"): 100 * alpha,
            ("quiz", "error_ratio"): 100 * math.sqrt(1 - alpha),
            ("quiz", "standard_error"): math.sqrt(1 - alpha) * statistics.stdev(totals),
        }
    )
    return result


def _ours(analysis, key):
    scope, statistic = key
    if scope == "quiz":
        value = getattr(analysis.quiz, statistic)
        return analysis.quiz.withheld.get(statistic, value)
    question = next(q for q in analysis.questions if q.question == scope)
    return getattr(question, statistic)


def test_moodles_test_quiz_reproduces_moodles_expected_figures(moodle):
    """Every figure Moodle's own unit test expects for its 25 × 7 quiz agrees to the
    fourth decimal (a negative CIC and its derived figures are ``withheld``)."""
    _, _, analysis, expected = moodle
    assert len(expected) == 7 * 5 + 9
    for key, value in expected.items():
        assert _ours(analysis, key) == pytest.approx(value, abs=10**-PLACES), key


def test_moodles_test_quiz_agrees_with_a_first_principles_computation(moodle):
    """The same figures, computed here with the statistics module, agree too: and the
    two references agree with each other, so neither is taken on trust."""
    _, marks, analysis, expected = moodle
    independent = _independent(marks)
    assert set(independent) == set(expected)
    for key, value in independent.items():
        assert _ours(analysis, key) == pytest.approx(value, abs=1e-9), key
        assert expected[key] == pytest.approx(value, abs=10**-PLACES), key


def test_a_negative_cic_shows_no_figure_and_says_why(moodle):
    """Moodle prints −87.22 % and an error ratio of 136.83 %; we show "—" for the CIC,
    the error ratio and the standard error, with the reason, and keep the figures."""
    _, _, analysis, _ = moodle
    quiz = analysis.quiz
    assert (quiz.cic, quiz.error_ratio, quiz.standard_error) == (None, None, None)
    assert quiz.reasons["cic"].startswith("negative (-87.22%)")
    assert "CIC is negative" in quiz.reasons["error_ratio"]
    assert set(quiz.withheld) == {"cic", "error_ratio", "standard_error"}


def test_json_layout_has_the_issues_keys(moodle):
    """The issue's keys, in its order, then the reasons (and withheld figures)."""
    _, _, analysis, _ = moodle
    data = analysis.as_dict()
    assert list(data["quiz"])[:9] == [
        "attempts", "mean", "median", "sd", "skewness", "kurtosis", "cic",
        "error_ratio", "standard_error",
    ]  # fmt: skip
    assert list(data["questions"][0])[:8] == [
        "question", "attempts", "facility", "sd", "random_guess_score",
        "discrimination_index", "discriminative_efficiency", "effective_weight",
    ]  # fmt: skip


def test_cic_of_zero_one_marks_is_kr20():
    """For 0/1 marks Cronbach's α is KR-20: k/(k-1) · (1 - Σ pq / σ²), with the
    variances taken the same (sample) way on both sides."""
    marks = [
        [1, 1, 1, 0],
        [1, 1, 0, 0],
        [1, 0, 0, 0],
        [1, 1, 1, 1],
        [0, 0, 0, 0],
        [1, 1, 0, 1],
    ]
    n, k = len(marks), 4
    totals = [sum(row) for row in marks]
    # Sample pq: n/(n-1) · p(1-p), to match the sample variance of the totals.
    pq = [
        n / (n - 1) * statistics.fmean(col) * (1 - statistics.fmean(col))
        for col in zip(*marks, strict=True)
    ]
    kr20 = k / (k - 1) * (1 - sum(pq) / statistics.variance(totals))
    analysis = item_analysis(
        marks=marks, questions=[QuestionInfo(name=f"q{i}") for i in range(k)]
    )
    assert analysis.quiz.cic == pytest.approx(100 * kr20)
    assert analysis.quiz.cic > 0


def test_max_marks_scale_facility_and_sd_but_not_the_correlations():
    """A question out of 2: facility and SD are fractions of 2; the discrimination
    index is unchanged by the scale."""
    base = [[1, 0], [0, 1], [1, 1], [0, 0], [1, 1]]
    doubled = [[2 * a, b] for a, b in base]
    one = item_analysis(marks=base, questions=[QuestionInfo("a"), QuestionInfo("b")])
    two = item_analysis(
        marks=doubled, questions=[QuestionInfo("a", max_mark=2), QuestionInfo("b")]
    )
    assert two.questions[0].facility == pytest.approx(one.questions[0].facility)
    assert two.questions[0].sd == pytest.approx(one.questions[0].sd)
    assert two.questions[0].discrimination_index == pytest.approx(
        one.questions[0].discrimination_index
    )
    assert two.quiz.mean == pytest.approx(one.quiz.mean + 0.6)


def test_a_question_everyone_got_right_has_no_discrimination_and_says_why():
    """Zero variance: facility 1, SD 0, and no correlation (None, with the reason)."""
    marks = [[1, 1, 0], [1, 0, 0], [1, 1, 1], [1, 0, 1]]
    analysis = item_analysis(
        marks=marks, questions=[QuestionInfo(f"q{i}") for i in range(3)]
    )
    easy = analysis.questions[0]
    assert (easy.facility, easy.sd) == (1, 0)
    assert easy.discrimination_index is None
    assert easy.discriminative_efficiency is None
    assert "every attempt scored the same" in easy.reasons["discrimination_index"]
    assert easy.effective_weight == 0  # no covariance: no weight, but defined


def test_a_single_attempt_gives_mean_and_median_and_reasons_for_the_rest():
    """One attempt: facility, mean and median; every spread is None, with why."""
    analysis = item_analysis(
        marks=[[1, 0, 1]], questions=[QuestionInfo(f"q{i}") for i in range(3)]
    )
    quiz = analysis.quiz
    assert (quiz.attempts, quiz.mean, quiz.median) == (1, 2, 2)
    for name in ["sd", "skewness", "kurtosis", "cic", "error_ratio"]:
        assert getattr(quiz, name) is None
        assert "single attempt" in quiz.reasons[name]
    question = analysis.questions[0]
    assert question.facility == 1
    assert question.sd is None and "single attempt" in question.reasons["sd"]
    assert question.effective_weight is None


def test_no_attempts_never_crash():
    """An empty matrix: zero attempts, every figure None with a reason."""
    analysis = item_analysis(marks=[], questions=[QuestionInfo("q")])
    assert analysis.quiz.attempts == 0 and analysis.quiz.mean is None
    assert analysis.questions[0].facility is None
    assert analysis.questions[0].reasons["facility"] == "no attempt had this question"


def test_equal_totals_give_no_skewness_or_cic():
    """Every attempt with the same total: SD 0; skewness, kurtosis, CIC undefined."""
    marks = [[1, 0], [0, 1], [1, 0], [0, 1]]
    quiz = item_analysis(
        marks=marks, questions=[QuestionInfo("a"), QuestionInfo("b")]
    ).quiz
    assert quiz.sd == 0
    for name in ["skewness", "kurtosis", "cic"]:
        assert getattr(quiz, name) is None
        assert quiz.reasons[name] == "no variance: every attempt has the same total"


def test_a_question_against_the_total_has_no_effective_weight():
    """A negative covariance with the total has no square root: None, as in Moodle;
    the other weights share 100 %."""
    marks = [[1, 1, 0], [1, 1, 0], [0, 0, 1], [0, 0, 1], [1, 0, 0]]
    analysis = item_analysis(
        marks=marks, questions=[QuestionInfo(f"q{i}") for i in range(3)]
    )
    against = analysis.questions[2]
    assert against.effective_weight is None
    assert "negative covariance" in against.reasons["effective_weight"]
    weights = [q.effective_weight for q in analysis.questions[:2]]
    assert sum(weights) == pytest.approx(100)


def test_a_question_some_attempts_did_not_have_is_analysed_over_those_that_did():
    """Missing cells (a random draw) are left out of the question's figures, not
    counted as 0; without a pool to say how the attempts' slots line up, the CIC
    and the effective weights are undefined, with the reason."""
    marks = [[1, 1, None], [0, 0, None], [0, None, 1], [1, None, 0], [0, 1, 1]]
    analysis = item_analysis(
        marks=marks, questions=[QuestionInfo(f"q{i}") for i in range(3)]
    )
    drawn = analysis.questions[1]
    assert drawn.attempts == 3
    assert drawn.facility == pytest.approx(2 / 3)
    assert drawn.sd == pytest.approx(statistics.stdev([1, 0, 1]))
    # Against the rest of the test of the attempts that had it: 1, 0 and 1.
    assert drawn.discrimination_index == pytest.approx(
        100 * statistics.correlation([1, 0, 1], [1, 0, 1])
    )
    assert analysis.quiz.cic is None
    assert "do not all have the same questions" in analysis.quiz.reasons["cic"]
    assert analysis.questions[0].effective_weight is None


def test_questions_drawn_from_one_pool_are_pooled_into_its_slots():
    """Two questions of a pool drawn one at a time fill one slot: its variance is
    the pooled variance of their marks, so the CIC is defined; each drawn question
    carries its slot's effective weight."""
    marks = [
        [1, 1, None],
        [1, None, 0],
        [0, 0, None],
        [1, None, 1],
        [0, None, 0],
        [1, 1, None],
    ]
    questions = [
        QuestionInfo("fixed"),
        QuestionInfo("drawn-a", group="pool"),
        QuestionInfo("drawn-b", group="pool"),
    ]
    analysis = item_analysis(marks=marks, questions=questions)
    slot = [1, 0, 0, 1, 0, 1]  # the pool's mark in each attempt
    fixed = [row[0] for row in marks]
    totals = [a + b for a, b in zip(fixed, slot, strict=True)]
    alpha = 2 * (
        1
        - (statistics.variance(fixed) + statistics.variance(slot))
        / statistics.variance(totals)
    )
    assert analysis.quiz.cic == pytest.approx(100 * alpha)
    a, b = analysis.questions[1], analysis.questions[2]
    assert a.effective_weight == b.effective_weight is not None
    assert (a.attempts, b.attempts) == (3, 3)


def test_random_guess_score_follows_moodles_question_types():
    """Single best answer: keys / choices; true/false: 0.5; select-all and an unknown
    kind: None, with the reason (Moodle does not estimate select-all)."""
    four = tuple(ChoiceInfo(i, f"c{i}", i == 0) for i in range(4))
    questions = [
        QuestionInfo("single", kind="single", choices=four),
        QuestionInfo("tf", kind="true_false"),
        QuestionInfo("multi", kind="multiple", choices=four),
        QuestionInfo("csv"),
    ]
    analysis = item_analysis(marks=[[1, 1, 1, 1]] * 2, questions=questions)
    single, tf, multi, unknown = analysis.questions
    assert single.random_guess_score == 0.25
    assert tf.random_guess_score == 0.5
    assert multi.random_guess_score is None
    assert "select-all" in multi.reasons["random_guess_score"]
    assert unknown.random_guess_score is None
    assert "not given" in unknown.reasons["random_guess_score"]


def test_distractor_analysis_counts_picks_overall_and_by_thirds():
    """Six attempts ranked by total: the top two and bottom two are the thirds; each
    choice's picks are counted over the attempts that had the question."""
    choices = (ChoiceInfo(10, "key", True), ChoiceInfo(11, "lure", False))
    key, lure = frozenset({10}), frozenset({11})
    marks = [[1, 1], [1, 1], [1, 0], [0, 1], [0, 0], [0, 0]]
    picks = [
        [key, None],
        [key, None],
        [key, None],
        [lure, None],
        [lure, None],
        [frozenset(), None],  # unanswered: had the question, picked nothing
    ]
    analysis = item_analysis(
        marks=marks,
        questions=[
            QuestionInfo("q", kind="single", choices=choices),
            QuestionInfo("x"),
        ],
        responses=picks,
    )
    key_stats, lure_stats = analysis.questions[0].choices
    assert (key_stats.picked, key_stats.picked_fraction) == (3, 0.5)
    assert (key_stats.top_picked, key_stats.top_fraction) == (2, 1.0)
    assert (key_stats.bottom_picked, key_stats.bottom_fraction) == (0, 0.0)
    assert (lure_stats.picked, lure_stats.bottom_picked) == (2, 1)
    assert analysis.questions[1].choices == []


def test_distractor_thirds_need_three_attempts():
    """Fewer than three attempts: counts overall, no thirds (None)."""
    choices = (ChoiceInfo(1, "key", True),)
    analysis = item_analysis(
        marks=[[1], [0]],
        questions=[QuestionInfo("q", kind="single", choices=choices)],
        responses=[[frozenset({1})], [frozenset()]],
    )
    (choice,) = analysis.questions[0].choices
    assert choice.picked == 1
    assert choice.top_picked is None and choice.top_fraction is None


def test_a_row_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="attempt 2 has 1 marks for 2 questions"):
        item_analysis(
            marks=[[1, 0], [1]], questions=[QuestionInfo("a"), QuestionInfo("b")]
        )


def test_the_module_is_pure():
    """No Django, no database: the module imports only the standard library."""
    source = (Path(__file__).parent.parent / "quizzes" / "item_analysis.py").read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    standard = {
        "__future__", "math", "statistics", "collections", "dataclasses",
        "itertools", "operator",
    }  # fmt: skip
    assert imported <= standard


# --- flags and the histogram's bins -----------------------------------------------


def _stats(*, facility=0.6, efficiency=40.0, choices=(), attempts=30):
    return QuestionStats(
        question="q",
        attempts=attempts,
        facility=facility,
        discriminative_efficiency=efficiency,
        choices=list(choices),
    )


def _choice(id_, *, key=False, picked=5, top=2):
    return ChoiceStats(
        id=id_,
        label=f"choice {id_}",
        is_correct=key,
        picked=picked,
        picked_fraction=None,
        top_picked=top,
        top_fraction=None,
        bottom_picked=None,
        bottom_fraction=None,
    )


def _codes(stats):
    return [flag.code for flag in question_flags(stats=stats)]


def test_a_question_within_every_threshold_raises_no_flag():
    """Facility 0.2 to 0.95, efficiency 15 % or more, every distractor picked and
    none by more of the top third than the key: no flag."""
    choices = [_choice(1, key=True, top=8), _choice(2, top=1), _choice(3, top=1)]
    assert _codes(_stats(choices=choices)) == []
    assert _codes(_stats(facility=0.2, efficiency=15.0)) == []
    assert _codes(_stats(facility=0.95)) == []


def test_a_facility_under_0_2_or_over_0_95_is_flagged():
    """Too hard below 0.2, too easy above 0.95, each with the figure in words."""
    assert _codes(_stats(facility=0.19)) == ["hard"]
    assert _codes(_stats(facility=0.96)) == ["easy"]
    (flag,) = question_flags(stats=_stats(facility=0.19))
    assert flag.reason == "too hard: facility 0.19 (< 0.20)"


def test_a_discriminative_efficiency_under_15_percent_is_flagged():
    """Under 15 % is flagged; a None efficiency (no spread) is not a flag, its
    reason is shown instead."""
    assert _codes(_stats(efficiency=14.9)) == ["weak"]
    assert _codes(_stats(efficiency=None)) == []


def test_a_distractor_nobody_picks_is_flagged_by_name():
    """A distractor picked by no attempt is named; an unpicked key is not a
    distractor; no attempt at all flags nothing."""
    choices = [_choice(1, key=True, top=8), _choice(2, picked=0, top=0)]
    flags = question_flags(stats=_stats(choices=choices))
    assert [(f.code, f.reason) for f in flags] == [
        ("unused", "nobody picked “choice 2”")
    ]
    unpicked_key = [_choice(1, key=True, picked=0, top=0), _choice(2, top=0)]
    assert "unused" not in _codes(_stats(choices=unpicked_key))
    assert _codes(_stats(choices=choices, attempts=0, facility=None)) == []


def test_a_distractor_the_top_third_prefers_to_the_key_is_flagged_first():
    """More of the top third picked the distractor than the key: the key is likely
    wrong, the most severe flag, listed first. A tie is not flagged; without thirds
    (under three attempts) nothing is compared."""
    choices = [_choice(1, key=True, top=2), _choice(2, top=5)]
    flags = question_flags(stats=_stats(facility=0.1, choices=choices))
    assert [f.code for f in flags] == ["beats-key", "hard"]
    assert flags[0].reason == (
        "the top third picked “choice 2” (5) more than the key (2)"
    )
    tie = [_choice(1, key=True, top=3), _choice(2, top=3)]
    assert _codes(_stats(choices=tie)) == []
    no_thirds = [_choice(1, key=True, top=None), _choice(2, top=None)]
    assert _codes(_stats(choices=no_thirds)) == []


def test_scores_fall_in_ten_percent_bins_with_100_in_the_last():
    """0–10 … 90–100: a score on a boundary goes up a bin, except 100 %."""
    assert score_bins(percents=[0, 9.99, 10, 55, 100]) == [2, 1, 0, 0, 0, 1, 0, 0, 0, 1]


def test_a_score_percent_counts_only_the_questions_the_attempt_had():
    """An attempt's percent is out of the max marks of the questions it had."""
    questions = [QuestionInfo("a"), QuestionInfo("b", max_mark=2), QuestionInfo("c")]
    columns = [[1, 0], [2, None], [None, 1]]
    assert score_percents(columns=columns, questions=questions) == [100, 50]
    assert score_percents(columns=[[1, 0]], questions=questions[:1]) == [100, 0]
