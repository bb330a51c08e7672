"""Deep linking: an instructor, in the LMS, picks one of our quizzes (or builds
one from sections) and the LMS receives a resource link that opens it.

The launch (``LtiDeepLinkingRequest``) is validated like any other; what the
response needs (the return URL, the platform's opaque ``data``, the deployment)
is kept in the instructor's session, under a random key, until they choose.
The response is an ``LtiDeepLinkingResponse`` JWT signed with the tool's current
key (pylti1p3's ``DeepLink``), posted by the browser to the return URL.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils.text import slugify
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from quizzes.choices import QuestionStatus, QuizMode
from quizzes.lti.keys import tool_key_current
from quizzes.lti.launch import CLAIM_DEPLOYMENT, LaunchRefused
from quizzes.lti.models import Platform
from quizzes.lti.tool_conf import registration_for
from quizzes.models import Question, Quiz, QuizDraw
from quizzes.progress import top_sections

SCORE_MAXIMUM = 100  # Grades are posted as percents (helper C's grade passback).
SESSION_KEY = "lti_deep_links"
PENDING_MAX = 5  # Pending deep links kept per session (oldest dropped).
COUNT_MAX = 200
MINUTES_MAX = 600


class DeepLinkRefused(Exception):
    """The instructor's choice is refused; ``problems`` maps form fields to why."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


@dataclass(frozen=True)
class SectionChoice:
    """A top-level section a new quiz may draw from, with its published bank."""

    id: int
    title: str
    document_title: str
    published: int


# The pending deep link, in the session


CLAIM_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


def deep_link_check(claims: dict) -> None:
    """Refuse (LaunchRefused) a deep-linking launch whose return URL is no
    http(s) URL: checked before anything is stored or anyone logged in."""
    return_url = claims[CLAIM_SETTINGS].get("deep_link_return_url")
    if not isinstance(return_url, str) or not return_url.startswith(
        ("https://", "http://")
    ):
        raise LaunchRefused(
            "No return address.",
            "The LMS gave no deep-linking return URL: the quiz cannot be sent back.",
            status=400,
        )


def deep_link_remember(*, session, platform: Platform, claims: dict, context_pk: int):
    """Keep what the response will need (``deep_link_check`` passed); returns the
    key for the page's URL."""
    settings = claims[CLAIM_SETTINGS]
    key = uuid.uuid4().hex
    pending = dict(session.get(SESSION_KEY, {}))
    while len(pending) >= PENDING_MAX:
        pending.pop(next(iter(pending)))
    pending[key] = {
        "platform": platform.pk,
        "context": context_pk,
        "deployment_id": claims[CLAIM_DEPLOYMENT],
        "settings": settings,
    }
    session[SESSION_KEY] = pending
    return key


def deep_link_pending(*, session, key: str) -> dict | None:
    return session.get(SESSION_KEY, {}).get(key)


def deep_link_forget(*, session, key: str) -> None:
    pending = dict(session.get(SESSION_KEY, {}))
    pending.pop(key, None)
    session[SESSION_KEY] = pending


# What may be linked


def deep_link_sections() -> list[SectionChoice]:
    """The top-level sections with published questions (subsections included),
    as a quiz's draws count them. Two queries."""
    tops = top_sections()
    published = dict(
        Question.objects.filter(status=QuestionStatus.PUBLISHED)
        .values_list("section_id")
        .annotate(n=Count("pk"))
    )
    choices = [
        SectionChoice(
            id=top.id,
            title=top.title,
            document_title=top.document_title,
            published=sum(published.get(pk, 0) for pk in top.member_ids),
        )
        for top in tops
    ]
    return [choice for choice in choices if choice.published]


def deep_link_quiz_build(
    *, title: str, counts: dict[int, int], minutes: int | None
) -> Quiz:
    """A new instructors' quiz drawing ``counts[section id]`` questions from each
    section (at most its published bank), timed if ``minutes`` is given.

    Raises DeepLinkRefused naming the field: no title, no section, a count past
    a section's bank or a section that is not offered.
    """
    title = title.strip()
    problems = {}
    if not title:
        problems["title"] = "Give the quiz a title."
    if minutes is not None and not 1 <= minutes <= MINUTES_MAX:
        problems["minutes"] = f"A time limit is 1 to {MINUTES_MAX} minutes."
    offered = {choice.id: choice for choice in deep_link_sections()}
    wanted = {pk: n for pk, n in counts.items() if n}
    for pk, n in wanted.items():
        choice = offered.get(pk)
        if choice is None:
            problems[f"count-{pk}"] = "This section has no published questions."
        elif not 1 <= n <= choice.published:
            problems[f"count-{pk}"] = (
                f"{choice.title}: 1 to {choice.published} questions."
            )
    if not wanted:
        problems["sections"] = "Draw questions from at least one section."
    if problems:
        raise DeepLinkRefused(problems)
    with transaction.atomic():
        quiz = Quiz.objects.create(
            title=title[:255],
            slug=f"{slugify(title)[:60] or 'quiz'}-{uuid.uuid4().hex[:8]}",
            description="Built from the LMS (deep linking).",
            mode=QuizMode.EXAM,
            time_limit=timedelta(minutes=minutes) if minutes else None,
        )
        QuizDraw.objects.bulk_create(
            QuizDraw(quiz=quiz, section_id=pk, count=n) for pk, n in wanted.items()
        )
    return quiz


def deep_link_quizzes():
    """The quizzes an instructor may link: the instructors' quizzes, never a
    trainee's personal test."""
    return Quiz.objects.filter(Q(owner__isnull=True)).order_by("title", "pk")


# The response


def deep_link_response(
    *, pending: dict, quiz: Quiz, launch_url: str
) -> tuple[str, str]:
    """The signed LtiDeepLinkingResponse for ``quiz``, and the URL to post it to.

    The link carries the custom parameter ``quiz`` (the slug), which a first
    launch of the link reads, and a line item out of 100 for its grades.
    """
    platform = Platform.objects.get(pk=pending["platform"])
    registration = registration_for(platform, tool_key_current())
    if registration.get_tool_private_key() is None:
        raise DeepLinkRefused(
            {"key": "The tool has no signing key: run manage.py lti_rotate_keys."}
        )
    resource = (
        DeepLinkResource()
        .set_url(launch_url)
        .set_title(quiz.title)
        .set_custom_params({"quiz": quiz.slug})
        .set_lineitem(
            LineItem()
            .set_score_maximum(SCORE_MAXIMUM)
            .set_label(quiz.title)
            .set_resource_id(quiz.slug)
        )
    )
    deep_link = DeepLink(registration, pending["deployment_id"], pending["settings"])
    return (
        deep_link.get_response_jwt([resource]),
        pending["settings"]["deep_link_return_url"],
    )
