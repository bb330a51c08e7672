"""Launches that must be refused: each gets a 4xx with the clear error page, and
creates nothing (no user, identity, course, group, membership or link).

The id_tokens are built here, signed with the test platform's own RSA key, whose
JWKS a real HTTP server serves on loopback (tests/lti/platform.py)."""

import base64
import html
import json
import time

import pytest
from django.contrib.auth.models import Group, User

from quizzes.lti.models import Context, Identity, Membership, ResourceLink
from tests.factories import QuizFactory, UserFactory
from tests.lti.platform import (
    CLIENT_ID,
    INSTITUTION_INSTRUCTOR,
    LTI,
    SigningKey,
    launch,
    login,
)

pytestmark = pytest.mark.django_db

MODELS = [User, Identity, Context, Group, Membership, ResourceLink]


def rows():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def quiz(db):
    return QuizFactory(slug="cardiac-arrest")


def assert_refused(response, status, says):
    assert response.status_code == status
    assert "lti/error.html" in [t.name for t in response.templates]
    assert says in html.unescape(response.content.decode())
    assert "_auth_user_id" not in response.wsgi_request.session


def test_a_wrong_signature_is_refused(client, lms, quiz):
    """Signed by another key under the platform's kid: the signature fails."""
    before = rows()
    state, nonce = login(client)
    forged = lms.sign(
        lms.claims(nonce=nonce, quiz=quiz.slug), key=SigningKey(), kid=lms.key.kid
    )
    response = launch(client, state=state, id_token=forged)
    assert_refused(response, 403, "Signature verification failed")
    assert rows() == before


def test_an_expired_token_is_refused(client, lms, quiz):
    """Expired two minutes ago: past the one-minute clock skew."""
    before = rows()
    state, nonce = login(client)
    now = int(time.time())
    claims = lms.claims(nonce=nonce, quiz=quiz.slug, iat=now - 600, exp=now - 120)
    response = launch(client, state=state, id_token=lms.sign(claims))
    assert_refused(response, 403, "The id_token has expired.")
    assert rows() == before


def test_a_token_without_expiry_is_refused(client, lms, quiz):
    """``exp`` is required, not only checked when present."""
    before = rows()
    state, nonce = login(client)
    claims = lms.claims(nonce=nonce, quiz=quiz.slug)
    del claims["exp"]
    response = launch(client, state=state, id_token=lms.sign(claims))
    assert_refused(response, 403, "exp")
    assert rows() == before


def test_a_token_issued_in_the_future_is_refused(client, lms, quiz):
    """``iat`` five minutes ahead: beyond the clock skew."""
    before = rows()
    state, nonce = login(client)
    now = int(time.time())
    claims = lms.claims(nonce=nonce, quiz=quiz.slug, iat=now + 300, exp=now + 600)
    response = launch(client, state=state, id_token=lms.sign(claims))
    assert_refused(response, 403, "issued in the future")
    assert rows() == before


def test_a_replayed_nonce_is_refused(client, lms, quiz):
    """The same id_token posted again, from the same browser: the first launch
    consumed the nonce; the second creates nothing more."""
    state, nonce = login(client)
    id_token = lms.sign(lms.claims(nonce=nonce, quiz=quiz.slug))
    assert launch(client, state=state, id_token=id_token).status_code == 302
    client.logout()
    after_first = rows()
    response = launch(client, state=state, id_token=id_token)
    assert_refused(response, 403, "Invalid Nonce")
    assert rows() == after_first


def test_a_nonce_the_tool_never_issued_is_refused(client, lms, quiz):
    """A valid state, but a nonce of the token's own making."""
    before = rows()
    state, _ = login(client)
    id_token = lms.sign(lms.claims(nonce="made-up", quiz=quiz.slug))
    assert_refused(launch(client, state=state, id_token=id_token), 403, "Nonce")
    assert rows() == before


def test_a_state_without_its_cookie_is_refused(client, lms, quiz):
    """The state is bound to the browser that started the login: another browser
    (no state cookie) cannot post the token."""
    before = rows()
    state, nonce = login(client)
    client.cookies.clear()
    id_token = lms.sign(lms.claims(nonce=nonce, quiz=quiz.slug))
    assert_refused(launch(client, state=state, id_token=id_token), 403, "State")
    assert rows() == before


def test_a_wrong_audience_is_refused(client, lms, quiz):
    """A token meant for another tool (client id) of the same platform."""
    before = rows()
    state, nonce = login(client)
    id_token = lms.sign(lms.claims(nonce=nonce, quiz=quiz.slug, aud="another-tool"))
    response = launch(client, state=state, id_token=id_token)
    assert_refused(response, 403, "Registration not found")
    assert rows() == before


def test_several_audiences_without_azp_are_refused(client, lms, quiz):
    """``aud`` lists us among others, with no ``azp`` to say which is the holder."""
    before = rows()
    state, nonce = login(client)
    claims = lms.claims(nonce=nonce, quiz=quiz.slug, aud=["another-tool", CLIENT_ID])
    response = launch(client, state=state, id_token=lms.sign(claims))
    assert_refused(response, 403, "azp")
    assert rows() == before


