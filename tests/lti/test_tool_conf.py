"""pylti1p3's tool configuration read from Platform, Deployment and ToolKey rows."""

from datetime import UTC, datetime

import jwt
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pylti1p3.registration import Registration

from quizzes.lti.keys import tool_keys_rotate
from quizzes.lti.tool_conf import DbToolConf, service_connector_for
from tests.lti.factories import DeploymentFactory, PlatformFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_a_registration_is_found_by_issuer_and_client_id():
    """Its URLs are the platform's; it signs with the current tool key."""
    platform = PlatformFactory(auth_audience="https://lms.example.edu/aud")
    key, _ = tool_keys_rotate(now=NOW)
    registration = DbToolConf().find_registration_by_params(
        platform.issuer, platform.client_id
    )
    assert registration.get_issuer() == platform.issuer
    assert registration.get_client_id() == platform.client_id
    assert registration.get_auth_login_url() == platform.auth_login_url
    assert registration.get_auth_token_url() == platform.auth_token_url
    assert registration.get_auth_audience() == "https://lms.example.edu/aud"
    assert registration.get_key_set_url() == platform.key_set_url
    assert registration.get_key_set() is None
    assert registration.get_tool_private_key() == key.private_key_pem
    assert registration.get_kid() == key.kid


def test_the_stored_kid_is_the_one_pylti1p3_would_derive():
    """The kid in our JWKS and in our signatures' headers are the same value."""
    key, _ = tool_keys_rotate(now=NOW)
    public_pem = (
        jwt.algorithms.RSAAlgorithm.from_jwk(key.public_jwk)
        .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    assert Registration.get_jwk(public_pem)["kid"] == key.kid


def test_an_unknown_client_id_finds_no_registration():
    """Another client id of a known issuer is not a registration."""
    platform = PlatformFactory()
    assert DbToolConf().find_registration_by_params(platform.issuer, "other") is None


def test_without_a_client_id_the_issuers_only_platform_is_used():
    """The OIDC login initiation may omit client_id: the issuer's one platform."""
    platform = PlatformFactory()
    registration = DbToolConf().find_registration_by_params(platform.issuer, None)
    assert registration.get_client_id() == platform.client_id


def test_without_a_client_id_an_issuer_with_two_platforms_is_ambiguous():
    """Two registrations of one issuer: which is meant cannot be guessed."""
    platform = PlatformFactory()
    PlatformFactory(issuer=platform.issuer)
    assert DbToolConf().find_registration_by_params(platform.issuer, None) is None


def test_without_a_tool_key_the_registration_signs_nothing():
    """Before the first rotation there is no private key and no kid."""
    platform = PlatformFactory()
    registration = DbToolConf().find_registration_by_params(
        platform.issuer, platform.client_id
    )
    assert registration.get_tool_private_key() is None
    assert registration.get_kid() is None


def test_a_registered_deployment_is_found():
    deployment = DeploymentFactory()
    platform = deployment.platform
    found = DbToolConf().find_deployment_by_params(
        platform.issuer, deployment.deployment_id, platform.client_id
    )
    assert found.get_deployment_id() == deployment.deployment_id


def test_a_deployment_of_another_platform_is_not_found():
    """A deployment id is only valid with the platform that registered it."""
    deployment = DeploymentFactory()
    other = PlatformFactory()
    assert (
        DbToolConf().find_deployment_by_params(
            other.issuer, deployment.deployment_id, other.client_id
        )
        is None
    )


def test_an_unknown_deployment_is_not_found():
    deployment = DeploymentFactory()
    platform = deployment.platform
    assert (
        DbToolConf().find_deployment_by_params(
            platform.issuer, "unknown", platform.client_id
        )
        is None
    )


def test_the_tool_conf_jwks_is_the_published_one():
    """Whatever the platform asked about, our keys are the same."""
    key, _ = tool_keys_rotate(now=NOW)
    assert [k["kid"] for k in DbToolConf().get_jwks()["keys"]] == [key.kid]


def test_service_tokens_are_cached_per_client_id():
    """Two registrations of one LMS (same issuer) never share an access token."""
    tool_keys_rotate(now=NOW)
    first = PlatformFactory()
    second = PlatformFactory(issuer=first.issuer)
    scopes = ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]
    assert service_connector_for(first)._scope_key(scopes) != service_connector_for(
        second
    )._scope_key(scopes)


def test_the_service_token_request_is_signed_with_the_tool_key(monkeypatch):
    """The client assertion carries our kid, verifies with our JWKS, is addressed to
    the token URL, and the request has a timeout."""
    key, _ = tool_keys_rotate(now=NOW)
    platform = PlatformFactory()
    sent = {}

    class Response:
        ok = True

        def json(self):
            return {"access_token": "t-1", "expires_in": 3600}

    def request(self, method, url, **kwargs):
        sent.update(method=method, url=url, **kwargs)
        return Response()

    monkeypatch.setattr("requests.Session.request", request)
    connector = service_connector_for(platform)
    assert connector.get_access_token(["scope-a"]) == "t-1"
    assertion = sent["data"]["client_assertion"]
    assert jwt.get_unverified_header(assertion)["kid"] == key.kid
    jwk_set = jwt.PyJWKSet.from_dict(DbToolConf().get_jwks())
    claims = jwt.decode(
        assertion,
        jwk_set[key.kid].key,
        algorithms=["RS256"],
        audience=platform.auth_token_url,
    )
    assert claims["iss"] == claims["sub"] == platform.client_id
    assert (sent["method"], sent["url"]) == ("POST", platform.auth_token_url)
    assert sent["timeout"] == 10
