"""The tool's own RSA signing keys: generated, rotated, published at /lti/jwks/.

The newest key that is not retired signs what the tool sends (deep-linking
responses, the client assertions of roster and grade service token requests). A
rotated key keeps being published for ``RETIRED_KEY_GRACE``: a platform caches our
JWKS, and must still verify a message signed just before the rotation until it
refetches. Past that grace, ``tool_keys_prune`` deletes it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from jwcrypto.jwk import JWK

from quizzes.lti.models import ToolKey

# Longer than any platform's JWKS cache (Moodle and Canvas refetch within a day),
# short enough that a leaked, rotated-out key stops being trusted within the week.
RETIRED_KEY_GRACE = timedelta(days=7)
KEY_SIZE = 2048  # RS256, as LTI 1.3 (1EdTech Security Framework) requires.


def _new_key(*, now: datetime) -> ToolKey:
    jwk = JWK.generate(kty="RSA", size=KEY_SIZE)
    # The RFC 7638 thumbprint: the same kid pylti1p3 derives from the public key
    # (Registration.get_kid), so either way of asking gives the one value.
    kid = jwk.thumbprint()
    public = json.loads(jwk.export_public())
    public.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return ToolKey.objects.create(
        kid=kid,
        private_key_pem=jwk.export_to_pem(private_key=True, password=None).decode(),
        public_jwk=public,
        created_at=now,
    )


def tool_key_current() -> ToolKey | None:
    """The key that signs now: the newest one not retired, or None before the
    first ``manage.py lti_rotate_keys``."""
    return (
        ToolKey.objects.filter(retired_at__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )


def tool_keys_rotate(*, now: datetime) -> tuple[ToolKey, list[ToolKey]]:
    """Generate a new signing key and retire the ones that signed until now.

    Returns the new key and the keys it retired (none on the first run). The
    retired keys stay published for ``RETIRED_KEY_GRACE``.
    """
    with transaction.atomic():
        # Two rotations at once would each retire the other's fresh key: the lock
        # on the current keys makes the second wait, then retire the first's.
        current = list(
            ToolKey.objects.select_for_update().filter(retired_at__isnull=True)
        )
        ToolKey.objects.filter(pk__in=[key.pk for key in current]).update(
            retired_at=now
        )
        new = _new_key(now=now)
    return new, current


def tool_keys_prune(*, now: datetime) -> int:
    """Delete the keys retired longer ago than the grace period; returns how many."""
    deleted, _ = ToolKey.objects.filter(retired_at__lt=now - RETIRED_KEY_GRACE).delete()
    return deleted


def tool_keys_published(*, now: datetime):
    """The keys a platform may verify with: the current one and those retired
    within the grace period, newest first."""
    return ToolKey.objects.filter(
        Q(retired_at__isnull=True) | Q(retired_at__gte=now - RETIRED_KEY_GRACE)
    ).order_by("-created_at", "-pk")


def tool_jwks(*, now: datetime) -> dict:
    """The JWKS served at /lti/jwks/: public halves only."""
    return {"keys": [key.public_jwk for key in tool_keys_published(now=now)]}
