"""LTI roles to ours: pure, no database.

Only context roles count (LTI 1.3 §A.2.2: "membership" roles, full URIs, or the
simple names the spec lets platforms send for them). Institution and system roles
are ignored: Canvas sends "institution Instructor" to a teacher who views another
course as a student, and a school-wide role must not make anyone an instructor of
a course. Sub-roles (``membership/Instructor#TeachingAssistant``) are ignored too:
the spec has platforms send the principal role with them.
"""

from __future__ import annotations

CONTEXT_ROLE_PREFIX = "http://purl.imsglobal.org/vocab/lis/v2/membership#"

LEARNER = "learner"
INSTRUCTOR = "instructor"

# Context role name -> our role. ContentDeveloper builds the course: an instructor.
ROLE_OF_CONTEXT_ROLE = {
    "Learner": LEARNER,
    "Instructor": INSTRUCTOR,
    "ContentDeveloper": INSTRUCTOR,
}


def context_role_names(roles: object) -> set[str]:
    """The principal context role names among a launch's roles claim."""
    if not isinstance(roles, list):
        return set()
    names = set()
    for role in roles:
        if not isinstance(role, str):
            continue
        if role.startswith(CONTEXT_ROLE_PREFIX):
            names.add(role.removeprefix(CONTEXT_ROLE_PREFIX))
        elif "/" not in role and "#" not in role:
            names.add(role)  # A simple name: context roles only (LTI 1.3 §A.2.2).
    return names


def our_role(roles: object) -> str | None:
    """``INSTRUCTOR`` if any context role makes one, else ``LEARNER`` if the user
    is a learner of the course, else None (the launch is refused)."""
    ours = {ROLE_OF_CONTEXT_ROLE.get(name) for name in context_role_names(roles)}
    if INSTRUCTOR in ours:
        return INSTRUCTOR
    if LEARNER in ours:
        return LEARNER
    return None
