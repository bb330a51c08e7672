import pytest

from tests.lti.platform import JwksServer, TestPlatform


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
