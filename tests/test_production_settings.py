"""Production settings: secrets from the environment, and `check --deploy` clean."""

import os
import secrets
import subprocess
import sys

from tests.conftest import ROOT


def manage(*args, **env):
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "quizsite.settings.production",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_with_a_real_secret():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="quiz.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_startup_stops_with_a_clear_message_without_a_secret_key():
    result = manage("check", ALLOWED_HOSTS="quiz.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_startup_stops_without_allowed_hosts():
    result = manage("check", SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_debug_is_off_unless_asked_for():
    code = "from django.conf import settings; print(settings.DEBUG)"
    env = {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "x.example"}
    result = manage("shell", "-c", code, **env)
    assert result.stdout.strip().splitlines()[-1] == "False", result.stderr
    result = manage("shell", "-c", code, DEBUG="bogus", **env)
    assert "DEBUG='bogus'" in result.stderr


def test_persistent_database_connections_are_health_checked():
    """A worker's kept connection is checked before a request reuses it, so that a
    database restart costs no request on a dead connection, on either database."""
    code = (
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    env = {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "x.example"}
    for url in ("sqlite:////tmp/x.sqlite3", "postgres://u@127.0.0.1:5432/x"):
        result = manage("shell", "-c", code, DATABASE_URL=url, **env)
        assert result.stdout.splitlines()[-1] == "60 True", result.stderr


def test_the_url_behind_the_proxy_is_the_browsers():
    """Safe Exam Browser's hashes cover the URL the browser sees: behind the
    TLS-terminating proxy the scheme is X-Forwarded-Proto's, the host the Host
    header's (X-Forwarded-Host is not trusted): tests/views/test_seb.py checks
    both with these values."""
    code = (
        "from django.conf import settings; "
        "print(settings.SECURE_PROXY_SSL_HEADER, settings.USE_X_FORWARDED_HOST)"
    )
    env = {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "x.example"}
    result = manage("shell", "-c", code, **env)
    assert result.stdout.strip().splitlines()[-1] == (
        "('HTTP_X_FORWARDED_PROTO', 'https') False"
    ), result.stderr
