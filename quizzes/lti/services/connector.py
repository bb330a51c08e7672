"""The tool's side of the LTI Advantage services: an authorised HTTP client to one
platform (``tool_conf.service_connector_for``: pylti1p3's ``ServiceConnector``
signing its client-credentials JWT with the tool's current key, requests with a
timeout, access tokens cached per registration), refused clearly before the first
key exists."""

from __future__ import annotations

from quizzes.lti.keys import tool_key_current
from quizzes.lti.models import Platform
from quizzes.lti.tool_conf import ToolServiceConnector, service_connector_for


class NoToolKey(Exception):
    """The tool has no signing key yet: ``python manage.py lti_rotate_keys``."""


def service_connector(*, platform: Platform) -> ToolServiceConnector:
    """A connector to ``platform``. Raises ``NoToolKey`` when the tool has no key
    to sign its token requests with (pylti1p3 would fail on an assert)."""
    if tool_key_current() is None:
        raise NoToolKey("The tool has no signing key: run manage.py lti_rotate_keys.")
    return service_connector_for(platform)
