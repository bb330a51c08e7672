"""Where a trainee stands (quizzes.standing), checked against hand computations.

The percentile is the percent of peers who scored strictly lower, plus half of
those tied, rounded; hidden below 10 peers.
"""

from datetime import timedelta

from quizzes.standing import (
    AnswerCounts,
    answer_counts,
    percentile_rank,
    time_per_question,
)


def test_percentile_above_three_tied_with_two_of_ten_is_forty():
    """(3 lower + 2 tied / 2) / 10 = 40%."""
    peers = [10, 20, 30, 50, 50, 70, 80, 90, 95, 100]
    assert percentile_rank(own=50, peers=peers) == 40


def test_percentile_with_exactly_ten_peers_is_shown():
    """Ten peers is enough: above all of them is 100, below all is 0."""
    assert percentile_rank(own=99, peers=[50.0] * 10) == 100
    assert percentile_rank(own=1, peers=[50.0] * 10) == 0


def test_percentile_tied_with_every_peer_is_fifty():
    """Ties count half: the same score as all ten peers is the 50th percentile."""
    assert percentile_rank(own=75.0, peers=[75.0] * 10) == 50


def test_percentile_with_nine_peers_is_hidden():
    """Nine peers: nothing to show, whatever the scores."""
    assert percentile_rank(own=80, peers=[10, 20, 30, 40, 50, 60, 70, 80, 90]) is None
    assert percentile_rank(own=80, peers=[]) is None


def test_percentile_rounds_to_a_whole_number():
    """1 lower + 1 tied / 2 of 11 peers = 13.6…% → 14."""
    peers = [10, 60] + [90] * 9
    assert percentile_rank(own=60, peers=peers) == 14


def test_answer_counts_keep_partly_correct_apart():
    """Full point correct, part of a point partly correct, zero incorrect, no
    choice omitted (even with a score)."""
    answers = [(True, 1), (True, 0.5), (True, 0), (False, None), (False, 0), (True, 1)]
    assert answer_counts(answers=answers) == AnswerCounts(
        correct=2, partly_correct=1, incorrect=1, omitted=2
    )


def test_time_per_question_divides_the_time_evenly():
    """Ten minutes over four questions is 2 min 30 s each; no questions, none."""
    ten = timedelta(minutes=10)
    assert time_per_question(used=ten, questions=4) == timedelta(seconds=150)
    assert time_per_question(used=ten, questions=0) is None
