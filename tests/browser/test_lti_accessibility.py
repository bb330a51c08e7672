"""Accessibility of the LTI pages an LMS opens in its iframe: the instructor's
course page, the deep-linking picker and the refusal page (axe-core, desktop and
phone, and nothing scrolling sideways on a phone)."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings
from django.utils import timezone

from quizzes.lti.deep_linking import SESSION_KEY
from quizzes.lti.keys import tool_keys_rotate
from quizzes.lti.models import Membership
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_accessibility import blocking_violations
from tests.factories import QuestionFactory, QuizFactory, SectionFactory, UserFactory
from tests.lti.factories import MembershipFactory, ResourceLinkFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.backend_independent]

FITS = "() => ({scrollWidth: document.documentElement.scrollWidth, "
FITS += "clientWidth: document.documentElement.clientWidth})"


def course_page(login, trainee) -> str:
    teaching = MembershipFactory(user=trainee, role=Membership.Role.INSTRUCTOR)
    context = teaching.context
    for name in ("Ben", "Chloé"):
        learner = UserFactory(first_name=name, last_name="Learner")
        MembershipFactory(context=context, user=learner)
        learner.groups.add(context.group)
    ResourceLinkFactory(context=context, quiz=QuizFactory(title="Cardiac arrest"))
    login(trainee)
    return f"/lti/courses/{context.pk}/"


def deep_link_page(login, trainee, page) -> str:
    tool_keys_rotate(now=timezone.now())
    teaching = MembershipFactory(user=trainee, role=Membership.Role.INSTRUCTOR)
    QuizFactory(title="Cardiac arrest")
    QuestionFactory(section=SectionFactory(title="Heart"))
    login(trainee)
    # What the deep-linking launch keeps in the session (deep_link_remember).
    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    store = import_module(settings.SESSION_ENGINE).SessionStore
    session = store(session_key=cookie["value"])
    session[SESSION_KEY] = {
        "k" * 32: {
            "platform": teaching.context.platform.pk,
            "context": teaching.context.pk,
            "deployment_id": teaching.context.deployment.deployment_id,
            "settings": {
                "deep_link_return_url": "https://lms.example.edu/return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe"],
            },
        }
    }
    session.save()
    return f"/lti/deep-link/{'k' * 32}/"


def open_lti_page(page, login, trainee, name: str) -> None:
    if name == "course":
        path = course_page(login, trainee)
    elif name == "deep link":
        path = deep_link_page(login, trainee, page)
    else:
        path = "/lti/login/?iss=https://unknown.example.edu&login_hint=x"
    page.goto(path)


@pytest.mark.parametrize("name", ["course", "deep link", "refusal"])
def test_lti_page_has_no_serious_axe_violation_and_fits_a_phone(
    page, login, trainee, screenshot, name
):
    open_lti_page(page, login, trainee, name)
    screenshot(f"lti-{name.replace(' ', '-')}")
    found = {}
    for width, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        found[width] = blocking_violations(page, f"lti {name}", width)
    assert found == {"desktop": [], "phone": []}
    measured = page.evaluate(FITS)
    assert measured["scrollWidth"] <= measured["clientWidth"], measured
