"""The loopback LMS itself: what it signs and what it refuses, so that the tool's
tests against it prove something (it checks what a real LMS checks)."""

import re
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from jwcrypto.jwk import JWK

from tests.lti.loopback.harness import member

pytestmark = pytest.mark.django_db

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


@pytest.fixture
def urls(loopback_lms, tool_jwks_url):
    return loopback_lms.configure(
        tool_url="http://127.0.0.1:9",
        jwks_url=tool_jwks_url,
        members=[member("u-ann", given_name="Ann")],
        links={"link-1": {"title": "Airway", "custom": {"quiz": "airway"}}},
    )


def _assertion(tool_key, urls, **changes):
    now = int(time.time())
    claims = {
        "iss": "quiz-tool",
        "sub": "quiz-tool",
        "aud": urls["auth_token_url"],
        "iat": now,
        "exp": now + 60,
        "jti": str(uuid.uuid4()),
        **changes,
    }
    return jwt.encode(
        claims, tool_key.private_key_pem, "RS256", headers={"kid": tool_key.kid}
    )


def _token(urls, assertion):
    return requests.post(
        urls["auth_token_url"],
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": (
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            ),
            "client_assertion": assertion,
            "scope": "https://purl.imsglobal.org/spec/lti-ags/scope/score",
        },
        timeout=10,
    )


def test_the_token_endpoint_checks_the_tools_signed_assertion(tool_key, urls):
    """A token for an assertion signed with the tool's published key; refused for
    a replayed jti, another audience, or a key the tool does not publish."""
    assertion = _assertion(tool_key, urls)
    response = _token(urls, assertion)
    assert response.status_code == 200
    assert response.json()["scope"].endswith("/scope/score")
    assert _token(urls, assertion).json()["detail"] == "jti missing or replayed"
    wrong_aud = _assertion(tool_key, urls, aud="https://elsewhere/token")
    assert _token(urls, wrong_aud).status_code == 401
    stranger = _assertion(tool_key, urls)
    forged = jwt.encode(
        jwt.decode(stranger, options={"verify_signature": False}),
        _other_key(),
        "RS256",
        headers={"kid": tool_key.kid},
    )
    assert _token(urls, forged).status_code == 401


def _other_key() -> str:
    key = JWK.generate(kty="RSA", size=2048)
    return key.export_to_pem(private_key=True, password=None).decode()


def test_a_launch_signs_the_claims_a_tool_reads(loopback_lms, urls):
    """The course link starts the OIDC login at the tool; the auth endpoint answers
    a correct request with an id_token, signed with the platform's published key,
    carrying the user, roles, course, link, custom, AGS and NRPS claims."""
    start = requests.get(
        loopback_lms.launch_url(user="u-ann", link="link-1"),
        allow_redirects=False,
        timeout=10,
    )
    login = urlsplit(start.headers["Location"])
    assert login.path == "/lti/login/"
    params = {k: v[0] for k, v in parse_qs(login.query).items()}
    assert (params["iss"], params["login_hint"]) == (urls["issuer"], "u-ann")
    auth = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": "quiz-tool",
        "redirect_uri": "http://127.0.0.1:9/lti/launch/",
        "login_hint": params["login_hint"],
        "lti_message_hint": params["lti_message_hint"],
        "state": "state-1",
        "nonce": "nonce-1",
    }
    form = requests.get(urls["auth_login_url"], params=auth, timeout=10).text
    token = re.search(r'name="id_token" value="([^"]+)"', form).group(1)
    key = jwt.PyJWKClient(urls["key_set_url"]).get_signing_key_from_jwt(token)
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience="quiz-tool")
    assert claims["iss"] == urls["issuer"] and claims["nonce"] == "nonce-1"
    assert claims["sub"] == "u-ann"
    assert claims[CLAIM + "deployment_id"] == "deployment-1"
    assert claims[CLAIM + "message_type"] == "LtiResourceLinkRequest"
    assert claims[CLAIM + "roles"] == [
        "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
    ]
    assert claims[CLAIM + "context"]["id"] == "course-101"
    assert claims[CLAIM + "resource_link"]["id"] == "link-1"
    assert claims[CLAIM + "custom"] == {"quiz": "airway"}
    ags = claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]
    assert ags["lineitem"].startswith(urls["lineitems_url"])
    nrps = claims["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"]
    assert nrps["context_memberships_url"] == urls["memberships_url"]

    redirected = {**auth, "redirect_uri": "https://evil.example/launch"}
    refused = requests.get(urls["auth_login_url"], params=redirected, timeout=10)
    assert refused.status_code == 400
