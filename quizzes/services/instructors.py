"""Instructor accounts: the "Instructors" group and the accounts that belong to it."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import Q

INSTRUCTORS_GROUP = "Instructors"
MANAGE = ("add", "change", "delete", "view")
# The same list as migration 0005 (a test keeps them equal): the banks and quizzes
# are managed; attempts, answers and trainees are read; adding a DeadlineExtension
# is extending a deadline. Nothing on users, groups or permissions.
INSTRUCTOR_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "sourcedocument": MANAGE,
    "section": MANAGE,
    "question": MANAGE,
    "choice": MANAGE,
    "quiz": MANAGE,
    "quizdraw": MANAGE,
    "quizquestion": MANAGE,
    "accommodation": MANAGE,
    "attempt": ("view",),
    "answer": ("view",),
    "trainee": ("view",),
    "deadlineextension": ("add", "view"),
}


# Added by migration 0008 (a test keeps them equal): reading the history of
# questions and choices, and unlocking accounts locked by django-axes.
INSTRUCTOR_ADDED_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "quizzes": {"historicalquestion": ("view",), "historicalchoice": ("view",)},
    "axes": {"accessattempt": ("view", "delete"), "accessfailurelog": ("view",)},
}

# Added by migration 0009 (a test keeps them equal): managing quiz overrides and
# reading their history.
INSTRUCTOR_OVERRIDE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "quizzes": {"quizoverride": MANAGE, "historicalquizoverride": ("view",)},
}

# Added by migration 0011 (a test keeps them equal): reading trainees' problem
# reports and resolving them; trainees create them, nobody deletes them.
INSTRUCTOR_REPORT_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "quizzes": {"problemreport": ("change", "view")},
}


# Added by migration 0010 (a test keeps them equal): reading the regrade log (a
# regrade itself needs the change permission on the question or the quiz).
INSTRUCTOR_REGRADE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "quizzes": {"attemptregrade": ("view",)},
}


# Added by migration 0015 (a test keeps them equal): reading the changes that
# arrived after an attempt's time was up (refused, listed on the attempt).
INSTRUCTOR_LATE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "quizzes": {"lateanswer": ("view",)},
}


def instructor_codenames() -> list[str]:
    """``add_question``, ``view_attempt``…: every permission the group holds."""
    return [
        f"{action}_{model}"
        for model, actions in INSTRUCTOR_PERMISSIONS.items()
        for action in actions
    ]


def instructors_group_ensure() -> Group:
    """The Instructors group with exactly its permissions (created if missing)."""
    group, _ = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)
    wanted = Q(content_type__app_label="quizzes", codename__in=instructor_codenames())
    for label, models in [
        *INSTRUCTOR_ADDED_PERMISSIONS.items(),
        *INSTRUCTOR_OVERRIDE_PERMISSIONS.items(),
        *INSTRUCTOR_REPORT_PERMISSIONS.items(),
        *INSTRUCTOR_REGRADE_PERMISSIONS.items(),
        *INSTRUCTOR_LATE_PERMISSIONS.items(),
    ]:
        codenames = [f"{a}_{m}" for m, actions in models.items() for a in actions]
        wanted |= Q(content_type__app_label=label, codename__in=codenames)
    group.permissions.set(Permission.objects.filter(wanted))
    return group


def instructor_create(
    *,
    username: str,
    email: str = "",
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
):
    """Create an instructor, or make an existing account one; returns (user, created).

    An instructor is staff and a member of the Instructors group, with no permission
    of its own. ``password`` is checked by the password validators; None leaves an
    existing password alone and gives a new account an unusable one.
    """
    User = get_user_model()
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=username)
        if password is not None:
            validate_password(password, user)
            user.set_password(password)
        elif created:
            user.set_unusable_password()
        user.is_staff = True
        user.is_active = True
        user.email = email or user.email
        user.first_name = first_name or user.first_name
        user.last_name = last_name or user.last_name
        user.save()
        user.groups.add(instructors_group_ensure())
    return user, created
