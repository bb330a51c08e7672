"""Platforms and their deployments, the tool's keys, identities, courses and links.

Who sees what: registering platforms, rotating the tool's keys and reading
identities are the superusers' (nobody else holds a permission on this app).
Instructors (staff with ``quizzes.view_trainee``, i.e. the Instructors group) may
read the courses, their memberships and the links, as they read trainees'
progress; that is given here, in ``has_view_permission``, rather than by new group
permissions (which would need a data migration of the Instructors group).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from quizzes.lti.admin.roster import sync_roster
from quizzes.lti.keys import RETIRED_KEY_GRACE, tool_keys_rotate
from quizzes.lti.models import (
    Context,
    Deployment,
    Identity,
    Membership,
    Platform,
    ResourceLink,
    ToolKey,
)

INSTRUCTOR_PERMISSION = "quizzes.view_trainee"
# A URL typed without its scheme is an https one (Django 6's default).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def _instructor(request) -> bool:
    user = request.user
    return user.is_active and user.is_staff and user.has_perm(INSTRUCTOR_PERMISSION)


class InstructorsMayView:
    """Read-only for instructors; superusers keep their full rights."""

    def has_module_permission(self, request):
        return super().has_module_permission(request) or _instructor(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or _instructor(request)


class DeploymentInline(admin.TabularInline):
    model = Deployment
    extra = 1
    fields = ["deployment_id", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "issuer", "client_id", "deployment_count", "created_at"]
    search_fields = ["name", "issuer", "client_id"]
    inlines = [DeploymentInline]
    fieldsets = [
        (None, {"fields": ["name", "issuer", "client_id"]}),
        (
            "Platform URLs",
            {
                "fields": [
                    "auth_login_url",
                    "auth_token_url",
                    "key_set_url",
                    "auth_audience",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(n_deployments=Count("deployments"))
        )

    @admin.display(description="deployments", ordering="n_deployments")
    def deployment_count(self, platform):
        return platform.n_deployments


@admin.register(ToolKey)
class ToolKeyAdmin(admin.ModelAdmin):
    """The tool's signing keys: read only (the private half is never shown);
    rotated from the list's "Rotate the keys" button, after a confirmation."""

    list_display = ["kid", "created_at", "retired_at", "status"]
    fields = ["kid", "created_at", "retired_at", "public_jwk"]
    readonly_fields = fields
    change_list_template = "admin/lti/toolkey/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # Past their grace period: manage.py lti_rotate_keys --prune.

    @admin.display(description="status")
    def status(self, key):
        if key.retired_at is None:
            return "signing"
        if key.retired_at >= timezone.now() - RETIRED_KEY_GRACE:
            return "retired, still published"
        return "retired, no longer published"

    def get_urls(self):
        return [
            path(
                "rotate/",
                self.admin_site.admin_view(self.rotate_view),
                name="lti_toolkey_rotate",
            ),
            *super().get_urls(),
        ]

    def rotate_view(self, request):
        """GET: what a rotation does, and a button; POST: rotate."""
        if not request.user.is_superuser:
            raise PermissionDenied
        if request.method == "POST":
            new, retired = tool_keys_rotate(now=timezone.now())
            messages.success(
                request,
                f"New signing key {new.kid}; {len(retired)} key(s) retired, "
                f"published for {RETIRED_KEY_GRACE.days} more days.",
            )
            return redirect("admin:lti_toolkey_changelist")
        return TemplateResponse(
            request,
            "admin/lti/toolkey/rotate.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Rotate the tool's signing keys",
                "current": ToolKey.objects.filter(retired_at__isnull=True),
                "grace_days": RETIRED_KEY_GRACE.days,
            },
        )


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ["subject", "issuer", "user", "created_at"]
    list_filter = ["issuer"]
    search_fields = ["subject", "user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "active", "updated_at"]
    readonly_fields = ["updated_at"]
    raw_id_fields = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or _instructor(request)


@admin.register(Context)
class ContextAdmin(InstructorsMayView, admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = [
        "__str__",
        "label",
        "platform",
        "learner_count",
        "instructor_count",
        "roster_synced_at",
        "course_page",
    ]
    list_filter = ["platform"]
    search_fields = ["title", "label", "context_id"]
    inlines = [MembershipInline]
    readonly_fields = ["group", "roster_synced_at"]
    raw_id_fields = ["deployment"]
    actions = [sync_roster]

    def get_queryset(self, request):
        active = Q(memberships__active=True)
        return (
            super()
            .get_queryset(request)
            .select_related("platform")
            .annotate(
                n_learners=Count(
                    "memberships",
                    filter=active & Q(memberships__role=Membership.Role.LEARNER),
                ),
                n_instructors=Count(
                    "memberships",
                    filter=active & Q(memberships__role=Membership.Role.INSTRUCTOR),
                ),
            )
        )

    @admin.display(description="learners", ordering="n_learners")
    def learner_count(self, context):
        return context.n_learners

    @admin.display(description="instructors", ordering="n_instructors")
    def instructor_count(self, context):
        return context.n_instructors

    @admin.display(description="course page")
    def course_page(self, context):
        # Open to the course's own instructors (an LTI launch makes one).
        return format_html(
            '<a href="{}">open</a>', reverse("lti:course", args=[context.pk])
        )


@admin.register(ResourceLink)
class ResourceLinkAdmin(InstructorsMayView, admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["__str__", "quiz", "context", "has_line_item", "created_at"]
    list_filter = ["context__platform"]
    search_fields = ["title", "resource_link_id", "quiz__title", "context__title"]
    list_select_related = ["quiz", "context"]
    raw_id_fields = ["context", "quiz"]

    @admin.display(description="gradebook column", boolean=True)
    def has_line_item(self, link):
        return bool(link.lineitem_url)
