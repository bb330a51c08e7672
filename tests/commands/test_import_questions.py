"""``manage.py import_questions``: the command line of a question-file import."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from quizzes.choices import QuestionStatus
from quizzes.models import Question
from tests.factories import SectionFactory

pytestmark = pytest.mark.django_db

GIFT = """\
::tf::Ketamine is an NMDA receptor antagonist. {T}

::essay::Describe the mechanism. {}

::route::Which route when IV access is not feasible? {
=Intramuscular ~Oral ~Nasal ~Patch
}
"""


@pytest.fixture
def section():
    return SectionFactory(slug="pharmacology")


@pytest.fixture
def gift_file(tmp_path):
    path = tmp_path / "bank.gift"
    path.write_text(GIFT)
    return path


def run(*args) -> tuple[str, str]:

    out, err = io.StringIO(), io.StringIO()
    call_command("import_questions", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_dry_run_json_prints_only_the_layout_and_writes_nothing(section, gift_file):
    out, _ = run(gift_file, "--section", "pharmacology", "--dry-run", "--json")
    data = json.loads(out)
    assert set(data) == {"questions", "skipped", "errors"}
    assert [(q["line"], q["name"], q["kind"]) for q in data["questions"]] == [
        (1, "tf", "true_false"),
        (5, "route", "single"),
    ]
    assert data["skipped"][0]["line"] == 3
    assert data["skipped"][0]["type"] == "essay"
    assert data["errors"] == []
    assert not Question.objects.exists()


def test_dry_run_exits_0_with_the_errors_in_its_output(section, tmp_path):
    """A dry run reports; the errors are its output, not a failure."""
    path = tmp_path / "bad.gift"
    path.write_text("::a::Unclosed {=a ~b\n")
    out, _ = run(path, "--section", "pharmacology", "--dry-run", "--json")
    assert json.loads(out)["errors"][0]["line"] == 1


def test_import_creates_drafts_and_reports_what_it_skipped(section, gift_file):
    out, err = run(gift_file, "--section", "pharmacology")
    assert Question.objects.filter(status=QuestionStatus.DRAFT).count() == 2
    assert f"{gift_file}, line 3: skipped essay" in out
    assert "2 draft question(s) created" in out
    assert "question(s) written" in err  # progress goes to stderr


def test_an_error_names_file_and_line_and_imports_nothing(section, tmp_path):
    path = tmp_path / "bad.gift"
    path.write_text(GIFT + "\n::bad::Unclosed {=a ~b\n")
    with pytest.raises(CommandError, match=r"1 error.*nothing imported"):
        run(path, "--section", "pharmacology")
    assert not Question.objects.exists()


def test_skip_invalid_imports_the_rest(section, tmp_path):
    path = tmp_path / "bad.gift"
    path.write_text(GIFT + "\n::bad::Unclosed {=a ~b\n")
    out, _ = run(path, "--section", "pharmacology", "--skip-invalid")
    assert Question.objects.count() == 2
    assert f"{path}, line 9: not imported:" in out


def test_txt_with_answer_lines_is_read_as_aiken(section, tmp_path):
    path = tmp_path / "bank.txt"
    path.write_text(
        "Which route when IV access is not feasible?\n"
        "A) Intramuscular\nB) Oral\nC) Nasal\nANSWER: A\n"
    )
    out, _ = run(path, "--section", "pharmacology", "--dry-run", "--json")
    assert json.loads(out)["questions"][0]["choices"][0] == {
        "text": "Intramuscular",
        "fraction": 1.0,
        "feedback": "",
    }


@pytest.mark.parametrize(
    "args, message",
    [
        (["--section", "nowhere"], "no section “nowhere”"),
        (["--section", "pharmacology", "--format", "docx"], "invalid choice"),
    ],
)
def test_bad_arguments_are_refused_with_a_message(section, gift_file, args, message):
    with pytest.raises(CommandError, match=message):
        run(gift_file, *args)


def test_a_missing_file_or_unknown_extension_is_refused(section, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "none.gift", "--section", "pharmacology")
    odd = tmp_path / "bank.docx"
    odd.write_text("x")
    with pytest.raises(CommandError, match="cannot tell the format"):
        run(odd, "--section", "pharmacology")
