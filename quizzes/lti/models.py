"""What the LTI app stores. Token validation itself keeps nothing here: nonces and
OIDC state live in the cache, with their expiry (see ``launch``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Platform(models.Model):
    """An LMS registered with us: one (issuer, client id), with the URLs the OIDC
    login, the service tokens and the platform's signing keys are fetched from."""

    name = models.CharField(max_length=255)
    issuer = models.CharField(
        max_length=255,
        help_text="The platform's `iss`, e.g. https://moodle.example.edu",
    )
    client_id = models.CharField(
        max_length=255, help_text="The client id the platform gave this tool (`aud`)."
    )
    auth_login_url = models.URLField(
        "OIDC authentication URL", max_length=500, help_text="Where the login is sent."
    )
    auth_token_url = models.URLField(
        "access token URL",
        max_length=500,
        help_text="OAuth 2 token endpoint: roster and grade services.",
    )
    key_set_url = models.URLField(
        "public keyset URL", max_length=500, help_text="The platform's JWKS."
    )
    auth_audience = models.CharField(
        max_length=500,
        blank=True,
        help_text="Service token audience, if not the token URL.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "client_id"], name="lti_platform_issuer_client_unique"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.issuer})"


class Deployment(models.Model):
    """A deployment of the tool on a platform: launches naming another are refused."""

    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="deployments"
    )
    deployment_id = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["platform", "deployment_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "deployment_id"],
                name="lti_deployment_unique_per_platform",
            )
        ]

    def __str__(self):
        return f"{self.platform.name}: {self.deployment_id}"


class ToolKey(models.Model):
    """One of the tool's RSA signing keys, published at /lti/jwks/.

    The newest key that is not retired signs (deep-linking responses, service
    token requests). A retired key stays published for a while, so that a platform
    holding a cached JWKS still verifies what it signed.
    """

    kid = models.CharField(max_length=64, unique=True)
    private_key_pem = models.TextField()
    public_jwk = models.JSONField()
    created_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.kid


class Identity(models.Model):
    """Who a launch is: the platform's (issuer, subject), bound to one of our users."""

    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lti_identities",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "identities"
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="lti_identity_issuer_subject_unique"
            )
        ]

    def __str__(self):
        return f"{self.subject} @ {self.issuer}"


class Context(models.Model):
    """A course of the LMS. Its learners are the members of ``group``, so the
    existing progress pages and overrides see the cohort, before anyone launches
    once the roster is synced."""

    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="contexts"
    )
    deployment = models.ForeignKey(
        Deployment, on_delete=models.PROTECT, related_name="contexts"
    )
    context_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True)
    label = models.CharField(max_length=255, blank=True)
    group = models.OneToOneField(
        "auth.Group",
        on_delete=models.PROTECT,
        related_name="lti_context",
        help_text="The cohort: this course's learners.",
    )
    memberships_url = models.URLField(
        "roster service URL (NRPS)", max_length=500, blank=True
    )
    lineitems_url = models.URLField(
        "line items service URL (AGS)", max_length=500, blank=True
    )
    roster_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["platform", "title", "context_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "context_id"],
                name="lti_context_unique_per_platform",
            )
        ]

    def __str__(self):
        return self.title or self.label or self.context_id


class Membership(models.Model):
    """A user's role in one LMS course. An instructor here is an instructor of this
    course only: not staff, no admin; the course's own pages check this row."""

    class Role(models.TextChoices):
        LEARNER = "learner", "Learner"
        INSTRUCTOR = "instructor", "Instructor"

    context = models.ForeignKey(
        Context, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lti_memberships",
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["context", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["context", "user"], name="lti_membership_unique_per_context"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} in {self.context}"


class ResourceLink(models.Model):
    """A link placed in an LMS course (by deep linking, or by hand) that opens one
    quiz; ``lineitem_url`` is the gradebook column its grades are posted to."""

    context = models.ForeignKey(
        Context, on_delete=models.CASCADE, related_name="resource_links"
    )
    resource_link_id = models.CharField(max_length=255)
    quiz = models.ForeignKey(
        "quizzes.Quiz", on_delete=models.PROTECT, related_name="lti_resource_links"
    )
    title = models.CharField(max_length=255, blank=True)
    lineitem_url = models.URLField("line item URL (AGS)", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["context", "title", "resource_link_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["context", "resource_link_id"],
                name="lti_resource_link_unique_per_context",
            )
        ]

    def __str__(self):
        return self.title or self.resource_link_id


class GradePost(models.Model):
    """The outbox of grades sent to an LMS gradebook: one row per (link, user),
    holding the latest grade to send. Retried with back-off until it is sent; a
    failure stays visible in the admin with its error."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (retrying)"
        GAVE_UP = "gave_up", "Gave up"

    resource_link = models.ForeignKey(
        ResourceLink, on_delete=models.CASCADE, related_name="grade_posts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_grades"
    )
    score_given = models.DecimalField(max_digits=7, decimal_places=2)
    score_maximum = models.DecimalField(max_digits=7, decimal_places=2)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING
    )
    tries = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource_link", "user"], name="lti_gradepost_one_per_link_user"
            ),
            models.CheckConstraint(
                condition=Q(score_given__gte=0)
                & Q(score_maximum__gt=0)
                & Q(score_given__lte=models.F("score_maximum")),
                name="lti_gradepost_score_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.resource_link}: {self.get_status_display()}"
