"""``manage.py item_analysis``: on a CSV of marks and on a quiz's attempts."""

import csv
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from quizzes.choices import QuestionKind
from tests.factories import QuestionFactory, QuizFactory, UserFactory
from tests.services.test_item_analysis import T0, sit

FIXTURES = Path(__file__).parent.parent / "fixtures" / "item_analysis"
MOODLE_MARKS = FIXTURES / "moodle-quiz00-marks.csv"


def run(*args, capsys) -> str:
    call_command("item_analysis", *args)
    return capsys.readouterr().out


def run_json(*args, capsys) -> dict:
    return json.loads(run(*args, "--json", capsys=capsys))


def write(tmp_path, text: str, name="marks.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def refused(*args) -> str:
    with pytest.raises(CommandError) as error:
        call_command("item_analysis", *args)
    return str(error.value)


# --- --marks -----------------------------------------------------------------------


def test_moodles_marks_give_moodles_figures_in_json(capsys):
    """The restated Moodle quiz through the command: every expected figure to the
    fourth decimal, ``question`` the CSV column's name, ``summarks`` ignored."""
    data = run_json("--marks", str(MOODLE_MARKS), capsys=capsys)
    with open(FIXTURES / "moodle-quiz00-expected.csv", newline="") as handle:
        expected = list(csv.DictReader(r for r in handle if not r.startswith("#")))
    questions = {q["question"]: q for q in data["questions"]}
    assert list(questions) == [f"slot{i}" for i in range(1, 8)]
    for row in expected:
        name, value = row["statistic"], float(row["value"])
        if row["scope"] == "quiz":
            actual = data["quiz"]["withheld"].get(name, data["quiz"][name])
        else:
            actual = questions[row["name"]][name]
        assert actual == pytest.approx(value, abs=1e-4), (row["name"], name)
    assert data["quiz"]["cic"] is None
    assert data["quiz"]["reasons"]["cic"].startswith("negative")


def test_the_json_keys_are_exactly_the_issues(capsys):
    """The issue's keys, plus ``reasons`` (why a figure is null) and ``withheld``."""
    data = run_json("--marks", str(MOODLE_MARKS), capsys=capsys)
    assert set(data) == {"quiz", "questions"}
    assert set(data["quiz"]) == {
        "attempts", "mean", "median", "sd", "skewness", "kurtosis", "cic",
        "error_ratio", "standard_error", "reasons", "withheld",
    }  # fmt: skip
    assert set(data["questions"][0]) == {
        "question", "attempts", "facility", "sd", "random_guess_score",
        "discrimination_index", "discriminative_efficiency", "effective_weight",
        "reasons",
    }  # fmt: skip


def test_without_json_a_table_shows_a_dash_and_the_reason(capsys):
    out = run("--marks", str(MOODLE_MARKS), capsys=capsys)
    assert "Coefficient of internal consistency" in out
    assert "—  (negative (-87.22%)" in out
    assert "4.6173 marks" in out
    assert "slot3           25    0.9733" in out
    assert "random guess score (every question): unknown" in out


def test_max_marks_scale_each_question(tmp_path, capsys):
    """``--max-marks 2,1``: a 2 in the first column is a facility of 1."""
    path = write(tmp_path, "attempt,a,b\n1,2,1\n2,1,0\n3,2,1\n")
    data = run_json("--marks", path, "--max-marks", "2,1", capsys=capsys)
    a = data["questions"][0]
    assert a["facility"] == pytest.approx(5 / 6)
    assert data["quiz"]["mean"] == pytest.approx(7 / 3)


def test_total_and_summarks_columns_are_ignored_and_an_empty_cell_is_missing(
    tmp_path, capsys
):
    path = write(
        tmp_path, "attempt,a,Total,b,summarks\n1,1,9,,9\n2,0,9,1,9\n3,1,9,1,9\n"
    )
    data = run_json("--marks", path, capsys=capsys)
    assert [q["question"] for q in data["questions"]] == ["a", "b"]
    assert [q["attempts"] for q in data["questions"]] == [3, 2]
    assert data["quiz"]["cic"] is None
    assert "same questions (b)" in data["quiz"]["reasons"]["cic"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty: expected a header row 'attempt,<question>,...'"),
        ("\n\n", "is empty"),
        ("attempt,a,b\n", "no attempts: "),
        ("id,a,b\n1,1,1\n", "line 1, column 1: the header must start with 'attempt'"),
        ("attempt,total\n1,1\n", "line 1: no question columns after 'attempt'"),
        ("attempt,a,a\n1,1,1\n", "line 1, column 3: 'a' repeats column 2"),
        ("attempt,a,\n1,1,1\n", "line 1, column 3: the question has no name"),
        ("attempt,a,b\n1,1,1\n2,1\n", "line 3: 2 cells, but the header has 3"),
        ("attempt,a,b\n1,1,yes\n", "line 2, column 3 (b): 'yes' is not a number"),
        ("attempt,a,b\n1,1.5,1\n", "line 2, column 2 (a): 1.5 is above the max mark 1"),
        ("attempt,a,b\n1,-1,1\n", "line 2, column 2 (a): -1 is below 0"),
        ("attempt,a,b\n1,nan,1\n", "line 2, column 2 (a): 'nan' is not a finite"),
    ],
)
def test_a_bad_csv_is_refused_with_its_line_and_column(tmp_path, text, message):
    path = write(tmp_path, text)
    assert message in refused("--marks", path)


