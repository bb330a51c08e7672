"""Every URL of the project, requested as anonymous, as trainee A on trainee B's
objects, and as an instructor: the expected 302/401/403/404, never a 500.

The URL list comes from the resolver itself, so a new URL is checked the day it is
added; a pattern this test cannot fill in fails the test rather than being skipped.
"""

import re
from dataclasses import dataclass

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver

from quizzes.lti.keys import tool_keys_rotate
from quizzes.models import Attempt, AttemptRegrade
from quizzes.services.attempts import answer_save, attempt_start
from quizzes.services.attempts_admin import attempt_deadline_extend
from tests.admin.factories import InstructorFactory, ProblemReportFactory
from tests.factories import (
    AccommodationFactory,
    QuestionFactory,
    QuizFactory,
    QuizOverrideFactory,
    UserFactory,
)
from tests.lti.factories import (
    GradePostFactory,
    IdentityFactory,
    ResourceLinkFactory,
)

PUBLIC = {
    "healthz",
    "accounts/login/",
    "admin/login/",
    "api/openapi.json",
    # The attempt pages' service worker: the same script for everyone, no data.
    "attempts/sw.js",
}
# LTI: the tool's public keys are public; the OIDC login initiation answers a
# request naming no registered platform with its 400 page (quizzes/lti/views.py).
PUBLIC |= {"lti/jwks/"}
LTI_LOGIN = {"lti/login/": 400}
# Redirects to a static file, for everyone: browsers fetch it before any log-in.
STATIC_REDIRECTS = {"favicon.ico": "/static/quizzes/favicon.svg"}
ADMIN_ONLY_SUPERUSER = (
    "admin/auth/",
    # The LMS registrations, the tool's keys, who is who in each LMS.
    "admin/lti/platform/",
    "admin/lti/toolkey/",
    "admin/lti/identity/",
)
# Log-out answers a GET with a redirect (it takes a POST); nothing to protect.
LOGOUT = {"admin/logout/", "accounts/logout/"}


@dataclass
class World:
    trainee_a: object
    trainee_b: object
    instructor: object
    attempt_b: Attempt
    question_b: int
    slug: str


def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            assert isinstance(pattern, URLPattern)
            yield prefix + str(pattern.pattern)


def concrete(route: str, world: World) -> str:
    """Fill the route's parameters with trainee B's objects (or any of the model's)."""
    if route.startswith("admin/^(?P<app_label>"):
        return "/admin/quizzes/"
    if route == "admin/(?P<url>.*)$":
        return "/admin/no-such-page/"
    if route == "admin/r/<path:content_type_id>/<path:object_id>/":
        # The admin's "view on site" redirect: any object will do.
        content_type = ContentType.objects.get_for_model(world.attempt_b)
        return f"/admin/r/{content_type.pk}/{world.attempt_b.pk}/"
    url = route
    model_match = re.match(r"admin/(\w+)/(\w+)/", route)
    if "<path:object_id>" in url or "<int:object_id>" in url:
        app_label, model_name = model_match.groups()
        model = apps.get_model(app_label, model_name)
        obj = (
            world.trainee_b
            if model_name in {"user", "trainee"}
            else (model._default_manager.order_by("pk").first())
        )
        assert obj is not None, f"no {model_name} to request {route}"
        url = re.sub(r"<(path|int):object_id>", str(obj.pk), url)
    url = url.replace("<id>", str(world.trainee_b.pk))  # the user admin's password page
    url = url.replace("<int:trainee_id>", str(world.trainee_b.pk))
    url = url.replace("<str:kind>", "sections")
    url = url.replace("<int:context_id>", "1")  # an LMS course: nobody's here
    url = url.replace("<str:key>", "0" * 32)  # a deep linking nobody started
    url = re.sub(r"<(slug:)?slug>", world.slug, url)
    url = re.sub(r"<(int:)?attempt_id>", str(world.attempt_b.pk), url)
    url = re.sub(r"<(int:)?question_id>", str(world.question_b), url)
    assert "<" not in url and "(?" not in url, f"cannot fill in {route}"
    return "/" + url


