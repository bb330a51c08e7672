"""Loading bank files: all or nothing, idempotent, choices kept in place."""

import textwrap
from datetime import UTC, datetime

import pytest

from quizzes.models import Answer, Choice, Question
from quizzes.presenters import attempt_questions
from quizzes.services.attempts import attempt_start
from quizzes.services.banks import BankLoadError, banks_load
from quizzes.services.documents import document_import
from tests.factories import QuizFactory, UserFactory

pytestmark = pytest.mark.django_db

QUOTE = "Intramuscular injection is used when IV access is not feasible."
DOCUMENT = f"# Routes\n{QUOTE}\n".encode()
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def bank_file(
    directory,
    name="01-routes.toml",
    correct=("true", "false"),
    stem="Which route?",
    extra="",
):
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(
        textwrap.dedent(
            f'''\
            document = "routes-doc"
            section = "routes"
            [[questions]]
            ref = "routes-01"
            kind = "single"
            stem = "{stem}"
            explanation = "The section says so."
            source_quote = "{QUOTE}"
            {extra}
            [[questions.choices]]
            text = "Intramuscular injection"
            correct = {correct[0]}
            rationale = "Named for when IV access is not feasible."
            [[questions.choices]]
            text = "Oral tablet"
            correct = {correct[1]}
            rationale = "Not named for that case."
            [[questions.choices]]
            text = "Nasal spray"
            correct = false
            rationale = "Not named for that case."
            [[questions.choices]]
            text = "Skin patch"
            correct = false
            rationale = "Not named at all."
            '''
        ),
        encoding="utf-8",
    )
    return directory


@pytest.fixture
def routes_document():
    return document_import(name="routes.md", data=DOCUMENT, title="Routes Doc").document


def test_loading_twice_creates_nothing_twice(tmp_path, routes_document):
    directory = bank_file(tmp_path / "banks")
    assert banks_load(directory=directory).created == 1
    choice_ids = list(Choice.objects.values_list("pk", flat=True))
    again = banks_load(directory=directory)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert Question.objects.count() == 1
    assert list(Choice.objects.values_list("pk", flat=True)) == choice_ids


def test_edited_bank_updates_the_question_and_its_choices_in_place(
    tmp_path, routes_document
):
    directory = bank_file(tmp_path / "banks")
    banks_load(directory=directory)
    choice_ids = list(Choice.objects.order_by("order").values_list("pk", flat=True))
    bank_file(tmp_path / "banks", stem="Which route, revised?")
    assert banks_load(directory=directory).updated == 1
    assert Question.objects.get().stem == "Which route, revised?"
    assert (
        list(Choice.objects.order_by("order").values_list("pk", flat=True))
        == choice_ids
    )


def test_an_invalid_question_stops_the_whole_load(tmp_path, routes_document):
    directory = bank_file(tmp_path / "banks")
    bank_file(tmp_path / "banks", name="02-bad.toml", correct=("true", "true"))
    (directory / "02-bad.toml").write_text(
        (directory / "02-bad.toml").read_text().replace("routes-01", "routes-02")
    )
    with pytest.raises(BankLoadError) as error:
        banks_load(directory=directory)
    assert error.value.problems == [
        "02-bad.toml: routes-02: a single-best-answer question needs exactly one "
        "correct choice; 2 are marked"
    ]
    assert not Question.objects.exists()


def test_a_bank_for_a_section_not_imported_names_the_section(tmp_path, db):
    directory = bank_file(tmp_path / "banks")
    with pytest.raises(
        BankLoadError, match="no section “routes” in document “routes-doc”"
    ):
        banks_load(directory=directory)


def test_malformed_toml_names_the_file(tmp_path, routes_document):
    directory = tmp_path / "banks"
    directory.mkdir()
    (directory / "broken.toml").write_text('document = "x"\n[[questions]\n')
    with pytest.raises(BankLoadError, match=r"broken\.toml: not valid TOML"):
        banks_load(directory=directory)


def test_a_choice_without_a_boolean_correct_flag_says_where(tmp_path, routes_document):
    directory = bank_file(tmp_path / "banks", correct=('"yes"', "false"))
    with pytest.raises(
        BankLoadError,
        match=r"questions\[1\] \(routes-01\): choices\[1\]: “correct” must be true",
    ):
        banks_load(directory=directory)


def test_acknowledgements_in_a_bank_file_are_stored_with_the_question(
    tmp_path, routes_document
):
    """``acknowledge = {code = "reason"}`` becomes the question's acknowledged
    warnings; loading the file without it again clears them."""
    directory = bank_file(
        tmp_path,
        stem="According to the section, which route?",
        extra='acknowledge = { stem-refers-to-text = "the section is the topic" }',
    )
    banks_load(directory=directory)
    question = Question.objects.get(ref="routes-01")
    assert question.acknowledged_warnings == {
        "stem-refers-to-text": "the section is the topic"
    }
    banks_load(directory=bank_file(tmp_path, stem="Which route?"))
    question.refresh_from_db()
    assert question.acknowledged_warnings == {}


def test_a_warning_does_not_stop_the_load(tmp_path, routes_document):
    """Warnings are the audit's to report; only errors refuse a bank."""
    directory = bank_file(tmp_path, stem="According to the section, which route?")
    assert banks_load(directory=directory).created == 1


def test_an_error_cannot_be_acknowledged_in_a_bank_file(tmp_path, routes_document):
    directory = bank_file(tmp_path, extra='acknowledge = { key-union = "fine" }')
    with pytest.raises(BankLoadError) as error:
        banks_load(directory=directory)
    assert "01-routes.toml" in error.value.problems[0]
    assert "“key-union” cannot be acknowledged" in error.value.problems[0]
    assert not Question.objects.exists()


def test_an_acknowledgement_without_a_reason_is_refused(tmp_path, routes_document):
    directory = bank_file(tmp_path, extra='acknowledge = { clang = " " }')
    with pytest.raises(BankLoadError, match="needs a reason"):
        banks_load(directory=directory)


def test_a_rewritten_bank_is_a_new_version_and_earlier_attempts_keep_theirs(
    tmp_path, routes_document
):
    """Rewriting a question under the same ref and reloading the bank (as the
    clinical-reasoning rewrite of the seed banks did) makes the next attempt show
    and score the new text and key, while an attempt started before keeps the
    version it showed."""
    directory = bank_file(tmp_path / "banks")
    banks_load(directory=directory)
    question = Question.objects.get()
    quiz = QuizFactory(with_questions=[question])
    earlier = attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt

    bank_file(directory, stem="A patient has no IV access. Which route?")
    banks_load(directory=directory)
    later = attempt_start(trainee=UserFactory(), quiz=quiz, now=T0).attempt

    assert attempt_questions(earlier)[0]["stem"] == "Which route?"
    assert attempt_questions(later)[0]["stem"] == (
        "A patient has no IV access. Which route?"
    )
    versions = {
        answer.attempt_id: answer.question_version.number
        for answer in Answer.objects.select_related("question_version")
    }
    assert versions == {earlier.pk: 1, later.pk: 2}
