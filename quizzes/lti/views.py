"""The LTI endpoints: the tool's JWKS, the OIDC login, the launch, and the course
page an instructor lands on."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pylti1p3.contrib.django import DjangoOIDCLogin
from pylti1p3.exception import LtiException, OIDCException

from quizzes.lti import roles
from quizzes.lti.deep_linking import (
    DeepLinkRefused,
    deep_link_check,
    deep_link_forget,
    deep_link_pending,
    deep_link_quiz_build,
    deep_link_quizzes,
    deep_link_remember,
    deep_link_response,
    deep_link_sections,
)
from quizzes.lti.keys import tool_jwks
from quizzes.lti.launch import LaunchRefused, launch_apply
from quizzes.lti.message import ToolMessageLaunch, launch_data_storage, state_cookies
from quizzes.lti.models import Context
from quizzes.lti.services.roster import RosterError, roster_sync
from quizzes.lti.tool_conf import DbToolConf
from quizzes.models import Trainee
from quizzes.progress import trainees_with_progress

logger = logging.getLogger(__name__)

BACKEND = "django.contrib.auth.backends.ModelBackend"

# Platforms fetch this on each message they verify, or cache it: a few minutes
# spares the database, and a rotated key is still published for days anyway.
JWKS_MAX_AGE = 300


@require_GET
@cache_control(public=True, max_age=JWKS_MAX_AGE)
def jwks(request):
    """The tool's public keys (current and recently retired), for platforms to
    verify our deep-linking responses and service token requests."""
    return JsonResponse(tool_jwks(now=timezone.now()))


def _refused(request, *, title: str, detail: str, status: int):
    return render(
        request, "lti/error.html", {"title": title, "detail": detail}, status=status
    )


# The platform posts (or links) here from its own site: no CSRF token can exist.
# What protects the flow is the state cookie set here and checked at the launch.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def oidc_login(request):
    """OIDC third-party login initiation: send the browser back to the platform's
    authorization endpoint with a state (also set as a cookie) and a nonce."""
    oidc = DjangoOIDCLogin(
        request,
        DbToolConf(),
        cookie_service=state_cookies(request),
        launch_data_storage=launch_data_storage(),
    )
    try:
        return oidc.redirect(request.build_absolute_uri(reverse("lti:launch")))
    except (OIDCException, LtiException) as error:
        logger.warning("LTI login refused: %s", error)
        return _refused(
            request,
            title="This LMS is not registered.",
            detail=f"The login could not start: {error}",
            status=400,
        )


# The id_token is posted by the browser from the platform's page: the signed,
# single-use token (and the state cookie) is the protection, not a CSRF token.
@csrf_exempt
@never_cache
@require_POST
def launch(request):
    """The launch: validate the id_token, then log the user in and land them:
    a learner on the linked quiz, an instructor on the course page."""
    tool_conf = DbToolConf()
    message = ToolMessageLaunch(
        request,
        tool_conf,
        cookie_service=state_cookies(request, post_only=True),
        launch_data_storage=launch_data_storage(),
    )
    try:
        claims = message.get_launch_data()
        platform = tool_conf.platform(message.get_iss(), message.get_client_id())
        deep_linking = message.is_deep_link_launch()
        if deep_linking:
            deep_link_check(claims)
        elif not message.is_resource_launch():
            raise LaunchRefused(
                "This kind of launch is not supported.",
                "The tool opens quizzes (resource links) and adds them to a course "
                "(deep linking); nothing else.",
                status=400,
            )
        outcome = launch_apply(
            platform=platform,
            claims=claims,
            now=timezone.now(),
            deep_linking=deep_linking,
        )
    except LaunchRefused as refusal:
        logger.info("LTI launch refused: %s", refusal)
        return _refused(
            request, title=refusal.title, detail=refusal.detail, status=refusal.status
        )
    except LtiException as error:
        logger.warning("LTI launch refused: %s", error)
        return _refused(
            request,
            title="This launch could not be verified.",
            detail=str(error),
            status=403,
        )
    login(request, outcome.user, backend=BACKEND)
    if deep_linking:
        # Kept after the log-in, which may start a new session.
        key = deep_link_remember(
            session=request.session,
            platform=platform,
            claims=claims,
            context_pk=outcome.context.pk,
        )
        response = redirect("lti:deep_link", key=key)
    elif outcome.role == roles.INSTRUCTOR:
        response = redirect("lti:course", context_id=outcome.context.pk)
    else:
        response = redirect("quiz_detail", slug=outcome.resource_link.quiz.slug)
    # The state cookie has served: drop it (the nonce is consumed too).
    state = request.POST.get("state", "")
    response.delete_cookie(f"lti1p3-{state}", path="/")
    return response


def _instructed_context(request, context_id: int) -> Context:
    """The course if the user is its (active) instructor; a 404 otherwise."""
    context = (
        Context.objects.select_related("platform", "group")
        .filter(
            pk=context_id,
            memberships__user=request.user,
            memberships__role=roles.INSTRUCTOR,
            memberships__active=True,
        )
        .first()
    )
    if context is None:
        raise Http404("No such course.")
    return context


@login_required
@require_GET
def course(request, context_id: int):
    """An instructor's view of one LMS course: its linked quizzes and its cohort
    with their progress."""
    context = _instructed_context(request, context_id)
    links = context.resource_links.select_related("quiz").order_by("title", "pk")
    roster = trainees_with_progress(
        Trainee.objects.filter(groups=context.group)
    ).order_by("last_name", "first_name", "username")
    return render(
        request,
        "lti/course.html",
        {"context": context, "links": links, "roster": roster},
    )


def _roster_sync(*, context: Context, now) -> str:
    """Import the course's members into its cohort (NRPS, ``services.roster``) and
    return a one-line summary for the page."""
    return f"Roster synced: {roster_sync(context=context, now=now)}."


@login_required
@require_POST
def course_roster_sync(request, context_id: int):
    """The "Sync roster" button: fetch the course's members from the LMS."""
    context = _instructed_context(request, context_id)
    try:
        summary = _roster_sync(context=context, now=timezone.now())
    except RosterError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, summary)
    return redirect("lti:course", context_id=context.pk)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _counts(post, sections) -> tuple[dict[int, int], dict[str, str]]:
    counts, problems = {}, {}
    for section in sections:
        raw = post.get(f"count-{section.id}", "").strip()
        if not raw:
            continue
        try:
            counts[section.id] = int(raw)
        except ValueError:
            problems[f"count-{section.id}"] = f"{section.title}: a whole number."
    return counts, problems


