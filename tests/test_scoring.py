"""The scoring rules of the README, and the quiz grade under each method."""

from decimal import Decimal

import pytest

from quizzes.scoring import answer_score, quiz_grade


@pytest.mark.parametrize(
    ("kind", "chosen", "expected"),
    [
        ("single", [1], "1"),
        ("single", [2], "0"),
        ("single", [], "0"),
        ("true_false", [1], "1"),
        ("true_false", [2], "0"),
    ],
)
def test_single_and_true_false_score_one_or_zero(kind, chosen, expected):
    assert answer_score(kind=kind, correct_ids=[1], chosen_ids=chosen) == Decimal(
        expected
    )


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        ([1, 2, 3], "1.0000"),  # every correct one
        ([1, 2], "0.6667"),  # 2 of 3 correct, none wrong
        ([1, 2, 4], "0.3333"),  # (2 - 1) / 3
        ([1, 4], "0"),  # (1 - 1) / 3
        ([4, 5], "0"),  # never below zero
        ([], "0"),  # unanswered
        ([1, 2, 3, 4, 5], "0.3333"),  # choosing everything is not a free pass
    ],
)
def test_multiple_scores_correct_minus_wrong_over_number_correct(chosen, expected):
    score = answer_score(kind="multiple", correct_ids=[1, 2, 3], chosen_ids=chosen)
    assert score == Decimal(expected)


@pytest.mark.parametrize(
    ("method", "expected"),
    [("highest", 90.0), ("latest", 60.0), ("first", 50.0), ("average", 66.7)],
)
def test_quiz_grade_follows_the_grading_method(method, expected):
    assert quiz_grade(percents=[50.0, 90.0, 60.0], method=method) == expected


def test_no_finished_attempt_means_no_grade():
    assert quiz_grade(percents=[], method="highest") is None
