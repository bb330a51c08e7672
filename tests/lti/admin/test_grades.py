"""The grade outbox in the admin: filter by status, search by user, see the error,
retry, export."""

import pytest
from django.urls import reverse

from quizzes.lti.models import GradePost
from tests.admin.factories import InstructorFactory
from tests.factories import UserFactory
from tests.lti.factories import GradePostFactory

pytestmark = pytest.mark.django_db

URL = reverse("admin:lti_gradepost_changelist")


@pytest.fixture
def posts():
    failed = GradePostFactory(
        user=UserFactory(username="ann"),
        status=GradePost.Status.FAILED,
        tries=3,
        last_error="LtiServiceException: HTTP response [https://lms/scores]: 500",
    )
    sent = GradePostFactory(user=UserFactory(username="ben"), status="sent", tries=1)
    return {"failed": failed, "sent": sent}


def test_the_list_filters_by_status_and_shows_the_error(admin_client, posts):
    """The failures, with their error, apart from what was sent."""
    response = admin_client.get(URL, {"status__exact": "failed"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "ann" in page and "ben" not in page
    assert "HTTP response [https://lms/scores]: 500" in page


def test_the_list_searches_by_user(admin_client, posts):
    page = admin_client.get(URL, {"q": "ben"}).content.decode()
    assert "ben" in page and "ann" not in page


def test_the_list_costs_the_same_queries_for_many_rows(
    admin_client, posts, django_assert_max_num_queries
):
    """6 queries, whatever the number of rows: the session, the user, the course
    filter's choices, the count twice (filtered and total), and the page of rows
    with their user, link, quiz and course (one query, joined)."""
    for _ in range(20):
        GradePostFactory()
    with django_assert_max_num_queries(6):
        assert admin_client.get(URL).status_code == 200


def test_retry_now_sends_again_and_starts_the_count_over(
    admin_client, posts, monkeypatch
):
    """ "Retry now" tries the selected failures at once (sent ones are left)."""
    tried = []
    monkeypatch.setattr(
        "quizzes.lti.services.grades._post_score", lambda post: tried.append(post.pk)
    )
    response = admin_client.post(
        URL,
        {
            "action": "retry_now",
            "_selected_action": [posts["failed"].pk, posts["sent"].pk],
        },
        follow=True,
    )
    assert "Sent 1 grade(s); 0 failed again" in response.content.decode()
    assert tried == [posts["failed"].pk]
    posts["failed"].refresh_from_db()
    assert (posts["failed"].status, posts["failed"].tries) == ("sent", 1)
    assert posts["failed"].last_error == ""


def test_the_selected_grades_export_as_csv(admin_client, posts):
    response = admin_client.post(
        URL, {"action": "export_csv", "_selected_action": [posts["failed"].pk]}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, row = text.splitlines()
    assert header.startswith("username,quiz,course")
    assert row.startswith("ann,") and "Failed (retrying)" in row


def test_an_instructor_sees_the_outbox_and_may_retry_but_not_edit(
    client, posts, monkeypatch
):
    """The failures are the instructors' to notice: they view and retry; a
    grade's row stays read-only for them."""
    client.force_login(InstructorFactory())
    page = client.get(URL).content.decode()
    assert "ann" in page and "Retry now" in page
    monkeypatch.setattr("quizzes.lti.services.grades._post_score", lambda post: None)
    response = client.post(
        URL,
        {"action": "retry_now", "_selected_action": [posts["failed"].pk]},
        follow=True,
    )
    assert "Sent 1 grade(s)" in response.content.decode()
    change = reverse("admin:lti_gradepost_change", args=[posts["sent"].pk])
    assert client.post(change, {"score_given": "99"}).status_code == 403