def test_max_marks_must_match_the_questions_and_be_positive_numbers(tmp_path):
    path = write(tmp_path, "attempt,a,b,total\n1,1,1,2\n")
    assert "--max-marks gives 3 max marks for 2 questions (a, b)" in refused(
        "--marks", path, "--max-marks", "1,1,1"
    )
    assert "--max-marks: item 2 ('x') is not a number" in refused(
        "--marks", path, "--max-marks", "1,x"
    )
    assert "--max-marks: item 1 (0) must be above 0" in refused(
        "--marks", path, "--max-marks", "0,1"
    )


def test_a_missing_or_binary_file_is_refused(tmp_path):
    assert "no such file" in refused("--marks", str(tmp_path / "nope.csv"))
    binary = tmp_path / "marks.csv"
    binary.write_bytes("attempt,a\n1,1\n".encode("utf-16"))
    assert "not UTF-8 text" in refused("--marks", str(binary))


def test_a_spreadsheets_byte_order_mark_is_accepted(tmp_path, capsys):
    path = tmp_path / "marks.csv"
    path.write_bytes(b"\xef\xbb\xbfattempt,a\n1,1\n2,0\n")
    assert run_json("--marks", str(path), capsys=capsys)["quiz"]["attempts"] == 2


def test_options_of_the_other_source_are_refused(tmp_path):
    path = write(tmp_path, "attempt,a\n1,1\n")
    assert "--all-attempts goes with --quiz" in refused(
        "--marks", path, "--all-attempts"
    )
    assert "--max-marks goes with --marks" in refused("--quiz", "x", "--max-marks", "1")
    assert "one of the arguments --quiz --marks is required" in refused()


# --- --quiz ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_quizs_first_attempts_by_default_and_all_on_request(capsys):
    """``question`` is the ref; the table lists each choice's picks with the key."""
    single = QuestionFactory(ref="route-1")
    tf = QuestionFactory(ref="tf-1", kind=QuestionKind.TRUE_FALSE)
    quiz = QuizFactory(slug="routes", with_questions=[single, tf])
    trainees = [UserFactory() for _ in range(3)]
    for trainee, picks in zip(trainees, [[0], [1], [0]], strict=True):
        sit(quiz, trainee, {single: picks, tf: [0]})
    sit(quiz, trainees[1], {single: [0], tf: [1]}, now=T0 + timedelta(hours=1))

    data = run_json("--quiz", "routes", capsys=capsys)
    assert [q["question"] for q in data["questions"]] == ["route-1", "tf-1"]
    assert data["quiz"]["attempts"] == 3
    assert data["questions"][0]["random_guess_score"] == 0.25
    assert data["questions"][0]["choices"][0]["picked"] == 2
    everything = run_json("--quiz", "routes", "--all-attempts", capsys=capsys)
    assert everything["quiz"]["attempts"] == 4

    table = run("--quiz", "routes", capsys=capsys)
    assert "route-1" in table and "* Intramuscular injection" in table


@pytest.mark.django_db
def test_a_sitting_whose_time_ran_out_counts_before_anything_closed_it(capsys):
    """Left open, its 10 minutes long past: the command closes it first, so its
    marks are analysed."""
    single = QuestionFactory(ref="route-1")
    quiz = QuizFactory(slug="routes", with_questions=[single])
    sit(quiz, UserFactory(), {single: [0]})
    sit(quiz, UserFactory(), {single: [1]}, finish=False)
    assert run_json("--quiz", "routes", capsys=capsys)["quiz"]["attempts"] == 2


@pytest.mark.django_db
def test_an_unknown_quiz_or_one_without_attempts_is_refused():
    assert "no quiz with the slug 'nope'" in refused("--quiz", "nope")
    QuizFactory(slug="empty")
    assert "no attempts: quiz 'empty' has no finished attempt" in refused(
        "--quiz", "empty"
    )