def _chosen_quiz(post, sections):
    """The quiz the instructor picked, or the one they built; DeepLinkRefused
    naming the fields otherwise."""
    if post.get("action") == "build":
        counts, problems = _counts(post, sections)
        minutes_raw = post.get("minutes", "").strip()
        minutes = int(minutes_raw) if minutes_raw.isdigit() else None
        if minutes_raw and minutes is None:
            problems["minutes"] = "A time limit is a whole number of minutes."
        if problems:
            raise DeepLinkRefused(problems)
        return deep_link_quiz_build(
            title=post.get("title", ""), counts=counts, minutes=minutes
        )
    quiz = deep_link_quizzes().filter(slug=post.get("quiz", "")).first()
    if quiz is None:
        raise DeepLinkRefused({"quiz": "Pick one of the quizzes listed."})
    return quiz


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def deep_link(request, key: str):
    """The instructor's choice, inside the LMS: link a quiz, or build one from
    sections; then the signed response goes back to the LMS."""
    pending = deep_link_pending(session=request.session, key=key)
    if pending is None:
        raise Http404("No deep linking in progress: start again from the LMS.")
    sections = deep_link_sections()
    problems: dict[str, str] = {}
    if request.method == "POST":
        try:
            # One transaction: a quiz built for a response that cannot be signed
            # (no tool key) is not kept.
            with transaction.atomic():
                quiz = _chosen_quiz(request.POST, sections)
                jwt_value, return_url = deep_link_response(
                    pending=pending,
                    quiz=quiz,
                    launch_url=request.build_absolute_uri(reverse("lti:launch")),
                )
        except DeepLinkRefused as refusal:
            problems = refusal.problems
        else:
            deep_link_forget(session=request.session, key=key)
            response = render(
                request,
                "lti/deep_link_return.html",
                {"jwt": jwt_value, "return_url": return_url, "quiz": quiz},
            )
            # The page posts the response to the LMS: allow that form's target.
            response._csp_update = {"form-action": [_origin(return_url)]}
            return response
    return render(
        request,
        "lti/deep_link.html",
        {
            "key": key,
            "quizzes": deep_link_quizzes(),
            "section_rows": [
                (
                    section,
                    request.POST.get(f"count-{section.id}", ""),
                    problems.get(f"count-{section.id}"),
                )
                for section in sections
            ],
            "problems": problems,
            "post": request.POST,
            "settings": pending["settings"],
        },
        status=400 if problems else 200,
    )
