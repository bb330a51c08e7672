"""What a validated launch does here: the user, the course, the link.

``launch_apply`` runs once the id_token passed every check (``message``). It is
one transaction: a launch refused half-way (no role, no quiz) leaves nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from secrets import token_hex

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from quizzes.lti import roles
from quizzes.lti.models import (
    Context,
    Deployment,
    Identity,
    Membership,
    Platform,
    ResourceLink,
)
from quizzes.models import Quiz
from quizzes.selectors import assigned_quizzes

User = get_user_model()

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
CLAIM_ROLES = CLAIM + "roles"
CLAIM_CONTEXT = CLAIM + "context"
CLAIM_RESOURCE_LINK = CLAIM + "resource_link"
CLAIM_CUSTOM = CLAIM + "custom"
CLAIM_DEPLOYMENT = CLAIM + "deployment_id"
CLAIM_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
CLAIM_AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"

URL_MAX = 500  # The URL fields' max_length.


class LaunchRefused(Exception):
    """A valid token we still cannot act on: the page says why (``status``)."""

    def __init__(self, title: str, detail: str, status: int = 403):
        super().__init__(f"{title} {detail}")
        self.title, self.detail, self.status = title, detail, status


@dataclass(frozen=True)
class LaunchOutcome:
    user: User
    context: Context
    role: str
    resource_link: ResourceLink | None


def launch_apply(
    *, platform: Platform, claims: dict, now: datetime, deep_linking: bool = False
) -> LaunchOutcome:
    """Find or create the user by (issuer, sub), upsert the course, the user's
    membership of it and (unless ``deep_linking``) the resource link.

    Learners join the course's cohort group; Instructor and ContentDeveloper make
    an instructor of this course only (a Membership row: never staff). A new link
    takes its quiz from the custom parameter ``quiz`` (a quiz slug). Raises
    LaunchRefused, and rolls everything back, when the launch has no course, no
    learner or instructor role, a deployment we do not know, or (for a learner)
    a link that names no quiz.
    """
    role = roles.our_role(claims.get(CLAIM_ROLES))
    if role is None:
        raise LaunchRefused(
            "No role for this course.",
            "The LMS sent no Learner, Instructor or ContentDeveloper role in this "
            "course: ask the course's teacher to enrol you.",
        )
    if deep_linking and role != roles.INSTRUCTOR:
        raise LaunchRefused(
            "Only instructors add quizzes.",
            "Adding a quiz to the course needs an Instructor or ContentDeveloper "
            "role in it.",
        )
    course = _dict_claim(claims, CLAIM_CONTEXT)
    if not isinstance(course.get("id"), str) or not course["id"]:
        raise LaunchRefused(
            "No course.",
            "The launch names no course (context): open it from a course page.",
            status=400,
        )
    with transaction.atomic():
        deployment = Deployment.objects.filter(
            platform=platform, deployment_id=claims.get(CLAIM_DEPLOYMENT)
        ).first()
        if deployment is None:  # Checked by the launch already; deleted since?
            raise LaunchRefused("Unknown deployment.", "Register it first.")
        user = _user_for(issuer=platform.issuer, claims=claims)
        context = _context_upsert(
            platform=platform, deployment=deployment, course=course, claims=claims
        )
        _membership_set(context=context, user=user, role=role)
        link = None
        if not deep_linking:
            link = _resource_link_upsert(context=context, claims=claims)
            if link is None and role == roles.LEARNER:
                raise LaunchRefused(
                    "This link opens no quiz.",
                    "Its custom parameter quiz names no quiz of ours (e.g. "
                    "quiz=cardiac-arrest): ask the course's teacher to add the "
                    "quiz again with the tool's deep linking.",
                    status=404,
                )
    return LaunchOutcome(user=user, context=context, role=role, resource_link=link)


def _dict_claim(claims: dict, name: str) -> dict:
    value = claims.get(name)
    return value if isinstance(value, dict) else {}


def _text(value: object, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def _url(value: object) -> str:
    """A service URL as sent, or blank when it is not one we can store."""
    if not isinstance(value, str) or len(value) > URL_MAX:
        return ""
    return value if value.startswith(("https://", "http://")) else ""


def lti_username(*, issuer: str, subject: str) -> str:
    """A username no local account has, and the same for each launch: "lti-" and
    a digest of (issuer, sub). The LMS's own login name is no use: two LMSs may
    have a "jsmith", and a local "jsmith" must never be reached by a launch."""
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()
    return f"lti-{digest[:24]}"


def _free_username(*, issuer: str, subject: str) -> str:
    """``lti_username``, or, if an account has it already (its identity was
    deleted in the admin), that name with a random suffix: never someone else's
    account."""
    username = lti_username(issuer=issuer, subject=subject)
    while User.objects.filter(username=username).exists():
        username = f"{lti_username(issuer=issuer, subject=subject)}-{token_hex(3)}"
    return username


def _user_for(*, issuer: str, claims: dict):
    subject = claims["sub"]
    identity = (
        Identity.objects.select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if identity is None:
        try:
            with transaction.atomic():  # A savepoint: a concurrent first launch.
                user = User(username=_free_username(issuer=issuer, subject=subject))
                user.set_unusable_password()
                user.save()
                identity = Identity.objects.create(
                    issuer=issuer, subject=subject, user=user
                )
        except IntegrityError:
            identity = Identity.objects.select_related("user").get(
                issuer=issuer, subject=subject
            )
    user = identity.user
    if not user.is_active:
        raise LaunchRefused(
            "Account disabled.", "Your account here is disabled: ask an instructor."
        )
    if user.is_staff or user.is_superuser:
        # An identity bound by hand (in the admin) to a staff account: an LMS
        # launch must never open the admin's rights.
        raise LaunchRefused(
            "Staff accounts do not launch from an LMS.",
            "This LMS account is bound to a staff account here: log in directly.",
        )
    _names_update(user, claims)
    return user


def _names_update(user, claims: dict) -> None:
    """Names and email from the LMS, which owns them; blank claims change nothing."""
    email = _text(claims.get("email"), 254)
    try:
        validate_email(email)
    except ValidationError:
        email = ""
    values = {
        "first_name": _text(claims.get("given_name"), 150),
        "last_name": _text(claims.get("family_name"), 150),
        "email": email,
    }
    _refresh(user, values)


def _context_upsert(
    *, platform: Platform, deployment: Deployment, course: dict, claims: dict
) -> Context:
    context_id = course["id"][:255]
    title = _text(course.get("title"), 255)
    label = _text(course.get("label"), 255)
    memberships_url = _url(
        _dict_claim(claims, CLAIM_NRPS).get("context_memberships_url")
    )
    lineitems_url = _url(_dict_claim(claims, CLAIM_AGS).get("lineitems"))
    context = (
        Context.objects.select_for_update()
        .filter(platform=platform, context_id=context_id)
        .first()
    )
    if context is None:
        digest = hashlib.sha256(f"{platform.pk}\n{context_id}".encode()).hexdigest()
        # The cohort group, named so that instructors recognise it in the
        # overrides; the digest keeps two courses of one title apart.
        group = Group.objects.create(
            name=f"{(title or label or context_id)[:100]} · LMS {digest[:10]}"
        )
        return Context.objects.create(
            platform=platform,
            deployment=deployment,
            context_id=context_id,
            title=title,
            label=label,
            group=group,
            memberships_url=memberships_url,
            lineitems_url=lineitems_url,
        )
    values = {
        "title": title,
        "label": label,
        "memberships_url": memberships_url,
        "lineitems_url": lineitems_url,
    }
    _refresh(context, values)
    return context


def _membership_set(*, context: Context, user, role: str) -> None:
    Membership.objects.update_or_create(
        context=context, user=user, defaults={"role": role, "active": True}
    )
    if role == roles.LEARNER:
        user.groups.add(context.group)
    else:
        # An instructor of the course is not one of its cohort.
        user.groups.remove(context.group)


def _resource_link_upsert(*, context: Context, claims: dict) -> ResourceLink | None:
    """The launch's link; a new one is created only if it names one of the
    instructors' quizzes (personal tests are never linked)."""
    claim = _dict_claim(claims, CLAIM_RESOURCE_LINK)
    link_id = _text(claim.get("id"), 255)
    title = _text(claim.get("title"), 255)
    lineitem_url = _url(_dict_claim(claims, CLAIM_AGS).get("lineitem"))
    link = (
        ResourceLink.objects.select_related("quiz")
        .filter(context=context, resource_link_id=link_id)
        .first()
    )
    if link is None:
        quiz = _linked_quiz(_dict_claim(claims, CLAIM_CUSTOM).get("quiz"))
        if quiz is None:
            return None
        return ResourceLink.objects.create(
            context=context,
            resource_link_id=link_id,
            quiz=quiz,
            title=title or quiz.title,
            lineitem_url=lineitem_url,
        )
    values = {"title": title, "lineitem_url": lineitem_url}
    _refresh(link, values)
    return link


def _linked_quiz(slug: object) -> Quiz | None:
    if not isinstance(slug, str) or not slug:
        return None
    return assigned_quizzes().filter(slug=slug).first()


def _refresh(row, values: dict) -> None:
    """Store what the LMS now says of ``row``: each non-empty value that differs
    (an LMS that leaves a claim out does not blank what an earlier launch gave)."""
    changed = [f for f, v in values.items() if v and getattr(row, f) != v]
    for field in changed:
        setattr(row, field, values[field])
    if changed:
        row.save(update_fields=changed)
