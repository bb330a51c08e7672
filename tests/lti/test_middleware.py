"""Framing by the LMSs of LTI_FRAME_ANCESTORS, and the cookies LMS iframes need."""

import secrets

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from quizzes.lti.middleware import frame_ancestors
from tests.test_production_settings import manage

pytestmark = pytest.mark.django_db

MOODLE = "https://moodle.example.edu"


def test_without_the_setting_no_page_is_frameable(client):
    response = client.get("/lti/jwks/")
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@override_settings(LTI_FRAME_ANCESTORS=[MOODLE])
def test_the_listed_lms_may_frame_the_lti_and_quiz_pages(client):
    """The launch's pages: no X-Frame-Options, CSP frame-ancestors the LMS only."""
    for path in ("/lti/jwks/", "/quizzes/no-such-quiz/", "/"):
        response = client.get(path)
        assert "X-Frame-Options" not in response, path
        assert f"frame-ancestors {MOODLE}" in response["Content-Security-Policy"]


@override_settings(LTI_FRAME_ANCESTORS=[MOODLE])
def test_the_admin_and_account_pages_are_never_frameable(client):
    for path in ("/admin/login/", "/accounts/login/"):
        response = client.get(path)
        assert response["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "value",
    [
        "*",
        "https://*.example.edu",
        "http://moodle.example.edu",
        "moodle.example.edu",
        "https://moodle.example.edu/course",
    ],
)
def test_a_setting_that_is_no_origin_stops_the_start(value):
    """A wildcard, plain HTTP off loopback, a path: refused, naming the value."""
    with pytest.raises(ImproperlyConfigured, match="LTI_FRAME_ANCESTORS"):
        frame_ancestors([value])


def test_origins_are_normalised():
    assert frame_ancestors([MOODLE + "/", "http://127.0.0.1:8001"]) == (
        MOODLE,
        "http://127.0.0.1:8001",
    )


def test_production_cookies_are_samesite_none_and_secure_over_https():
    """Sent inside the LMS's cross-site iframe: SameSite=None, which needs Secure."""
    code = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SAMESITE, "
        "s.CSRF_COOKIE_SAMESITE, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    env = {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "x.example"}
    result = manage("shell", "-c", code, **env)
    assert result.stdout.strip().splitlines()[-1].split() == [
        "None",
        "None",
        "True",
        "True",
    ], result.stderr
    result = manage("shell", "-c", code, HTTPS="0", **env)
    assert result.stdout.strip().splitlines()[-1].split() == [
        "Lax",
        "Lax",
        "False",
        "False",
    ], result.stderr


@override_settings(
    SESSION_COOKIE_SECURE=True,
    SESSION_COOKIE_SAMESITE="None",
    CSRF_COOKIE_SECURE=True,
    CSRF_COOKIE_SAMESITE="None",
)
def test_cross_site_cookies_are_partitioned_for_browsers_blocking_third_party(
    client, django_user_model
):
    """Production's SameSite=None; Secure session and CSRF cookies are also
    Partitioned (CHIPS): a browser that blocks third-party cookies keeps them
    inside the LMS's iframe, for that LMS only."""
    django_user_model.objects.create_user("ann", password="pw-for-test-only")
    page = client.get("/accounts/login/")
    csrf = page.cookies["csrftoken"]
    assert csrf["partitioned"] and csrf["samesite"] == "None" and csrf["secure"]
    response = client.post(
        "/accounts/login/",
        {"username": "ann", "password": "pw-for-test-only"},
        HTTP_X_CSRFTOKEN=csrf.value,
    )
    session = response.cookies["sessionid"]
    assert "Partitioned" in session.output()


@override_settings(SESSION_COOKIE_SECURE=False, SESSION_COOKIE_SAMESITE="Lax")
def test_same_site_cookies_are_not_partitioned(client, django_user_model):
    """Over plain HTTP (Lax, not Secure) cookies stay as Django sets them."""
    assert "Partitioned" not in client.get("/accounts/login/").cookies.output()
