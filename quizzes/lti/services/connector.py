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

from quizzes.lti.keys import tool_key_current
from quizzes.lti.models import Platform
from quizzes.lti.tool_conf import registration_for

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


def service_connector(*, platform: Platform) -> DjangoServiceConnector:
    """A connector to ``platform``, signing with the tool's current key (the newest
    one not retired). Raises ``NoToolKey`` when there is none."""
    key = tool_key_current()
    if key is None:
        raise NoToolKey("The tool has no signing key: run manage.py lti_rotate_keys.")
    registration = registration_for(platform, key)
    session = _TimeoutSession()
    session.headers["User-Agent"] = "quizsite-lti"
    return DjangoServiceConnector(registration, requests_session=session)
