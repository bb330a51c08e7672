"""Production: everything from the environment (12-factor), secure by default.

Required: SECRET_KEY, ALLOWED_HOSTS (comma-separated). Optional: DATABASE_URL
(default SQLite), REDIS_URL (cache and sessions), DEBUG (default off), HTTPS (default
on; set HTTPS=0 only to serve plain HTTP on loopback, e.g. for the benchmark).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r}: use 1/0, true/false, yes/no or on/off"
    )


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set: production settings need a secret key from the "
        "environment (e.g. export SECRET_KEY=$(python -c 'import secrets; "
        "print(secrets.token_urlsafe(50))'))"
    )
DEBUG = env_flag("DEBUG", False)
if not ALLOWED_HOSTS:  # noqa: F405
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set: give the host names this site answers to, "
        "comma-separated (e.g. ALLOWED_HOSTS=quiz.example.org)"
    )

HTTPS = env_flag("HTTPS", True)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto. Safe Exam Browser
# hashes the URL the browser sees (quizzes.seb): the scheme comes from this header,
# and the host from the Host header, which the proxy passes on as the browser sent
# it (HAProxy does by default; nginx with "proxy_set_header Host $host").
# USE_X_FORWARDED_HOST stays off: it is not needed, and a client could choose the
# X-Forwarded-Host of a proxy that passes one through.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
# LTI: an LMS shows the tool in an iframe on its own site, and posts the launch
# from there. Lax cookies are not sent in a cross-site iframe: the session (and the
# CSRF cookie the quiz forms need) would be lost after the launch. SameSite=None
# sends them there; browsers accept it only with Secure, hence over HTTPS only.
# CSRF stays protected by the token and Django's Origin check; the pages the LMS
# may frame are listed in LTI_FRAME_ANCESTORS. pylti1p3 sets its own state cookie
# SameSite=None; Secure on HTTPS by itself. Over plain HTTP (HTTPS=0, loopback)
# they stay Lax: a launch then works in a new window or a same-site iframe.
SESSION_COOKIE_SAMESITE = "None" if HTTPS else "Lax"
CSRF_COOKIE_SAMESITE = "None" if HTTPS else "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

STATIC_ROOT = BASE_DIR / "staticfiles"  # noqa: F405
WHITENOISE_USE_FINDERS = False
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}

LOGGING["root"] = {"handlers": ["console"], "level": "WARNING"}  # noqa: F405
