"""Letting the registered LMSs frame our pages (LTI launches in an iframe).

Everywhere else the site refuses framing (X-Frame-Options: DENY and CSP
``frame-ancestors 'none'``, against clickjacking). An LMS shows the tool inside
its course page, so the launch, the quiz and attempt pages it lands on must be
frameable by that LMS, and by it only: the origins listed in the setting
``LTI_FRAME_ANCESTORS``. The admin and the account pages (log-in, password)
stay unframeable whatever the setting.

Why a setting and not the registered platforms' URLs: Canvas frames the tool
from each school's own domain (https://school.instructure.com), which its
registration (issuer https://canvas.instructure.com, login on sso.canvaslms.com)
never names; and reading the registrations would cost a query on every page.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

NEVER_FRAMED = ("/admin/", "/accounts/")


def frame_ancestors(values) -> tuple[str, ...]:
    """The setting's origins, checked: ``https://host[:port]`` each (``http``
    only for loopback, in tests), no path, no wildcard."""
    origins = []
    for value in values:
        parts = urlsplit(value)
        loopback = parts.hostname in {"127.0.0.1", "localhost", "::1"}
        if (
            parts.scheme not in ({"https", "http"} if loopback else {"https"})
            or not parts.hostname
            or "*" in value
            or parts.path not in {"", "/"}
            or parts.query
            or parts.fragment
        ):
            raise ImproperlyConfigured(
                f"LTI_FRAME_ANCESTORS: {value!r} is not an origin such as "
                "https://moodle.example.edu"
            )
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return tuple(origins)


class LtiFrameAncestorsMiddleware:
    """Sits inside the X-Frame-Options and CSP middlewares (after them in
    MIDDLEWARE), so that what it marks on the response reaches them."""

    def __init__(self, get_response):
        self.get_response = get_response
        _checked_origins(_setting())  # a wrong value stops the start

    def __call__(self, request):
        response = self.get_response(request)
        # Read per request (the check is cached), so that a changed setting holds
        # at once: the tests frame a running server under a new setting.
        origins = _checked_origins(_setting())
        if origins and not request.path.startswith(NEVER_FRAMED):
            response.xframe_options_exempt = True
            replace = dict(getattr(response, "_csp_replace", None) or {})
            replace["frame-ancestors"] = list(origins)
            response._csp_replace = replace
        return response


def _setting() -> tuple[str, ...]:
    return tuple(getattr(settings, "LTI_FRAME_ANCESTORS", ()))


@functools.lru_cache(maxsize=8)
def _checked_origins(values: tuple[str, ...]) -> tuple[str, ...]:
    return frame_ancestors(values)
