"""A hand-made LMS for the launch tests: its own RSA keys, its JWKS served by a
real HTTP server on loopback (in a thread), and id_tokens built claim by claim, so
that each test can spoil exactly one of them."""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
from jwcrypto.jwk import JWK

from quizzes.lti.models import Deployment, Platform

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
CONTENT_DEVELOPER = "http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper"
INSTITUTION_INSTRUCTOR = (
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor"
)

ISSUER = "https://lms.example.edu"
CLIENT_ID = "tool-client-1"
DEPLOYMENT_ID = "deployment-1"


class SigningKey:
    def __init__(self):
        self.jwk = JWK.generate(kty="RSA", size=2048)
        self.kid = self.jwk.thumbprint()
        self.pem = self.jwk.export_to_pem(private_key=True, password=None)

    def public(self) -> dict:
        public = json.loads(self.jwk.export_public())
        public.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return public


class JwksServer:
    """Serves ``keys`` as a JWKS at http://127.0.0.1:<port>/jwks, and counts the
    fetches (the tool caches the keyset)."""

    def __init__(self):
        self.keys: list[SigningKey] = []
        self.fetches = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.fetches += 1
                body = json.dumps({"keys": [k.public() for k in server.keys]})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/jwks"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class TestPlatform:
    """One registered platform (issuer, client id, deployment) and its keys."""

    __test__ = False  # Not a test class, whatever pytest thinks of its name.

    def __init__(self, jwks_server: JwksServer):
        self.server = jwks_server
        self.key = SigningKey()
        self.server.keys = [self.key]
        self.platform = Platform.objects.create(
            name="Test LMS",
            issuer=ISSUER,
            client_id=CLIENT_ID,
            auth_login_url=f"{ISSUER}/auth",
            auth_token_url=f"{ISSUER}/token",
            key_set_url=jwks_server.url,
        )
        Deployment.objects.create(platform=self.platform, deployment_id=DEPLOYMENT_ID)

    def rotate(self) -> SigningKey:
        """The platform's new key signs from now on; the JWKS publishes both."""
        self.key = SigningKey()
        self.server.keys = [self.key, *self.server.keys]
        return self.key

    def claims(self, *, nonce: str, roles=(LEARNER,), quiz: str | None = None, **extra):
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": "user-1",
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "given_name": "Ada",
            "family_name": "Lovelace",
            "email": "ada@example.edu",
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "version": "1.3.0",
            LTI + "deployment_id": DEPLOYMENT_ID,
            LTI + "target_link_uri": "http://testserver/lti/launch/",
            LTI + "roles": list(roles),
            LTI + "context": {
                "id": "course-1",
                "label": "CARD101",
                "title": "Cardiology",
            },
            LTI + "resource_link": {"id": "link-1", "title": "Week 1 quiz"},
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": f"{ISSUER}/courses/1/memberships",
                "service_versions": ["2.0"],
            },
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "lineitems": f"{ISSUER}/courses/1/lineitems",
                "lineitem": f"{ISSUER}/courses/1/lineitems/7",
                "scope": [],
            },
        }
        if quiz is not None:
            claims[LTI + "custom"] = {"quiz": quiz}
        claims.update(extra)
        return claims

    def sign(self, claims: dict, key: SigningKey | None = None, kid: str | None = None):
        key = key or self.key
        return jwt.encode(
            claims, key.pem, algorithm="RS256", headers={"kid": kid or key.kid}
        )


def login(client, **params) -> tuple[str, str]:
    """The OIDC login initiation, as the platform starts it: returns the state and
    the nonce the tool put in its redirect to the platform (the state is also set
    as a cookie on ``client``)."""
    query = {
        "iss": ISSUER,
        "login_hint": "user-1",
        "client_id": CLIENT_ID,
        "target_link_uri": "http://testserver/lti/launch/",
        "lti_deployment_id": DEPLOYMENT_ID,
        **params,
    }
    response = client.get("/lti/login/", query)
    assert response.status_code == 302, response.content
    sent = parse_qs(urlsplit(response["Location"]).query)
    return sent["state"][0], sent["nonce"][0]


def launch(client, *, state: str, id_token: str):
    return client.post("/lti/launch/", {"state": state, "id_token": id_token})


def fresh_nonce() -> str:
    return uuid.uuid4().hex
