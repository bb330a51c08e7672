"""The instructor's course page: a fixed number of queries, whatever the cohort."""

import pytest
from django.urls import reverse

from quizzes.lti.models import Membership
from tests.lti.factories import MembershipFactory, ResourceLinkFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size", [3, 30])
def test_the_course_page_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, size
):
    # session, user, the course (joined to the instructor's membership, platform,
    # group), its links + quiz, the cohort with finished/mean/last activity
    teaching = MembershipFactory(role=Membership.Role.INSTRUCTOR)
    context = teaching.context
    for _ in range(size):
        learner = MembershipFactory(context=context).user
        learner.groups.add(context.group)
        ResourceLinkFactory(context=context)
    client.force_login(teaching.user)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("lti:course", args=[context.pk]))
    assert response.status_code == 200
    assert len(response.context["roster"]) == size
