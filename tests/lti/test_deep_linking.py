"""Deep linking: an instructor picks or builds a quiz inside the LMS, and the LMS
receives a signed LtiDeepLinkingResponse with the link."""

import html
import re

import jwt
import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.lti.keys import tool_jwks, tool_keys_rotate
from quizzes.lti.models import Context, Membership, ToolKey
from quizzes.models import Quiz, QuizDraw
from tests.factories import QuestionFactory, QuizFactory, SectionFactory, UserFactory
from tests.lti.platform import (
    CLIENT_ID,
    DEPLOYMENT_ID,
    INSTRUCTOR,
    ISSUER,
    LEARNER,
    LTI,
    launch,
    login,
)

pytestmark = pytest.mark.django_db

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
RETURN_URL = f"{ISSUER}/deep-link/return"


@pytest.fixture(autouse=True)
def tool_key(db):
    key, _ = tool_keys_rotate(now=timezone.now())
    return key


def deep_linking_launch(client, lms, roles=(INSTRUCTOR,), **settings):
    state, nonce = login(client)
    claims = lms.claims(
        nonce=nonce,
        roles=roles,
        **{
            LTI + "message_type": "LtiDeepLinkingRequest",
            DL + "deep_linking_settings": {
                "deep_link_return_url": RETURN_URL,
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "data": "opaque-42",
                **settings,
            },
        },
    )
    del claims[LTI + "resource_link"]
    return launch(client, state=state, id_token=lms.sign(claims))


def returned_jwt(response) -> dict:
    """The JWT the page posts to the LMS, verified with the tool's JWKS."""
    body = response.content.decode()
    token = html.unescape(re.search(r'name="JWT" value="([^"]+)"', body).group(1))
    keys = jwt.PyJWKSet.from_dict(tool_jwks(now=timezone.now()))
    public = keys[jwt.get_unverified_header(token)["kid"]].key
    return jwt.decode(token, public, algorithms=["RS256"], audience=ISSUER)


