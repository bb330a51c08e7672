"""``manage.py create_instructor`` and the demo instructor."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from quizzes.services.instructors import INSTRUCTORS_GROUP

pytestmark = pytest.mark.django_db


def test_create_instructor_makes_a_staff_member_of_the_group(monkeypatch, capsys):
    monkeypatch.setenv("INSTRUCTOR_PASSWORD", "a long pass phrase 42")
    call_command("create_instructor", "dr-ada", "--no-input", "--email", "a@b.org")
    user = get_user_model().objects.get(username="dr-ada")
    assert user.is_staff
    assert user.groups.filter(name=INSTRUCTORS_GROUP).exists()
    assert user.check_password("a long pass phrase 42")
    assert "instructor dr-ada created" in capsys.readouterr().out


def test_create_instructor_asks_twice_for_the_password(monkeypatch):
    answers = iter(["a long pass phrase 42", "a different one 42"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="the two passwords differ"):
        call_command("create_instructor", "dr-bo")
    assert not get_user_model().objects.filter(username="dr-bo").exists()


def test_create_instructor_refuses_a_weak_password(monkeypatch):
    monkeypatch.setenv("INSTRUCTOR_PASSWORD", "123")
    with pytest.raises(CommandError, match="too short"):
        call_command("create_instructor", "dr-cy", "--no-input")


def test_without_a_password_the_command_says_how_to_set_one(monkeypatch, capsys):
    monkeypatch.delenv("INSTRUCTOR_PASSWORD", raising=False)
    call_command("create_instructor", "dr-di", "--no-input")
    assert "changepassword dr-di" in capsys.readouterr().out


def test_the_demo_instructor_gets_its_rights_from_the_group_only(settings):
    settings.DEBUG = True
    call_command("create_demo_accounts")
    instructor = get_user_model().objects.get(username="instructor")
    assert instructor.is_staff and not instructor.is_superuser
    assert not instructor.user_permissions.exists()
    assert instructor.groups.filter(name=INSTRUCTORS_GROUP).exists()
    assert instructor.has_perm("quizzes.view_attempt")
    assert not instructor.has_perm("quizzes.change_attempt")