def test_an_azp_that_is_not_an_audience_is_refused(client, lms, quiz):
    before = rows()
    state, nonce = login(client)
    claims = lms.claims(nonce=nonce, quiz=quiz.slug, azp="another-tool")
    response = launch(client, state=state, id_token=lms.sign(claims))
    assert_refused(response, 403, "azp")
    assert rows() == before


def test_an_unknown_deployment_is_refused(client, lms, quiz):
    """A deployment id the platform never registered with us."""
    before = rows()
    state, nonce = login(client)
    claims = lms.claims(nonce=nonce, quiz=quiz.slug, **{LTI + "deployment_id": "x"})
    response = launch(client, state=state, id_token=lms.sign(claims))
    assert_refused(response, 403, 'The deployment ID "x" is not recognised.')
    assert rows() == before


def test_a_launch_without_a_course_role_is_refused(client, lms, quiz):
    """Only an institution role (no Learner, Instructor or ContentDeveloper in the
    course): no role here, nothing created."""
    before = rows()
    state, nonce = login(client)
    claims = lms.claims(nonce=nonce, quiz=quiz.slug, roles=[INSTITUTION_INSTRUCTOR])
    response = launch(client, state=state, id_token=lms.sign(claims))
    assert_refused(response, 403, "No role for this course.")
    assert rows() == before


def test_a_launch_with_no_roles_is_refused(client, lms, quiz):
    before = rows()
    state, nonce = login(client)
    claims = lms.claims(nonce=nonce, quiz=quiz.slug, roles=[])
    response = launch(client, state=state, id_token=lms.sign(claims))
    assert_refused(response, 403, "No role for this course.")
    assert rows() == before


def test_a_learner_on_a_link_naming_no_quiz_is_refused(client, lms):
    """The link is new and its custom parameter names no quiz of ours: a 404, and
    the user and course it would have made are rolled back."""
    before = rows()
    state, nonce = login(client)
    id_token = lms.sign(lms.claims(nonce=nonce, quiz="no-such-quiz"))
    response = launch(client, state=state, id_token=id_token)
    assert_refused(response, 404, "This link opens no quiz.")
    assert rows() == before


def test_a_personal_test_cannot_be_linked(client, lms):
    """Another trainee's personal test is not one of the instructors' quizzes."""
    personal = QuizFactory(owner=UserFactory())
    before = rows()
    state, nonce = login(client)
    id_token = lms.sign(lms.claims(nonce=nonce, quiz=personal.slug))
    assert_refused(launch(client, state=state, id_token=id_token), 404, "no quiz")
    assert rows() == before


def test_a_login_from_an_unregistered_platform_is_refused(client, lms):
    """The login initiation names an issuer we do not know: a 400 page."""
    response = client.get(
        "/lti/login/", {"iss": "https://other.example.edu", "login_hint": "u"}
    )
    assert_refused(response, 400, "This LMS is not registered.")


def test_a_launch_without_a_token_is_refused(client, lms):
    """A bare POST: a 403 page, not a 500."""
    state, _ = login(client)
    response = client.post("/lti/launch/", {"state": state})
    assert_refused(response, 403, "id_token")


def test_a_launch_by_get_is_refused(client, lms):
    assert client.get("/lti/launch/").status_code == 405


def test_a_claim_of_the_wrong_type_is_refused(client, lms, quiz):
    """A number as ``sub``: a clear 403, not a TypeError."""
    before = rows()
    state, nonce = login(client)
    id_token = lms.sign(lms.claims(nonce=nonce, quiz=quiz.slug, sub=42))
    assert_refused(launch(client, state=state, id_token=id_token), 403, '"sub"')
    assert rows() == before


def test_a_header_that_is_no_object_is_refused(client, lms, quiz):
    """A JSON list as the JWT header, valid claims: a 403 page, not an
    AttributeError where the kid is read."""
    state, nonce = login(client)
    claims = json.dumps(lms.claims(nonce=nonce, quiz=quiz.slug)).encode()
    token = ".".join(
        base64.urlsafe_b64encode(part).decode().rstrip("=")
        for part in (b"[1]", claims, b"sig")
    )
    assert_refused(launch(client, state=state, id_token=token), 403, "header")


def test_a_submission_review_launch_is_refused(client, lms, quiz):
    """Message types other than resource links and deep linking: a 400, nothing
    created."""
    before = rows()
    state, nonce = login(client)
    claims = lms.claims(
        nonce=nonce,
        quiz=quiz.slug,
        **{
            LTI + "message_type": "LtiSubmissionReviewRequest",
            LTI + "for_user": {"user_id": "user-2"},
        },
    )
    response = launch(client, state=state, id_token=lms.sign(claims))
    assert_refused(response, 400, "not supported")
    assert rows() == before


def test_an_identity_bound_to_a_staff_account_is_refused(client, lms, quiz):
    """An LMS launch never logs anyone in with admin rights, even if an identity
    was bound to a staff account by hand."""
    staff = UserFactory(is_staff=True)
    Identity.objects.create(issuer=lms.platform.issuer, subject="user-1", user=staff)
    before = rows()
    state, nonce = login(client)
    id_token = lms.sign(lms.claims(nonce=nonce, quiz=quiz.slug))
    response = launch(client, state=state, id_token=id_token)
    assert_refused(response, 403, "Staff accounts do not launch from an LMS.")
    assert rows() == before
