"""The "Sync roster" action on LMS courses (``ContextAdmin``)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone

from quizzes.lti.services.roster import RosterError, roster_sync


@admin.action(description="Sync the roster from the LMS", permissions=["change"])
def sync_roster(modeladmin, request, queryset):
    """Read each selected course's roster from its LMS (NRPS) now (a change to
    memberships: superusers, not the instructors who may only view courses)."""
    now = timezone.now()
    for context in queryset.select_related("platform", "group"):
        try:
            report = roster_sync(context=context, now=now)
        except RosterError as error:
            modeladmin.message_user(request, str(error), messages.ERROR)
        else:
            modeladmin.message_user(request, f"{context}: {report}", messages.SUCCESS)
