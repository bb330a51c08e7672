"""Roster sync (LTI Names and Role Provisioning Services): a course's members, before
anyone launches.

``roster_sync`` reads the course's membership container from the LMS (pylti1p3's
``NamesRolesProvisioningService``, every page), then in one transaction:

- finds each member's user by (issuer, LMS user id) through ``Identity``, or
  creates one (no usable password: they sign in through the LMS), and refreshes
  their name and email from the roster;
- upserts their ``Membership`` with the role mapped from the LTI roles as a launch
  maps them (``roles.our_role``: Learner → learner; Instructor, ContentDeveloper →
  instructor, of this course only; other roles are left out);
- puts the learners in the course's cohort group, which the progress pages list,
  and takes out those who are no longer learners;
- deactivates the memberships of people no longer listed, or listed as inactive or
  deleted, and takes them out of the cohort. Their accounts and attempts stay.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from secrets import token_hex

import requests
from django.contrib.auth import get_user_model
from django.db import transaction
from pylti1p3.exception import LtiException
from pylti1p3.names_roles import NamesRolesProvisioningService

from quizzes.lti.launch import lti_username
from quizzes.lti.models import Context, Identity, Membership
from quizzes.lti.roles import our_role
from quizzes.lti.services.connector import NoToolKey, service_connector

logger = logging.getLogger(__name__)


class RosterError(Exception):
    """The roster cannot be read; ``str()`` says why, for the instructor."""


@dataclass(frozen=True)
class RosterReport:
    learners: int
    instructors: int
    users_created: int
    deactivated: int

    def __str__(self) -> str:
        return (
            f"{self.learners} learner(s), {self.instructors} instructor(s) "
            f"({self.users_created} new account(s)); {self.deactivated} "
            "membership(s) deactivated"
        )


def roster_sync(*, context: Context, now: datetime) -> RosterReport:
    """Bring the course's memberships and cohort in line with the LMS roster."""
    if not context.memberships_url:
        raise RosterError(
            f"{context}: the LMS gave no roster service URL (NRPS); launch once "
            "from a course where the tool may read the roster."
        )
    try:
        service = NamesRolesProvisioningService(
            service_connector(platform=context.platform),
            {"context_memberships_url": context.memberships_url},
        )
        members = service.get_members()
    except (LtiException, NoToolKey, requests.RequestException, ValueError) as error:
        logger.warning("roster of %s: not read (%s)", context, error)
        raise RosterError(
            f"{context}: the LMS did not send the roster: {error}"
        ) from error
    with transaction.atomic():
        report = _apply(context=context, members=members, now=now)
    logger.info("roster of %s synced: %s", context, report)
    return report


def _apply(*, context: Context, members, now: datetime) -> RosterReport:
    issuer = context.platform.issuer
    listed: dict[str, tuple[str, dict]] = {}
    for member in members:
        role = our_role(member.get("roles"))
        if (
            role
            and member.get("status", "Active") == "Active"
            and member.get("user_id")
        ):
            listed[str(member["user_id"])] = (role, member)
    identities = {
        i.subject: i
        for i in Identity.objects.filter(
            issuer=issuer, subject__in=listed
        ).select_related("user")
    }
    created = 0
    kept: set[int] = set()
    counts = {Membership.Role.LEARNER: 0, Membership.Role.INSTRUCTOR: 0}
    for subject, (role, member) in listed.items():
        identity = identities.get(subject)
        if identity is None:
            user = _user_create(issuer=issuer, subject=subject, member=member)
            Identity.objects.create(issuer=issuer, subject=subject, user=user)
            created += 1
        else:
            user = identity.user
            _user_refresh(user, member)
        Membership.objects.update_or_create(
            context=context, user=user, defaults={"role": role, "active": True}
        )
        if role == Membership.Role.LEARNER:
            context.group.user_set.add(user)
        else:
            context.group.user_set.remove(user)
        kept.add(user.pk)
        counts[role] += 1
    gone = Membership.objects.filter(context=context, active=True).exclude(
        user_id__in=kept
    )
    gone_ids = list(gone.values_list("user_id", flat=True))
    gone.update(active=False)
    context.group.user_set.remove(*gone_ids)
    context.roster_synced_at = now
    context.save(update_fields=["roster_synced_at"])
    return RosterReport(
        learners=counts[Membership.Role.LEARNER],
        instructors=counts[Membership.Role.INSTRUCTOR],
        users_created=created,
        deactivated=len(gone_ids),
    )


def _names(member: dict) -> dict:
    return {
        "first_name": (member.get("given_name") or "")[:150],
        "last_name": (member.get("family_name") or "")[:150],
        "email": (member.get("email") or "")[:254],
    }


def _user_create(*, issuer: str, subject: str, member: dict):
    """A trainee account for an LMS member, named as a launch names it
    (``launch.lti_username``), with no usable password: they sign in through the
    LMS."""
    User = get_user_model()
    username = lti_username(issuer=issuer, subject=subject)
    while User.objects.filter(username=username).exists():
        username = f"{lti_username(issuer=issuer, subject=subject)}-{token_hex(3)}"
    user = User(username=username, **_names(member))
    user.set_unusable_password()
    user.save()
    return user


def _user_refresh(user, member: dict) -> None:
    names = {k: v for k, v in _names(member).items() if v}
    changed = [k for k, v in names.items() if getattr(user, k) != v]
    for name in changed:
        setattr(user, name, names[name])
    if changed:
        user.save(update_fields=changed)
