"""``manage.py export_questions``: a section, a quiz or ids written to a file."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from quizzes.choices import QuestionKind
from tests.factories import QuestionFactory, QuizFactory, SectionFactory

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("export_questions", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_section_export_to_a_file_reads_back_with_the_same_stems(tmp_path):
    section = SectionFactory(slug="dosing")
    first = QuestionFactory(section=section, stem="First stem {with} = signs")
    second = QuestionFactory(section=section, stem="Second stem")
    path = tmp_path / "out.xml"
    _, err = run("--section", "dosing", "--format", "moodlexml", "--output", path)
    text = path.read_text()
    assert text.startswith("<?xml")
    assert first.stem in text and second.stem in text
    assert "2 question(s) written as moodlexml" in err


def test_aiken_export_lists_what_it_cannot_carry_on_stderr():
    single = QuestionFactory()
    tf = QuestionFactory(kind=QuestionKind.TRUE_FALSE, name="tf-one")
    out, err = run("--ids", f"{single.pk},{tf.pk}", "--format", "aiken")
    assert single.stem in out
    assert "not exported: tf-one" in err
    assert "1 question(s) written as aiken; 1 not exported" in err


def test_quiz_export_writes_its_questions():
    question = QuestionFactory(stem="A fixed question")
    quiz = QuizFactory(with_questions=[question])
    out, _ = run("--quiz", quiz.slug, "--format", "gift")
    assert "A fixed question" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--ids", "1,x", "--format", "gift"], "give question ids"),
        (["--ids", "999", "--format", "gift"], "no question with id 999"),
        (["--quiz", "nope", "--format", "gift"], "no quiz “nope”"),
        (["--section", "nope", "--format", "gift"], "no section “nope”"),
    ],
)
def test_unknown_targets_are_refused_by_name(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
