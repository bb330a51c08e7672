"""The "Sync the roster from the LMS" action on LMS courses in the admin."""

import pytest
from django.urls import reverse

from quizzes.lti.models import Membership
from tests.lti.conftest import course_register, platform_register
from tests.lti.loopback.harness import INSTRUCTOR, member

pytestmark = pytest.mark.django_db

URL = reverse("admin:lti_context_changelist")


@pytest.fixture
def course(loopback_lms, tool_jwks_url):
    urls = loopback_lms.configure(
        tool_url="http://127.0.0.1:9",
        jwks_url=tool_jwks_url,
        members=[
            member("u-ann", given_name="Ann"),
            member("u-tess", given_name="Tess", roles=[INSTRUCTOR]),
        ],
    )
    return course_register(urls, deployment=platform_register(urls))


def test_the_action_syncs_the_selected_courses(admin_client, course):
    """The roster is read now; the page says what was imported."""
    response = admin_client.post(
        URL, {"action": "sync_roster", "_selected_action": [course.pk]}, follow=True
    )
    assert "1 learner(s), 1 instructor(s)" in response.content.decode()
    assert Membership.objects.filter(context=course, active=True).count() == 2


def test_an_lms_failure_is_an_error_message_not_a_500(
    admin_client, course, loopback_lms
):
    loopback_lms.fail("memberships", 1)
    response = admin_client.post(
        URL, {"action": "sync_roster", "_selected_action": [course.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "did not send the roster" in response.content.decode()
    assert not Membership.objects.exists()
