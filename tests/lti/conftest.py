"""The loopback LMS (``tests.lti.loopback``) and a course on it, for the LTI tests."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from quizzes.lti.keys import tool_jwks
from quizzes.lti.models import Platform
from tests.lti.factories import ContextFactory, DeploymentFactory, ToolKeyFactory
from tests.lti.loopback.harness import (  # noqa: F401  (the loopback_lms fixture)
    loopback_lms_fixture,
)
from tests.lti.platform import JwksServer, TestPlatform


@pytest.fixture
def tool_key(db):
    return ToolKeyFactory()


@pytest.fixture
def tool_jwks_url(tool_key):
    """The tool's JWKS (what /lti/jwks/ serves: ``keys.tool_jwks``) over HTTP,
    for the service tests, whose data the tool's server thread could not see
    (the browser tests use the tool's own /lti/jwks/)."""
    body = json.dumps(tool_jwks(now=timezone.now())).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    server.shutdown()
    server.server_close()


def platform_register(urls: dict, *, deployment_id: str = "deployment-1"):
    """The loopback LMS registered with the tool, as ``lti_add_platform`` would;
    returns its deployment."""
    platform = Platform.objects.create(
        name="Loopback LMS",
        issuer=urls["issuer"],
        client_id="quiz-tool",
        auth_login_url=urls["auth_login_url"],
        auth_token_url=urls["auth_token_url"],
        key_set_url=urls["key_set_url"],
    )
    return DeploymentFactory(platform=platform, deployment_id=deployment_id)


def course_register(urls: dict, *, deployment):
    """The LMS course as a launch would have stored it, with its service URLs."""
    return ContextFactory(
        platform=deployment.platform,
        deployment=deployment,
        context_id="course-101",
        title="Anaesthesia 101",
        memberships_url=urls["memberships_url"],
        lineitems_url=urls["lineitems_url"],
    )


@pytest.fixture
def jwks_server():
    """The test platform's JWKS, served over HTTP on loopback."""
    server = JwksServer()
    yield server
    server.close()


@pytest.fixture
def lms(db, jwks_server):
    """A registered platform with one deployment, signing with its own key."""
    return TestPlatform(jwks_server)
