"""Start, drive and stop the loopback LMS (``tests.lti.loopback.app``) from a test.

Its own process (``python -m tests.lti.loopback``), in its own process group, on a
free loopback port, like ``tests.browser.server.AppServer``: the tool then talks to
a platform over real HTTP, as it would to Moodle, and the platform fetches the
tool's real /lti/jwks/.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from urllib.request import Request, urlopen

import pytest

from tests.processes import free_port

ROOT = Path(__file__).resolve().parents[3]
READY_TIMEOUT_S = 30
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def member(user_id: str, *, roles=(LEARNER,), status: str = "Active", **names):
    """An NRPS member: ``member("u1", given_name="Ann", family_name="Lee")``."""
    given, family = names.get("given_name", user_id), names.get("family_name", "")
    return {
        "user_id": user_id,
        "roles": list(roles),
        "status": status,
        "given_name": given,
        "family_name": family,
        "name": f"{given} {family}".strip(),
        "email": names.get("email", f"{user_id}@lms.example.edu"),
    }


class LoopbackPlatform:
    """``start()``, ``stop()``, ``url``; ``configure()`` the course, read
    ``grades()`` and ``deep_links()``, ``fail()`` an endpoint N times."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.output: list[str] = []
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.lti.loopback", "--port", str(self.port)],
            cwd=ROOT,
            env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        ready = threading.Event()
        threading.Thread(target=self._drain, args=(ready,), daemon=True).start()
        if not ready.wait(READY_TIMEOUT_S) or self._process.poll() is not None:
            self.stop()
            raise RuntimeError("the loopback LMS did not start:\n" + self.log)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=READY_TIMEOUT_S)

    @property
    def log(self) -> str:
        return "".join(self.output)

    def configure(
        self, *, tool_url: str, jwks_url: str = "", members=(), links=None, **extra
    ) -> dict:
        """Reset the course: the tool at ``tool_url`` (its /lti/ URLs; ``jwks_url``
        if its keys are served elsewhere), these members and links (``{"link-1":
        {"title": ..., "custom": {"quiz": slug}}}``). Returns the platform's URLs
        (issuer, auth, token, JWKS, services)."""
        config = {
            "tool": {
                "login_url": f"{tool_url}/lti/login/",
                "launch_url": f"{tool_url}/lti/launch/",
                "jwks_url": jwks_url or f"{tool_url}/lti/jwks/",
            },
            "members": list(members),
            "links": links or {},
            **extra,
        }
        return self._call("/test/config", config)

    def fail(self, endpoint: str, times: int) -> None:
        """The next ``times`` requests to ``endpoint`` ("scores", "token",
        "memberships"…) answer 500."""
        self._call("/test/fail", {endpoint: times})

    def grades(self) -> dict:
        return self._call("/test/grades.json")

    def deep_links(self) -> dict:
        return self._call("/test/deep_links.json")

    def launch_url(self, *, user: str, link: str = "", deep: bool = False) -> str:
        query = f"user={user}&link={link}" + ("&deep=1" if deep else "")
        return f"{self.url}/course/launch?{query}"

    def embedded_url(self, *, user: str, link: str) -> str:
        """The LMS page that shows ``link`` to ``user`` inside an iframe."""
        return f"{self.url}/course/embedded?user={user}&link={link}"

    def _call(self, path: str, payload=None) -> dict:
        data = None if payload is None else json.dumps(payload).encode()
        request = Request(self.url + path, data=data, method="POST" if data else "GET")
        with urlopen(request, timeout=10) as response:
            return json.load(response)

    def _drain(self, ready: threading.Event) -> None:
        for line in self._process.stdout:
            self.output.append(line)
            if "Listening at:" in line:
                ready.set()
        ready.set()


# Named apart from the fixture, so that a module importing it can take
# ``loopback_lms`` as an argument without redefining the import.
@pytest.fixture(scope="module", name="loopback_lms")
def loopback_lms_fixture():
    """The loopback LMS, one process per test module (each test configures it).
    Imported by tests/lti/conftest.py and by the browser tests that launch from
    it (tests/browser/test_lti_end_to_end.py)."""
    platform = LoopbackPlatform()
    platform.start()
    yield platform
    platform.stop()
