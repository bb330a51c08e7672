"""Registering an LMS (a platform) and its deployments of the tool."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from quizzes.lti.models import Deployment, Platform


def platform_register(
    *,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str,
    deployment_ids: list[str],
    name: str = "",
) -> tuple[Platform, bool, list[str]]:
    """Register a platform, or update the one with this (issuer, client id).

    Running it again with the same (issuer, client id) updates the URLs (and the
    name, when one is given) and adds the deployment ids not yet known; it never
    removes one (that is done in the admin, where the contexts it holds are seen).
    Returns the platform, whether it was created, and the deployment ids added.
    Raises ValidationError, naming the field, on a malformed value.
    """
    issuer, client_id = issuer.strip(), client_id.strip()
    deployment_ids = list(dict.fromkeys(d.strip() for d in deployment_ids if d.strip()))
    if not deployment_ids:
        raise ValidationError({"deployment_id": "give at least one deployment id"})
    with transaction.atomic():
        platform = (
            Platform.objects.select_for_update()
            .filter(issuer=issuer, client_id=client_id)
            .first()
        )
        created = platform is None
        if created:
            platform = Platform(issuer=issuer, client_id=client_id)
        platform.name = name.strip() or platform.name or issuer
        platform.auth_login_url = auth_login_url.strip()
        platform.auth_token_url = auth_token_url.strip()
        platform.key_set_url = key_set_url.strip()
        platform.full_clean(validate_unique=False)
        platform.save()
        known = set(platform.deployments.values_list("deployment_id", flat=True))
        added = [d for d in deployment_ids if d not in known]
        for deployment_id in added:
            deployment = Deployment(platform=platform, deployment_id=deployment_id)
            deployment.full_clean(exclude=["platform"], validate_unique=False)
            deployment.save()
    return platform, created, added
