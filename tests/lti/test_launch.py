"""Launches that succeed: who the user becomes, what is stored, where they land."""

import time

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from quizzes.lti.models import Context, Identity, Membership, ResourceLink
from tests.factories import QuizFactory, UserFactory
from tests.lti.platform import (
    CONTENT_DEVELOPER,
    INSTITUTION_INSTRUCTOR,
    INSTRUCTOR,
    ISSUER,
    LEARNER,
    launch,
    login,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz(db):
    return QuizFactory(slug="cardiac-arrest", title="Cardiac arrest")


def launched(client, lms, **claims):
    state, nonce = login(client)
    return launch(
        client, state=state, id_token=lms.sign(lms.claims(nonce=nonce, **claims))
    )


def test_a_learner_lands_on_the_linked_quiz(client, lms, quiz):
    """Logged in as a new trainee, in the course's cohort, on the quiz's page."""
    response = launched(client, lms, quiz=quiz.slug)
    assert response.status_code == 302
    assert response["Location"] == reverse("quiz_detail", args=[quiz.slug])
    identity = Identity.objects.select_related("user").get()
    user = identity.user
    assert (identity.issuer, identity.subject) == (ISSUER, "user-1")
    assert response.wsgi_request.session["_auth_user_id"] == str(user.pk)
    assert (user.first_name, user.last_name, user.email) == (
        "Ada",
        "Lovelace",
        "ada@example.edu",
    )
    assert not user.is_staff and not user.is_superuser
    assert not user.has_usable_password()
    context = Context.objects.get()
    assert (context.context_id, context.title, context.label) == (
        "course-1",
        "Cardiology",
        "CARD101",
    )
    assert context.memberships_url == f"{ISSUER}/courses/1/memberships"
    assert context.lineitems_url == f"{ISSUER}/courses/1/lineitems"
    assert user.groups.get() == context.group
    assert Membership.objects.get().role == Membership.Role.LEARNER
    link = ResourceLink.objects.get()
    assert (link.resource_link_id, link.quiz, link.title) == (
        "link-1",
        quiz,
        "Week 1 quiz",
    )
    assert link.lineitem_url == f"{ISSUER}/courses/1/lineitems/7"
    assert client.get(response["Location"]).status_code == 200


def test_an_instructor_lands_on_the_course_page(client, lms, quiz):
    """An instructor of this course only: a Membership, never staff, not in the
    cohort; the course page lists the linked quiz."""
    response = launched(client, lms, quiz=quiz.slug, roles=[INSTRUCTOR])
    context = Context.objects.get()
    assert response["Location"] == reverse("lti:course", args=[context.pk])
    user = User.objects.get()
    assert not user.is_staff and not user.is_superuser
    assert not user.groups.exists()
    assert Membership.objects.get().role == Membership.Role.INSTRUCTOR
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Cardiac arrest" in page.content.decode()


def test_a_content_developer_is_an_instructor(client, lms, quiz):
    launched(client, lms, quiz=quiz.slug, roles=[CONTENT_DEVELOPER])
    assert Membership.objects.get().role == Membership.Role.INSTRUCTOR


def test_an_institution_instructor_who_learns_in_the_course_is_a_learner(
    client, lms, quiz
):
    """Institution roles are ignored: the context role decides."""
    response = launched(
        client, lms, quiz=quiz.slug, roles=[INSTITUTION_INSTRUCTOR, LEARNER]
    )
    assert response["Location"] == reverse("quiz_detail", args=[quiz.slug])
    assert Membership.objects.get().role == Membership.Role.LEARNER


def test_an_instructor_on_a_link_naming_no_quiz_still_reaches_the_course(client, lms):
    """A course-navigation placement carries no quiz: the course page, no link."""
    response = launched(client, lms, roles=[INSTRUCTOR])
    context = Context.objects.get()
    assert response["Location"] == reverse("lti:course", args=[context.pk])
    assert not ResourceLink.objects.exists()


def test_a_second_launch_reuses_the_user(client, lms, quiz):
    """Same (issuer, sub): the same account, names refreshed from the LMS."""
    launched(client, lms, quiz=quiz.slug)
    client.logout()
    launched(client, lms, quiz=quiz.slug, given_name="Augusta")
    assert User.objects.count() == Identity.objects.count() == 1
    assert User.objects.get().first_name == "Augusta"
    assert Context.objects.count() == ResourceLink.objects.count() == 1


def test_an_existing_link_keeps_its_quiz(client, lms, quiz):
    """The custom parameter chooses the quiz of a new link only."""
    launched(client, lms, quiz=quiz.slug)
    other = QuizFactory()
    launched(client, lms, quiz=other.slug)
    assert ResourceLink.objects.get().quiz == quiz


def test_the_same_subject_on_another_issuer_is_another_user(client, lms, quiz):
    """Identities are (issuer, sub): "user-1" of another LMS is someone else."""
    someone = UserFactory()
    Identity.objects.create(
        issuer="https://other.example.edu", subject="user-1", user=someone
    )
    launched(client, lms, quiz=quiz.slug)
    user = Identity.objects.get(issuer=ISSUER).user
    assert user != someone
    assert user.username.startswith("lti-")


def test_a_deleted_identity_makes_a_new_account_not_a_500(client, lms, quiz):
    """The identity was deleted in the admin, its account kept: the next launch
    makes a new account (the old one is never taken over by its name)."""
    launched(client, lms, quiz=quiz.slug)
    old = User.objects.get()
    Identity.objects.all().delete()
    client.logout()
    assert launched(client, lms, quiz=quiz.slug).status_code == 302
    new = Identity.objects.get().user
    assert new != old
    assert new.username.startswith(old.username + "-")


def test_a_rotated_platform_key_still_validates(client, lms, quiz, jwks_server):
    """The platform signs with a new key (new kid) after we cached its JWKS: the
    unknown kid makes the tool refetch the keyset once, and the launch passes."""
    launched(client, lms, quiz=quiz.slug)
    assert jwks_server.fetches == 1
    lms.rotate()
    client.logout()
    response = launched(client, lms, quiz=quiz.slug)
    assert response.status_code == 302
    assert jwks_server.fetches == 2


def test_the_platform_keyset_is_cached_between_launches(client, lms, quiz, jwks_server):
    """A known kid needs no fetch."""
    launched(client, lms, quiz=quiz.slug)
    client.logout()
    launched(client, lms, quiz=quiz.slug)
    assert jwks_server.fetches == 1


def test_a_small_clock_skew_is_tolerated(client, lms, quiz):
    """Issued 30 s ahead of our clock, expired 30 s ago: within the minute."""
    now = int(time.time())
    response = launched(client, lms, quiz=quiz.slug, iat=now + 30, exp=now - 30)
    assert response.status_code == 302


def test_azp_names_us_among_several_audiences(client, lms, quiz):
    response = launched(
        client,
        lms,
        quiz=quiz.slug,
        aud=["another-tool", lms.platform.client_id],
        azp=lms.platform.client_id,
    )
    assert response.status_code == 302


def test_the_state_cookie_is_dropped_after_the_launch(client, lms, quiz):
    state, nonce = login(client)
    assert client.cookies[f"lti1p3-{state}"].value == state
    response = launch(
        client, state=state, id_token=lms.sign(lms.claims(nonce=nonce, quiz=quiz.slug))
    )
    assert response.cookies[f"lti1p3-{state}"]["max-age"] == 0


def test_the_login_redirects_to_the_platform_with_our_launch_url(client, lms):
    """The OIDC authentication request (LTI 1.3 §5.1.1.2): form_post, id_token,
    prompt none, our client id, the launch URL, and the login hint passed back."""
    response = client.post(
        "/lti/login/",
        {"iss": ISSUER, "login_hint": "hint-7", "lti_message_hint": "m-3"},
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{ISSUER}/auth?")
    for part in (
        "response_type=id_token",
        "response_mode=form_post",
        "prompt=none",
        "scope=openid",
        f"client_id={lms.platform.client_id}",
        "redirect_uri=http%3A%2F%2Ftestserver%2Flti%2Flaunch%2F",
        "login_hint=hint-7",
        "lti_message_hint=m-3",
    ):
        assert part in location


def test_the_course_page_is_only_for_its_instructors(client, lms, quiz):
    """A learner of the course (or anyone else) gets a 404."""
    launched(client, lms, quiz=quiz.slug)
    context = Context.objects.get()
    assert client.get(reverse("lti:course", args=[context.pk])).status_code == 404


def test_the_course_page_lists_the_cohort_with_progress(client, lms, quiz):
    launched(client, lms, quiz=quiz.slug)  # Ada, a learner
    client.logout()
    launched(client, lms, quiz=quiz.slug, sub="teacher", roles=[INSTRUCTOR])
    context = Context.objects.get()
    page = client.get(reverse("lti:course", args=[context.pk]))
    assert "Ada Lovelace" in page.content.decode()


def test_the_roster_sync_button_says_why_a_roster_cannot_be_read(client, lms, quiz):
    """The button runs the roster sync (``services.roster``); an LMS that cannot
    send the roster is a clear message on the course page, not a 500."""
    launched(client, lms, quiz=quiz.slug, roles=[INSTRUCTOR])
    context = Context.objects.get()
    response = client.post(
        reverse("lti:course_roster_sync", args=[context.pk]), follow=True
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{context}: the LMS" in page and "roster" in page
