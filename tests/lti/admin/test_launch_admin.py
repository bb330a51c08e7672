"""The LMS admin: superusers register platforms and rotate keys; instructors
read courses and links; every list runs a fixed number of queries."""

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.lti.keys import tool_key_current, tool_keys_rotate
from quizzes.lti.models import Platform, ToolKey
from tests.admin.factories import InstructorFactory, SuperuserFactory
from tests.lti.factories import (
    ContextFactory,
    DeploymentFactory,
    IdentityFactory,
    MembershipFactory,
    ResourceLinkFactory,
)

pytestmark = pytest.mark.django_db


def build(page, size):
    if page == "platform":
        for _ in range(size):
            DeploymentFactory()
    elif page == "context":
        for _ in range(size):
            MembershipFactory()
    elif page == "resourcelink":
        for _ in range(size):
            ResourceLinkFactory()
    elif page == "identity":
        for _ in range(size):
            IdentityFactory()
    elif page == "toolkey":
        for _ in range(size):
            tool_keys_rotate(now=timezone.now())
    return reverse(f"admin:lti_{page}_changelist")


# Each: session, user, count, full count, rows (joined or annotated).
BUDGETS = {
    "platform": 5,  # rows + deployment count (annotated)
    "context": 6,  # rows + platform + member counts (annotated), platforms (filter)
    "resourcelink": 6,  # rows + quiz + context, platforms (filter)
    "identity": 6,  # rows + user, issuers (filter)
    "toolkey": 5,
}


@pytest.mark.parametrize("page", BUDGETS)
@pytest.mark.parametrize("size", [3, 12])
def test_each_list_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, page, size
):
    url = build(page, size)
    client.force_login(SuperuserFactory())
    with django_assert_max_num_queries(BUDGETS[page]):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("page", ["context", "resourcelink"])
def test_instructors_read_courses_and_links(client, page):
    url = build(page, 2)
    client.force_login(InstructorFactory())
    assert client.get(url).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


def test_instructors_cannot_change_a_course(client):
    membership = MembershipFactory()
    client.force_login(InstructorFactory())
    url = reverse("admin:lti_context_change", args=[membership.context.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'type="submit" value="Save"' not in page.content.decode()
    assert client.post(url, {"title": "Renamed"}).status_code == 403


@pytest.mark.parametrize("page", ["platform", "toolkey", "identity"])
def test_platforms_keys_and_identities_are_for_superusers(client, page):
    url = build(page, 1)
    client.force_login(InstructorFactory())
    assert client.get(url).status_code == 403


def test_the_key_list_never_shows_a_private_key(client):
    key, _ = tool_keys_rotate(now=timezone.now())
    client.force_login(SuperuserFactory())
    for url in (
        reverse("admin:lti_toolkey_changelist"),
        reverse("admin:lti_toolkey_change", args=[key.pk]),
    ):
        body = client.get(url).content.decode()
        assert "PRIVATE KEY" not in body
        assert key.kid in body


def test_rotating_asks_first_then_rotates(client):
    """GET shows what will happen; only the POST rotates."""
    old, _ = tool_keys_rotate(now=timezone.now())
    client.force_login(SuperuserFactory())
    url = reverse("admin:lti_toolkey_rotate")
    page = client.get(url)
    assert page.status_code == 200
    assert old.kid in page.content.decode()
    assert ToolKey.objects.count() == 1
    response = client.post(url)
    assert response.status_code == 302
    assert tool_key_current() != old
    assert ToolKey.objects.get(pk=old.pk).retired_at is not None


def test_instructors_cannot_rotate(client):
    client.force_login(InstructorFactory())
    url = reverse("admin:lti_toolkey_rotate")
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert not ToolKey.objects.exists()


def test_a_platform_is_registered_with_its_deployments(client):
    client.force_login(SuperuserFactory())
    response = client.post(
        reverse("admin:lti_platform_add"),
        {
            "name": "Moodle",
            "issuer": "https://moodle.example.edu",
            "client_id": "abc",
            "auth_login_url": "https://moodle.example.edu/mod/lti/auth.php",
            "auth_token_url": "https://moodle.example.edu/mod/lti/token.php",
            "key_set_url": "https://moodle.example.edu/mod/lti/certs.php",
            "auth_audience": "",
            "deployments-TOTAL_FORMS": "1",
            "deployments-INITIAL_FORMS": "0",
            "deployments-0-deployment_id": "7",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Platform.objects.get().deployments.get().deployment_id == "7"


def test_the_course_list_links_to_the_course_page(client):
    context = ContextFactory()
    client.force_login(SuperuserFactory())
    body = client.get(reverse("admin:lti_context_changelist")).content.decode()
    assert reverse("lti:course", args=[context.pk]) in body
