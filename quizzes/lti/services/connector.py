"""The tool's side of the LTI Advantage services: an authorised HTTP client to one
platform, pylti1p3's ``ServiceConnector`` with the tool's current signing key.

The connector signs a client-credentials JWT with our key (its ``kid`` is the
``ToolKey``'s, the one /lti/jwks/ publishes), trades it at the platform's token
URL for an access token (cached per platform and scopes in Django's cache, until
shortly before it expires), and sends the service request with it.
"""

from __future__ import annotations

import requests
from pylti1p3.contrib.django.service_connector import DjangoServiceConnector
from pylti1p3.registration import Registration

from quizzes.lti.models import Platform, ToolKey

# Seconds a platform has to answer one request: a grade is posted from the
# trainee's submit, which must not hang on a slow LMS (a retry comes later).
TIMEOUT_S = 10


class NoToolKey(Exception):
    """The tool has no signing key yet: ``python manage.py lti_rotate_keys``."""


class _TimeoutSession(requests.Session):
    """requests waits forever by default; every request here has a timeout."""

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", TIMEOUT_S)
        return super().request(*args, **kwargs)


class _Registration(Registration):
    def __init__(self, kid: str):
        self._kid = kid

    def get_kid(self):
        # pylti1p3 derives a kid from the public key; ours is the ToolKey's.
        return self._kid


def service_connector(*, platform: Platform) -> DjangoServiceConnector:
    """A connector to ``platform``, signing with the tool's current key (the newest
    one not retired). Raises ``NoToolKey`` when there is none."""
    key = ToolKey.objects.filter(retired_at__isnull=True).first()
    if key is None:
        raise NoToolKey("The tool has no signing key: run manage.py lti_rotate_keys.")
    registration = (
        _Registration(key.kid)
        .set_issuer(platform.issuer)
        .set_client_id(platform.client_id)
        .set_auth_token_url(platform.auth_token_url)
        .set_key_set_url(platform.key_set_url)
        .set_tool_private_key(key.private_key_pem)
    )
    if platform.auth_audience:
        registration.set_auth_audience(platform.auth_audience)
    session = _TimeoutSession()
    session.headers["User-Agent"] = "quizsite-lti"
    return DjangoServiceConnector(registration, requests_session=session)
