"""Session and transport: the CSP and the cookie and framing settings."""

import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.factories import UserFactory

TEMPLATES = ROOT / "quizzes" / "templates"


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (
            part.split() for part in header.split(";") if part.strip()
        )
    }


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/", "/admin/"])
def test_every_page_carries_a_csp_that_allows_no_inline_script(client, url):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(url)
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "path",
    sorted(TEMPLATES.rglob("*.html")),
    ids=lambda p: str(p.relative_to(TEMPLATES)),
)
def test_templates_hold_no_inline_script_or_event_handler(path: Path):
    html = path.read_text(encoding="utf-8")
    for tag in re.findall(r"<script\b[^>]*>", html, flags=re.I):
        assert "src=" in tag, f"inline <script> in {path.name}: {tag}"
    assert not re.search(r"\son[a-z]+\s*=", html, flags=re.I), path.name
    assert "javascript:" not in html.lower(), path.name


def test_production_cookies_are_secure_httponly_and_samesite_none_with_hsts():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SESSION_COOKIE_HTTPONLY,"
        " s.SESSION_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS, s.X_FRAME_OPTIONS,"
        " s.SECURE_SSL_REDIRECT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={
            "DJANGO_SETTINGS_MODULE": "quizsite.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "quiz.example.org",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        # SameSite=None (with Secure): the session must reach the LMS's iframe (LTI).
        "None",
        "31536000",
        "DENY",
        "True",
    ], result.stderr