@pytest.fixture
def world(db):
    trainee_a, trainee_b = UserFactory(), UserFactory()
    question = QuestionFactory()
    quiz = QuizFactory(slug="shared-quiz", with_questions=[question])
    attempt_b = attempt_start(trainee=trainee_b, quiz=quiz, now=quiz.created_at).attempt
    answer_save(
        attempt=attempt_b,
        question_id=question.pk,
        choice_ids=[],
        flagged=True,
        now=quiz.created_at,
    )
    # Made directly: the service would refuse it on an exam in progress.
    ProblemReportFactory(answer=attempt_b.answers.get(), created_at=quiz.created_at)
    AccommodationFactory(trainee=trainee_b, quiz=quiz)
    QuizOverrideFactory(trainee=trainee_b, quiz=quiz, attempts_allowed=3)
    instructor = InstructorFactory()
    attempt_deadline_extend(
        attempt=attempt_b,
        by=instructor,
        minutes=5,
        reason="power cut",
        now=quiz.created_at,
    )
    # The regrade log's pages need a row (its object URLs are filled with one).
    AttemptRegrade.objects.create(
        attempt=attempt_b,
        quiz=quiz,
        question=question,
        regraded_at=quiz.created_at,
        regraded_by=instructor,
        reason="Key corrected",
        old_score=0,
        new_score=1,
        max_score=1,
    )
    Group.objects.get_or_create(name="Spare group")
    # The LMS admin's object URLs are filled with these rows.
    tool_keys_rotate(now=quiz.created_at)
    link = ResourceLinkFactory(quiz=quiz)
    IdentityFactory(user=trainee_b)
    GradePostFactory(resource_link=link, user=trainee_b)
    who = {"username": "someone", "ip_address": "10.0.0.9", "user_agent": "x"}
    AccessAttempt.objects.create(**who, failures_since_start=1)
    AccessLog.objects.create(**who)
    AccessFailureLog.objects.create(**who, locked_out=False)
    return World(trainee_a, trainee_b, instructor, attempt_b, question.pk, quiz.slug)


@pytest.fixture
def urls(world):
    routes = sorted(set(walk(get_resolver().url_patterns)))
    assert len(routes) > 100
    return [(route, concrete(route, world)) for route in routes]


def fetch(client, url, follow=False):
    response = client.get(url, follow=follow)
    assert response.status_code < 500, f"{url} → {response.status_code}"
    return response


def test_anonymous_is_sent_to_log_in_everywhere_but_the_public_pages(client, urls):
    for route, url in urls:
        response = fetch(client, url)
        if route in PUBLIC:
            assert response.status_code == 200, url
        elif route in STATIC_REDIRECTS:
            assert response.status_code == 302, url
            assert response["Location"] == STATIC_REDIRECTS[route], url
        elif route in LTI_LOGIN:
            assert response.status_code == LTI_LOGIN[route], url
        elif route in LOGOUT:
            assert response.status_code in (302, 405), url
        elif route.startswith("api/"):
            assert response.status_code in (401, 404, 405), url
        elif route.startswith("admin/"):
            assert response.status_code in (302, 404), url
            if response.status_code == 302:
                assert response["Location"].startswith("/admin/login/"), url
        else:
            assert response.status_code in (302, 405), url
            if response.status_code == 302:
                assert response["Location"].startswith("/accounts/login/"), url


def test_trainee_a_sees_nothing_of_trainee_b_and_no_admin(client, urls, world):
    client.force_login(world.trainee_a)
    b_id = str(world.attempt_b.pk)
    for route, url in urls:
        response = fetch(client, url)
        body = response.content.decode(errors="replace")
        if "attempt_id" in route:
            assert response.status_code in (404, 405), url
        elif route.startswith("admin/") and route not in PUBLIC | LOGOUT:
            assert response.status_code in (302, 404), url
            if response.status_code == 302:
                assert response["Location"].startswith("/admin/login/"), url
        if response.status_code == 200 and route != "api/openapi.json":
            assert f"/attempts/{b_id}/" not in body, url


def test_an_instructor_reaches_the_admin_but_not_users_groups_or_permissions(
    client, urls, world
):
    client.force_login(world.instructor)
    for route, url in urls:
        # Followed: the admin's bare object URL redirects to its change page.
        response = fetch(client, url, follow=True)
        attempt_write = route.startswith("admin/quizzes/attempt/") and route.endswith(
            ("add/", "delete/")
        )
        if route.startswith(ADMIN_ONLY_SUPERUSER) or attempt_write:
            assert response.status_code == 403, url
        elif "attempt_id" in route:
            # The instructor's own trainee pages: trainee B's attempt is not theirs.
            assert response.status_code in (404, 405), url


def test_every_url_was_filled_in(urls):
    """A pattern added without a way to request it would silently go unchecked."""
    assert all(url.startswith("/") for _, url in urls)
    print(f"URLs checked: {len(urls)} (x 3 roles)")
