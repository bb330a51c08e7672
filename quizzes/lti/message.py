"""Validating a launch's id_token: pylti1p3's checks, and those it misses.

pylti1p3 (``MessageLaunch.validate``) checks, in order: the state (the
``lti1p3-<state>`` cookie set by our OIDC login, or the state already validated
with this very id_token), the JWT's three parts, that the nonce is one our login
issued, the registration (issuer + client id), the RS256 signature against the
platform's JWKS key with the header's kid, the deployment id (registered with that
platform), and the message (LTI version 1.3.0, ``sub``, the roles claim, the
resource link id or the deep-linking settings).

What it misses, added here:

- ``aud`` is not verified (it decodes with ``verify_aud: False``) and ``azp`` is
  ignored: we require ``aud`` to hold the client id, ``azp`` to be present when
  there are several audiences, and to be the client id when present;
- ``exp`` and ``iat`` are checked with no clock skew, and not required: both are
  required here, with ``CLOCK_SKEW`` of leeway; ``iss`` is verified by PyJWT too;
- the algorithm is whatever the JWKS key says: only RS256 is accepted;
- the nonce is never consumed (``check_nonce`` only reads it): a replayed
  id_token passes. Here it is deleted once every other check passed, atomically
  (the cache's delete), so a second use, even concurrent, is refused;
- the platform's JWKS, cached, is not refetched when a token names an unknown kid
  (the platform rotated its keys): here it is refetched once, at most once a
  minute per URL, so that tokens with made-up kids cannot make us hammer it;
- the JWKS is fetched without a timeout: here with ``JWKS_TIMEOUT``;
- claims of the wrong JSON type (a number as ``nonce``, a list as ``sub``) are
  refused before use instead of raising a TypeError (a 500).

The state cookie follows the site's cookie policy (``StateCookies``): pylti1p3
makes it ``SameSite=None; Secure`` only when the request itself is https, which a
TLS proxy without ``X-Forwarded-Proto`` hides; here it is also when the session
cookie is Secure (production), as a launch inside an LMS iframe on another site
needs.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import jwt
import requests
from django.conf import settings
from django.core.cache import caches
from pylti1p3.contrib.django import DjangoMessageLaunch
from pylti1p3.contrib.django.cookie import DjangoCookieService
from pylti1p3.contrib.django.launch_data_storage.cache import DjangoCacheDataStorage
from pylti1p3.contrib.django.request import DjangoRequest
from pylti1p3.exception import (
    LtiException,
    LtiInvalidNonceException,
    LtiKeyException,
    LtiMessageValidationException,
)

CLOCK_SKEW = timedelta(seconds=60)
JWKS_CACHE_SECONDS = 3600
JWKS_REFETCH_INTERVAL = 60
JWKS_TIMEOUT = 5  # seconds
CACHE = "lti"  # shared by every worker (settings: CACHES)

CLAIM_DEPLOYMENT = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"


class LaunchDataStorage(DjangoCacheDataStorage):
    """pylti1p3's cache storage, able to take a value out once."""

    def pop_value(self, key: str) -> bool:
        """Delete the value; True only for the one caller that found it there."""
        return bool(self._get_cache().delete(self._prepare_key(key)))


def launch_data_storage() -> LaunchDataStorage:
    return LaunchDataStorage(cache_name=CACHE)


class StateCookies(DjangoCookieService):
    """pylti1p3's state cookie, ``SameSite=None; Secure`` whenever our session
    cookie is Secure: the launch is a cross-site POST from the LMS, inside its
    iframe too, and a Lax cookie is not sent with it."""

    def update_response(self, response):
        cross_site = self._request.is_secure() or settings.SESSION_COOKIE_SECURE
        for key, cookie in self._cookie_data_to_set.items():
            response.set_cookie(
                key,
                value=cookie["value"],
                max_age=cookie["exp"],
                secure=cross_site,
                httponly=True,
                path="/",
                # Over plain HTTP (development), no attribute, as pylti1p3 does:
                # the browser's default lets a top-level POST carry it.
                samesite="None" if cross_site else None,
            )


def state_cookies(request, *, post_only: bool = False) -> StateCookies:
    """The state cookie service for a login (GET or POST) or a launch (POST)."""
    return StateCookies(DjangoRequest(request, post_only=post_only))


