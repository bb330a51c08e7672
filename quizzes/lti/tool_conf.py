"""pylti1p3's view of our registrations: Platform, Deployment and ToolKey rows.

One ``DbToolConf`` per request: it looks each platform up once and keeps it for the
request, so that a platform edited in the admin counts from the next request on.
Used by the OIDC login, the launch, deep linking and the roster and grade service
connectors (their token requests are signed with the current tool key).
"""

from __future__ import annotations

import hashlib

import requests
from django.utils import timezone
from pylti1p3.contrib.django.service_connector import DjangoServiceConnector
from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract

from quizzes.lti.keys import tool_jwks, tool_key_current
from quizzes.lti.models import Deployment, Platform, ToolKey


class ToolKeyRegistration(Registration):
    """A registration whose kid is the stored one, not re-derived from the PEM
    (they agree, see ``keys``; this spares parsing the key on each signature)."""

    _kid: str | None = None

    def set_kid(self, kid: str | None) -> ToolKeyRegistration:
        self._kid = kid
        return self

    def get_kid(self) -> str | None:
        return self._kid


def registration_for(platform: Platform, key: ToolKey | None) -> ToolKeyRegistration:
    """The pylti1p3 registration of a platform, signing with ``key`` (if any)."""
    registration = ToolKeyRegistration()
    registration.set_issuer(platform.issuer).set_client_id(platform.client_id)
    registration.set_auth_login_url(platform.auth_login_url)
    registration.set_auth_token_url(platform.auth_token_url)
    registration.set_auth_audience(platform.auth_audience or None)
    # The platform's keys are always fetched from its URL (pylti1p3 refetches on
    # an unknown kid), never pinned: a rotation on the platform side just works.
    registration.set_key_set_url(platform.key_set_url).set_key_set(None)
    if key is not None:
        registration.set_tool_private_key(key.private_key_pem)
        registration.set_kid(key.kid)
    return registration


class DbToolConf(ToolConfAbstract):
    """Registrations from the database; an issuer may have many client ids."""

    def __init__(self):
        super().__init__()
        self._platforms: dict[tuple[str, str | None], Platform | None] = {}
        self._key: ToolKey | None = None
        self._key_loaded = False

    # Every issuer may hold several client ids (one per registration in its LMS).
    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def platform(self, iss: str, client_id: str | None) -> Platform | None:
        """The platform registered for (issuer, client id). Without a client id (the
        OIDC login initiation may omit it), the issuer's only platform, if it has
        exactly one."""
        cache_key = (iss, client_id)
        if cache_key not in self._platforms:
            platforms = Platform.objects.filter(issuer=iss)
            if client_id is not None:
                platforms = platforms.filter(client_id=client_id)
            found = list(platforms[:2])
            self._platforms[cache_key] = found[0] if len(found) == 1 else None
        return self._platforms[cache_key]

    def tool_key(self) -> ToolKey | None:
        if not self._key_loaded:
            self._key, self._key_loaded = tool_key_current(), True
        return self._key

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        platform = self.platform(iss, client_id)
        if platform is None:
            return None
        return registration_for(platform, self.tool_key())

    def find_deployment(self, iss, deployment_id):
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        platform = self.platform(iss, client_id)
        if platform is None or not isinstance(deployment_id, str):
            return None
        if not Deployment.objects.filter(
            platform=platform, deployment_id=deployment_id
        ).exists():
            return None
        return LtiDeployment().set_deployment_id(deployment_id)

    def get_jwks(self, iss=None, client_id=None, **kwargs):
        """Every published key: ours are the same for every platform."""
        return tool_jwks(now=timezone.now())


SERVICE_TIMEOUT = 10  # seconds, for each request to a platform's services


class TimeoutSession(requests.Session):
    """pylti1p3 sends its requests with no timeout: a platform that hangs would
    hold the worker (or the grade queue) for ever."""

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", SERVICE_TIMEOUT)
        return super().request(*args, **kwargs)


class ToolServiceConnector(DjangoServiceConnector):
    """Access tokens cached per (issuer, client id, scopes): pylti1p3 keys them by
    issuer and scopes only, so two registrations of one LMS would share a token."""

    def _scope_key(self, scopes) -> str:
        client_id = self._registration.get_client_id() or ""
        issuer_scopes = super()._scope_key(scopes)
        return hashlib.sha256(f"{client_id}|{issuer_scopes}".encode()).hexdigest()


def service_connector_for(platform: Platform) -> ToolServiceConnector:
    """The connector for a platform's roster (NRPS) and grade (AGS) services:
    token requests signed with the current tool key, requests with a timeout."""
    return ToolServiceConnector(
        registration_for(platform, tool_key_current()), TimeoutSession()
    )
