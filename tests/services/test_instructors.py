"""Instructor accounts and the Instructors group."""

import importlib

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from quizzes.services.instructors import (
    INSTRUCTOR_ADDED_PERMISSIONS,
    INSTRUCTOR_LATE_PERMISSIONS,
    INSTRUCTOR_OVERRIDE_PERMISSIONS,
    INSTRUCTOR_PERMISSIONS,
    INSTRUCTOR_REGRADE_PERMISSIONS,
    INSTRUCTOR_REPORT_PERMISSIONS,
    INSTRUCTORS_GROUP,
    instructor_codenames,
    instructor_create,
    instructors_group_ensure,
)

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("quizzes.migrations.0005_instructors_group")
ADDED = importlib.import_module(
    "quizzes.migrations.0008_instructors_history_and_unlock"
)
OVERRIDES = importlib.import_module("quizzes.migrations.0009_quiz_overrides")
REGRADES = importlib.import_module("quizzes.migrations.0010_question_versions_regrades")
REPORTS = importlib.import_module("quizzes.migrations.0011_problem_reports")
LATE = importlib.import_module("quizzes.migrations.0015_answer_seq_late_answers")
# quizzes models, then history views and axes unlocking, then overrides (4 + the
# view of their history), then the regrade log's view, then problem reports
# (view, change), then the late changes' view
GROUP_SIZE = 37 + 5 + 5 + 1 + 2 + 1


def test_the_migration_and_the_service_grant_the_same_permissions():
    assert MIGRATION.PERMISSIONS == INSTRUCTOR_PERMISSIONS
    assert MIGRATION.GROUP == INSTRUCTORS_GROUP
    assert ADDED.ADDED == INSTRUCTOR_ADDED_PERMISSIONS
    assert OVERRIDES.ADDED == INSTRUCTOR_OVERRIDE_PERMISSIONS
    assert REGRADES.ADDED == INSTRUCTOR_REGRADE_PERMISSIONS
    assert REPORTS.ADDED == INSTRUCTOR_REPORT_PERMISSIONS
    assert LATE.ADDED == INSTRUCTOR_LATE_PERMISSIONS


def test_the_group_holds_nothing_on_users_groups_or_permissions():
    group = instructors_group_ensure()
    labels = set(group.permissions.values_list("content_type__app_label", flat=True))
    assert labels == {"quizzes", "axes"}
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert set(instructor_codenames()) <= codenames
    assert {"delete_accessattempt", "view_historicalquestion"} <= codenames
    assert "change_attempt" not in codenames
    assert "view_answer" in codenames
    assert len(codenames) == GROUP_SIZE


def test_the_data_migration_created_the_group():
    """The group exists before any code asks for it (unless a test flushed it)."""
    group = Group.objects.filter(name=INSTRUCTORS_GROUP).first()
    if group is None:
        pytest.skip("the database was flushed by a transactional test")
    assert group.permissions.count() == GROUP_SIZE


def test_an_instructor_is_staff_in_the_group_without_permissions_of_their_own():
    user, created = instructor_create(
        username="dr-ada", email="ada@example.org", password="a long pass phrase 42"
    )
    assert created
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [INSTRUCTORS_GROUP]
    assert not user.user_permissions.exists()
    assert user.has_perm("quizzes.change_question")
    assert not user.has_perm("auth.change_user")
    assert user.check_password("a long pass phrase 42")


def test_an_existing_account_becomes_an_instructor_and_keeps_its_password():
    instructor_create(username="dr-bo", password="a long pass phrase 42")
    again, created = instructor_create(username="dr-bo")
    assert not created
    assert again.check_password("a long pass phrase 42")


def test_a_weak_password_is_refused():
    with pytest.raises(ValidationError):
        instructor_create(username="dr-cy", password="123")


def test_without_a_password_a_new_account_cannot_log_in_yet():
    user, _ = instructor_create(username="dr-di")
    assert not user.has_usable_password()
