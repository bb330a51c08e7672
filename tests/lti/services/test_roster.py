"""Roster sync: the LMS course's members (the loopback LMS's NRPS) become our
users, memberships and cohort, before anyone launches."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from quizzes.lti.models import Identity, Membership
from quizzes.lti.services.roster import RosterError, roster_sync
from tests.factories import UserFactory
from tests.lti.conftest import course_register, platform_register
from tests.lti.factories import IdentityFactory
from tests.lti.loopback.harness import INSTRUCTOR, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(loopback_lms, tool_jwks_url):
    def configure(members):
        return loopback_lms.configure(
            tool_url="http://127.0.0.1:9", jwks_url=tool_jwks_url, members=members
        )

    urls = configure(
        [
            member("u-ann", given_name="Ann", family_name="Lee"),
            member("u-ben", given_name="Ben", family_name="Ode"),
            member("u-tess", given_name="Tess", roles=[INSTRUCTOR]),
        ]
    )
    context = course_register(urls, deployment=platform_register(urls))
    context.configure = configure
    context.issuer = urls["issuer"]
    return context


def _cohort(context):
    return sorted(context.group.user_set.values_list("first_name", flat=True))


def test_a_sync_imports_the_members_with_their_roles(course):
    """Learners join the cohort group; the instructor is an instructor of this
    course only, not staff, and not in the cohort."""
    report = roster_sync(context=course, now=timezone.now())
    assert (report.learners, report.instructors, report.users_created) == (2, 1, 3)
    assert _cohort(course) == ["Ann", "Ben"]
    tess = Identity.objects.get(issuer=course.issuer, subject="u-tess").user
    assert Membership.objects.get(user=tess).role == "instructor"
    assert not tess.is_staff and not tess.has_usable_password()
    ann = Identity.objects.get(subject="u-ann").user
    assert (ann.get_full_name(), ann.email) == ("Ann Lee", "u-ann@lms.example.edu")
    course.refresh_from_db()
    assert course.roster_synced_at is not None


def test_a_member_who_launched_before_keeps_their_account(course):
    """Found by (issuer, LMS user id): no second account, the name refreshed."""
    ann = UserFactory(username="ann", first_name="A.")
    IdentityFactory(issuer=course.issuer, subject="u-ann", user=ann)
    report = roster_sync(context=course, now=timezone.now())
    assert report.users_created == 2
    ann.refresh_from_db()
    assert ann.first_name == "Ann"
    assert ann in course.group.user_set.all()


def test_a_member_no_longer_listed_is_deactivated_not_deleted(course):
    """Ben leaves the course (and Ann is listed inactive): their memberships are
    inactive and they leave the cohort; their accounts stay. A second sync that
    lists them again brings them back."""
    roster_sync(context=course, now=timezone.now())
    course.configure(
        [
            member("u-ann", given_name="Ann", status="Inactive"),
            member("u-tess", given_name="Tess", roles=[INSTRUCTOR]),
        ]
    )
    report = roster_sync(context=course, now=timezone.now())
    assert report.deactivated == 2
    assert _cohort(course) == []
    inactive = Membership.objects.filter(context=course, active=False)
    assert sorted(m.user.first_name for m in inactive) == ["Ann", "Ben"]
    assert Identity.objects.filter(subject="u-ben").exists()

    course.configure([member("u-ben", given_name="Ben")])
    roster_sync(context=course, now=timezone.now())
    assert _cohort(course) == ["Ben"]


def test_an_lms_error_is_a_clear_roster_error_and_changes_nothing(loopback_lms, course):
    """The LMS answers 500: the instructor is told, nothing is imported."""
    loopback_lms.fail("memberships", 1)
    with pytest.raises(RosterError, match="did not send the roster"):
        roster_sync(context=course, now=timezone.now())
    assert not Membership.objects.exists()


def test_lti_sync_roster_takes_the_lms_context_id(course, capsys):
    call_command("lti_sync_roster", "--context", "course-101")
    assert "2 learner(s), 1 instructor(s)" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No LMS course"):
        call_command("lti_sync_roster", "--context", "nope")


def test_the_synced_cohort_shows_on_the_progress_page_before_anyone_launches(
    course, admin_client
):
    """The course's group lists every learner on the cohort page, though nobody
    has launched or sat anything yet."""
    roster_sync(context=course, now=timezone.now())
    url = reverse("admin:quizzes_trainee_cohort")
    page = admin_client.get(url, {"group": course.group_id}).content.decode()
    table = page.split('<table class="heatmap"')[1].split("</table>")[0]
    assert "Ann Lee" in table and "Ben Ode" in table
    assert "Tess" not in table
