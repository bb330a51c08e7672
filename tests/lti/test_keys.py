"""The tool's signing keys: generation, rotation with a grace period, pruning,
and the JWKS served at /lti/jwks/."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from django.core.management import call_command
from django.urls import reverse

from quizzes.lti.keys import (
    RETIRED_KEY_GRACE,
    tool_jwks,
    tool_key_current,
    tool_keys_prune,
    tool_keys_rotate,
)
from quizzes.lti.models import ToolKey

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_before_the_first_rotation_there_is_no_signing_key():
    """The JWKS is empty and nothing signs until the command is run once."""
    assert tool_key_current() is None
    assert tool_jwks(now=NOW) == {"keys": []}


def test_the_first_rotation_creates_the_signing_key():
    """It generates an RS256 key published with its kid; nothing is retired."""
    new, retired = tool_keys_rotate(now=NOW)
    assert retired == []
    assert tool_key_current() == new
    (published,) = tool_jwks(now=NOW)["keys"]
    assert published["kid"] == new.kid
    assert published["kty"] == "RSA" and published["alg"] == "RS256"
    assert published["use"] == "sig"


def test_the_jwks_never_carries_the_private_half():
    """Only n and e are published, never d, p, q or the CRT values."""
    tool_keys_rotate(now=NOW)
    (published,) = tool_jwks(now=NOW)["keys"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(published)


def test_a_token_signed_with_the_current_key_verifies_with_the_jwks():
    """What the tool signs, a platform verifies with the published key by kid."""
    key, _ = tool_keys_rotate(now=NOW)
    token = jwt.encode(
        {"iss": "tool"},
        key.private_key_pem,
        algorithm="RS256",
        headers={"kid": key.kid},
    )
    jwk_set = jwt.PyJWKSet.from_dict(tool_jwks(now=NOW))
    public = jwk_set[jwt.get_unverified_header(token)["kid"]].key
    assert jwt.decode(token, public, algorithms=["RS256"]) == {"iss": "tool"}


def test_a_rotation_signs_with_the_new_key_and_still_publishes_the_old_one():
    """The old key is retired, not deleted: platforms caching the JWKS still
    verify what it signed."""
    old, _ = tool_keys_rotate(now=NOW)
    new, retired = tool_keys_rotate(now=NOW + timedelta(days=30))
    assert retired == [old]
    assert tool_key_current() == new
    kids = [k["kid"] for k in tool_jwks(now=NOW + timedelta(days=30))["keys"]]
    assert kids == [new.kid, old.kid]


def test_a_retired_key_is_no_longer_published_past_the_grace_period():
    """Past the grace period the JWKS drops it, before it is even pruned."""
    tool_keys_rotate(now=NOW)
    new, _ = tool_keys_rotate(now=NOW)
    later = NOW + RETIRED_KEY_GRACE + timedelta(seconds=1)
    assert [k["kid"] for k in tool_jwks(now=later)["keys"]] == [new.kid]


def test_prune_deletes_only_keys_retired_past_the_grace_period():
    """The current key and a key retired within the grace period stay."""
    tool_keys_rotate(now=NOW - timedelta(days=30))
    older, _ = tool_keys_rotate(now=NOW - timedelta(days=8))  # retires the first
    current, _ = tool_keys_rotate(now=NOW - timedelta(days=1))  # retires older
    assert tool_keys_prune(now=NOW) == 1
    assert set(ToolKey.objects.values_list("kid", flat=True)) == {
        older.kid,
        current.kid,
    }


def test_the_command_generates_then_rotates(capsys):
    """Run twice: two keys, one retired, both published."""
    call_command("lti_rotate_keys")
    first = tool_key_current()
    call_command("lti_rotate_keys")
    out = capsys.readouterr().out
    assert f"retired {first.kid}" in out
    assert ToolKey.objects.filter(retired_at__isnull=True).count() == 1
    assert ToolKey.objects.count() == 2


def test_the_command_prunes_without_generating(capsys):
    """--prune deletes expired keys and generates none."""
    tool_keys_rotate(now=NOW - timedelta(days=30))
    tool_keys_rotate(now=NOW - timedelta(days=30))
    call_command("lti_rotate_keys", "--prune")
    assert "1 retired key(s) deleted" in capsys.readouterr().out
    assert ToolKey.objects.count() == 1


def test_the_jwks_endpoint_is_public_and_briefly_cacheable(client):
    """GET /lti/jwks/ needs no login and may be cached for a few minutes."""
    key, _ = tool_keys_rotate(now=NOW)
    response = client.get(reverse("lti:jwks"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]
    assert [k["kid"] for k in response.json()["keys"]] == [key.kid]


def test_the_jwks_endpoint_refuses_a_post(client):
    """Only GET is answered."""
    assert client.post(reverse("lti:jwks")).status_code == 405
