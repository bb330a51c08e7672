"""LTI roles to ours: context roles only, instructor before learner."""

import pytest

from quizzes.lti.roles import INSTRUCTOR, LEARNER, our_role

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
INSTITUTION = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#"
SYSTEM = "http://purl.imsglobal.org/vocab/lis/v2/system/person#"


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([MEMBERSHIP + "Learner"], LEARNER),
        ([MEMBERSHIP + "Instructor"], INSTRUCTOR),
        ([MEMBERSHIP + "ContentDeveloper"], INSTRUCTOR),
        ([MEMBERSHIP + "Learner", MEMBERSHIP + "Instructor"], INSTRUCTOR),
        (["Learner"], LEARNER),  # the simple names LTI 1.3 allows for context roles
        (["Instructor"], INSTRUCTOR),
        ([INSTITUTION + "Instructor"], None),
        ([INSTITUTION + "Administrator", SYSTEM + "Administrator"], None),
        ([INSTITUTION + "Instructor", MEMBERSHIP + "Learner"], LEARNER),
        ([MEMBERSHIP + "Instructor#TeachingAssistant"], None),
        ([MEMBERSHIP + "Mentor"], None),
        ([], None),
        (None, None),
        ("Learner", None),  # not a list
        ([42, MEMBERSHIP + "Learner"], LEARNER),
    ],
)
def test_our_role_comes_from_the_context_roles_only(roles, expected):
    """Institution and system roles never make an instructor (nor a learner)."""
    assert our_role(roles) == expected