def test_an_instructor_lands_on_the_picker(client, lms):
    quiz = QuizFactory(title="Cardiac arrest")
    QuizFactory(title="Mine only", owner=UserFactory())
    response = deep_linking_launch(client, lms)
    assert response.status_code == 302
    assert response["Location"].startswith("/lti/deep-link/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert quiz.title in page.content.decode()
    assert "Mine only" not in page.content.decode()  # personal tests are not offered
    assert Membership.objects.get().role == Membership.Role.INSTRUCTOR


def test_picking_a_quiz_returns_a_signed_link_to_the_lms(client, lms, tool_key):
    """The response: signed by the tool's key, from the client id to the issuer,
    one resource link opening the launch URL with custom quiz=<slug>, a line item
    out of 100, and the platform's data echoed."""
    quiz = QuizFactory(title="Cardiac arrest", slug="cardiac-arrest")
    page_url = deep_linking_launch(client, lms)["Location"]
    response = client.post(page_url, {"action": "pick", "quiz": quiz.slug})
    assert response.status_code == 200
    assert f'action="{RETURN_URL}"' in response.content.decode()
    assert "lti/deep_link_return.js" in response.content.decode()
    assert f"form-action 'self' {ISSUER}" in response["Content-Security-Policy"]
    assert (
        jwt.get_unverified_header(
            re.search(r'name="JWT" value="([^"]+)"', response.content.decode()).group(1)
        )["kid"]
        == tool_key.kid
    )
    claims = returned_jwt(response)
    assert claims["iss"] == CLIENT_ID
    assert claims["aud"] == [ISSUER]
    assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[LTI + "version"] == "1.3.0"
    assert claims[LTI + "deployment_id"] == DEPLOYMENT_ID
    assert claims[DL + "data"] == "opaque-42"
    (item,) = claims[DL + "content_items"]
    assert item["type"] == "ltiResourceLink"
    assert item["url"] == "http://testserver/lti/launch/"
    assert item["title"] == "Cardiac arrest"
    assert item["custom"] == {"quiz": "cardiac-arrest"}
    assert item["lineItem"]["scoreMaximum"] == 100
    assert item["lineItem"]["label"] == "Cardiac arrest"


def test_the_pending_deep_link_is_used_once(client, lms):
    """Once the response is sent, the page is gone (a 404, not a second link)."""
    quiz = QuizFactory()
    page_url = deep_linking_launch(client, lms)["Location"]
    client.post(page_url, {"action": "pick", "quiz": quiz.slug})
    assert (
        client.post(page_url, {"action": "pick", "quiz": quiz.slug}).status_code == 404
    )


def test_building_a_quiz_from_sections_links_the_new_quiz(client, lms):
    """A new instructors' quiz drawing the counts asked from each section."""
    heart, lungs = SectionFactory(title="Heart"), SectionFactory(title="Lungs")
    for _ in range(3):
        QuestionFactory(section=heart)
    QuestionFactory(section=lungs)
    page_url = deep_linking_launch(client, lms)["Location"]
    page = client.get(page_url).content.decode()
    assert "Heart (3 published)" in page
    response = client.post(
        page_url,
        {
            "action": "build",
            "title": "Week 2: circulation",
            "minutes": "20",
            f"count-{heart.pk}": "2",
            f"count-{lungs.pk}": "",
        },
    )
    assert response.status_code == 200
    quiz = Quiz.objects.get(title="Week 2: circulation")
    assert quiz.owner is None
    assert quiz.time_limit.total_seconds() == 1200
    assert list(QuizDraw.objects.values_list("section_id", "count")) == [(heart.pk, 2)]
    (item,) = returned_jwt(response)[DL + "content_items"]
    assert item["custom"] == {"quiz": quiz.slug}


def test_a_count_past_a_sections_bank_is_refused(client, lms):
    """A 400 naming the section and its bank; no quiz is made."""
    heart = SectionFactory(title="Heart")
    QuestionFactory(section=heart)
    page_url = deep_linking_launch(client, lms)["Location"]
    response = client.post(
        page_url, {"action": "build", "title": "Too many", f"count-{heart.pk}": "5"}
    )
    assert response.status_code == 400
    assert "Heart: 1 to 1 questions." in response.content.decode()
    assert not Quiz.objects.filter(title="Too many").exists()


def test_a_build_without_sections_or_title_is_refused(client, lms):
    SectionFactory()
    page_url = deep_linking_launch(client, lms)["Location"]
    response = client.post(page_url, {"action": "build", "title": " "})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give the quiz a title." in body
    assert "Draw questions from at least one section." in body


def test_picking_a_personal_test_is_refused(client, lms):
    personal = QuizFactory(owner=UserFactory())
    page_url = deep_linking_launch(client, lms)["Location"]
    response = client.post(page_url, {"action": "pick", "quiz": personal.slug})
    assert response.status_code == 400
    assert "Pick one of the quizzes listed." in response.content.decode()


def test_a_learner_cannot_deep_link(client, lms):
    """Adding content needs an instructor role: refused, nothing created."""
    response = deep_linking_launch(client, lms, roles=[LEARNER])
    assert response.status_code == 403
    assert "Only instructors add quizzes." in response.content.decode()
    assert not Context.objects.exists()


def test_a_deep_link_page_of_another_session_is_not_found(client, lms):
    """The pending deep link lives in the instructor's session only."""
    page_url = deep_linking_launch(client, lms)["Location"]
    client.logout()
    client.force_login(UserFactory())
    assert client.get(page_url).status_code == 404


def test_a_deep_linking_launch_without_a_return_url_is_refused(client, lms):
    response = deep_linking_launch(client, lms, deep_link_return_url="javascript:x")
    assert response.status_code == 400
    assert "No return address." in response.content.decode()
    assert not Context.objects.exists()


def test_a_linked_quiz_opens_on_the_links_first_launch(client, lms):
    """Round trip: the custom parameter the response carried makes the link."""
    quiz = QuizFactory(slug="cardiac-arrest")
    page_url = deep_linking_launch(client, lms)["Location"]
    (item,) = returned_jwt(
        client.post(page_url, {"action": "pick", "quiz": quiz.slug})
    )[DL + "content_items"]
    client.logout()
    state, nonce = login(client)
    claims = lms.claims(
        nonce=nonce, sub="learner-9", **{LTI + "custom": item["custom"]}
    )
    response = launch(client, state=state, id_token=lms.sign(claims))
    assert response["Location"] == reverse("quiz_detail", args=[quiz.slug])


def test_without_a_tool_key_nothing_is_sent_and_no_quiz_is_kept(client, lms):
    """The response cannot be signed: a 400 saying which command to run, and the
    quiz built for it is rolled back."""
    heart = SectionFactory(title="Heart")
    QuestionFactory(section=heart)
    page_url = deep_linking_launch(client, lms)["Location"]
    ToolKey.objects.all().delete()
    response = client.post(
        page_url, {"action": "build", "title": "Unsigned", f"count-{heart.pk}": "1"}
    )
    assert response.status_code == 400
    assert "manage.py lti_rotate_keys" in response.content.decode()
    assert not Quiz.objects.filter(title="Unsigned").exists()
