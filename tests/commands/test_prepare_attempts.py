"""``manage.py prepare_attempts``: a quiz's attempts prepared ahead, by command."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from quizzes.models import Attempt
from tests.factories import QuestionFactory, QuizFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz():
    return QuizFactory(slug="finals", with_questions=QuestionFactory.create_batch(2))


def run(*args) -> str:
    out = io.StringIO()
    call_command("prepare_attempts", *args, stdout=out)
    return out.getvalue()


def test_every_active_trainee_is_prepared_and_the_counts_printed(quiz):
    UserFactory.create_batch(3)
    UserFactory(is_staff=True)
    out = run("--quiz", "finals")
    assert "prepared 3, already prepared 0, already started 0" in out
    assert Attempt.objects.filter(state="prepared").count() == 3
    assert "prepared 0, already prepared 3" in run("--quiz", "finals")


def test_a_group_limits_the_roster(quiz):
    group = Group.objects.create(name="Cohort A")
    UserFactory().groups.add(group)
    UserFactory()
    out = run("--quiz", "finals", "--group", "Cohort A")
    assert "(group Cohort A, 1 trainee(s)): prepared 1" in out


def test_a_dry_run_writes_nothing(quiz):
    UserFactory.create_batch(2)
    assert "would prepare 2" in run("--quiz", "finals", "--dry-run")
    assert not Attempt.objects.exists()


def test_a_large_roster_reports_its_progress(quiz, monkeypatch):
    monkeypatch.setattr("quizzes.services.attempts.PREPARE_BATCH", 2)
    UserFactory.create_batch(5)
    out = run("--quiz", "finals")
    assert "… 2 of 5 trainees" in out and "… 4 of 5 trainees" in out
    assert "prepared 5" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--quiz", "nope"], "no quiz with the slug 'nope'"),
        (["--quiz", "finals", "--group", "Nobody"], "no group named 'Nobody'"),
    ],
)
def test_an_unknown_quiz_or_group_is_refused_clearly(quiz, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_a_quiz_without_questions_is_refused_clearly():
    QuizFactory(slug="empty")
    UserFactory()
    with pytest.raises(CommandError, match="empty: This quiz has no published"):
        run("--quiz", "empty")