class ToolMessageLaunch(DjangoMessageLaunch):
    """A resource-link or deep-linking launch, with the checks listed above."""

    _audience: str | None = None

    def validate(self):
        if self._restored:
            raise LtiMessageValidationException("A restored launch can't be validated.")
        self._validated = True
        try:
            (
                self.validate_state()
                .validate_jwt_format()
                .validate_claim_types()
                .validate_audience()
                .validate_nonce()
                .validate_registration()
                .validate_jwt_signature()
                .validate_deployment()
                .validate_message()
                .consume_nonce()
                .save_launch_data()
            )
        except Exception:
            self._validated = False
            raise
        return self

    def validate_claim_types(self):
        for part in ("header", "body"):
            if not isinstance(self._jwt.get(part), dict):
                raise LtiMessageValidationException(
                    f"The id_token's {part} is not an object."
                )
        body = self._jwt["body"]
        for claim in ("iss", "sub", "nonce", CLAIM_DEPLOYMENT):
            value = body.get(claim)
            if value is not None and not isinstance(value, str):
                raise LtiMessageValidationException(
                    f'The "{claim}" claim is no string.'
                )
        return self

    def validate_audience(self):
        """``aud`` names us, ``azp`` says which of several audiences is us (OpenID
        Connect Core §3.1.3.7, LTI Security Framework §5.1.3); the signature check
        then verifies ``aud`` against the registration's client id."""
        body = self._jwt["body"]
        aud, azp = body.get("aud"), body.get("azp")
        audiences = [aud] if isinstance(aud, str) else aud
        if (
            not isinstance(audiences, list)
            or not audiences
            or not all(isinstance(a, str) and a for a in audiences)
        ):
            raise LtiMessageValidationException('The "aud" claim is missing.')
        if azp is not None and (not isinstance(azp, str) or azp not in audiences):
            raise LtiMessageValidationException(
                'The "azp" claim is not one of the audiences.'
            )
        if len(audiences) > 1 and azp is None:
            raise LtiMessageValidationException(
                'Several audiences and no "azp" claim: which is us is unknown.'
            )
        self._audience = azp or audiences[0]
        return self

    def get_client_id(self) -> str:
        if self._audience is None:
            return super().get_client_id()
        return self._audience

    def validate_jwt_signature(self):
        public_key, alg = self.get_public_key()
        if alg != "RS256":
            raise LtiKeyException(f"The platform's key is for {alg}, not RS256.")
        try:
            jwt.decode(
                self._get_id_token(),
                public_key,
                algorithms=["RS256"],
                audience=self.get_client_id(),
                issuer=self._registration.get_issuer(),
                leeway=CLOCK_SKEW,
                options={"require": ["exp", "iat", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise LtiMessageValidationException("The id_token has expired.") from error
        except jwt.ImmatureSignatureError as error:
            raise LtiMessageValidationException(
                "The id_token is issued in the future (check the clocks)."
            ) from error
        except jwt.InvalidAudienceError as error:
            raise LtiMessageValidationException(
                "The id_token is meant for another tool (aud)."
            ) from error
        except jwt.InvalidTokenError as error:
            raise LtiMessageValidationException(
                f"The id_token is not valid: {error}"
            ) from error
        return self

    def consume_nonce(self):
        """Take the nonce out of the store: a second launch with it is refused."""
        nonce = self._jwt["body"]["nonce"]
        storage = self._session_service.data_storage
        if not storage.pop_value(self._session_service._get_key("nonce", nonce)):
            raise LtiInvalidNonceException("This launch was already used (nonce).")
        return self

    # The platform's keys

    def get_public_key(self):
        url = self._registration.get_key_set_url()
        if not url or not url.startswith(("http://", "https://")):
            raise LtiKeyException(f"The platform's keyset URL is invalid: {url}")
        kid = self._jwt.get("header", {}).get("kid")
        key_set, cached = self._platform_key_set(url, refresh=False)
        if kid and cached and not _has_kid(key_set, kid) and _may_refetch(url):
            # The platform rotated its keys since we cached them.
            key_set, _ = self._platform_key_set(url, refresh=True)
        self._registration.set_key_set(key_set)
        return super().get_public_key()

    def fetch_public_key(self, key_set_url: str):
        key_set, _ = self._platform_key_set(key_set_url, refresh=False)
        return key_set

    def _platform_key_set(self, url: str, *, refresh: bool) -> tuple[dict, bool]:
        """The platform's JWKS, and whether it came from our cache."""
        cache = caches[CACHE]
        cache_key = "lti-jwks-" + hashlib.sha256(url.encode()).hexdigest()
        if not refresh:
            key_set = cache.get(cache_key)
            if key_set is not None:
                return key_set, True
        try:
            response = self._requests_session.get(url, timeout=JWKS_TIMEOUT)
            response.raise_for_status()
            key_set = response.json()
        except (requests.RequestException, ValueError) as error:
            raise LtiKeyException(
                f"The platform's keys could not be fetched from {url}."
            ) from error
        if not isinstance(key_set, dict) or not isinstance(key_set.get("keys"), list):
            raise LtiKeyException(f"{url} serves no JWKS.")
        cache.set(cache_key, key_set, JWKS_CACHE_SECONDS)
        return key_set, False


def _has_kid(key_set: dict, kid: str) -> bool:
    return any(isinstance(k, dict) and k.get("kid") == kid for k in key_set["keys"])


def _may_refetch(url: str) -> bool:
    """At most one refetch a minute per keyset URL (``add`` is atomic)."""
    marker = "lti-jwks-refetch-" + hashlib.sha256(url.encode()).hexdigest()
    return caches[CACHE].add(marker, True, JWKS_REFETCH_INTERVAL)


__all__ = ["LtiException", "ToolMessageLaunch", "launch_data_storage"]
