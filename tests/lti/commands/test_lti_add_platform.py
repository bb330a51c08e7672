"""``manage.py lti_add_platform``: registering an LMS and its deployments."""

import pytest
from django.core.management import CommandError, call_command

from quizzes.lti.models import Deployment, Platform

pytestmark = pytest.mark.django_db

MOODLE = [
    "--issuer=https://moodle.example.edu",
    "--client-id=abc123",
    "--auth-url=https://moodle.example.edu/mod/lti/auth.php",
    "--token-url=https://moodle.example.edu/mod/lti/token.php",
    "--jwks-url=https://moodle.example.edu/mod/lti/certs.php",
]


def test_a_platform_is_registered_with_its_deployment(capsys):
    """Every option lands in its field; the name defaults to the issuer."""
    call_command("lti_add_platform", *MOODLE, "--deployment-id=1")
    platform = Platform.objects.get()
    assert platform.name == "https://moodle.example.edu"
    assert platform.client_id == "abc123"
    assert platform.auth_login_url.endswith("/auth.php")
    assert platform.auth_token_url.endswith("/token.php")
    assert platform.key_set_url.endswith("/certs.php")
    assert list(platform.deployments.values_list("deployment_id", flat=True)) == ["1"]
    assert "registered" in capsys.readouterr().out


def test_deployment_ids_may_be_repeated_or_comma_separated():
    """`--deployment-id 1,2 --deployment-id 3` gives three deployments."""
    call_command(
        "lti_add_platform", *MOODLE, "--deployment-id=1,2", "--deployment-id=3"
    )
    assert sorted(Deployment.objects.values_list("deployment_id", flat=True)) == [
        "1",
        "2",
        "3",
    ]


def test_running_it_again_updates_the_platform_and_adds_deployments(capsys):
    """Same (issuer, client id): one platform, URLs updated, ids added, none lost."""
    call_command("lti_add_platform", *MOODLE, "--deployment-id=1")
    call_command(
        "lti_add_platform",
        *MOODLE[:-1],
        "--jwks-url=https://moodle.example.edu/keys",
        "--deployment-id=1,2",
        "--name=Moodle",
    )
    platform = Platform.objects.get()
    assert platform.key_set_url == "https://moodle.example.edu/keys"
    assert platform.name == "Moodle"
    assert platform.deployments.count() == 2
    out = capsys.readouterr().out
    assert "updated" in out and "deployments added: 2" in out


def test_another_client_id_of_the_same_issuer_is_another_platform():
    """An LMS may register the tool twice: each registration is its own platform."""
    call_command("lti_add_platform", *MOODLE, "--deployment-id=1")
    call_command(
        "lti_add_platform",
        *MOODLE[:1],
        "--client-id=xyz",
        *MOODLE[2:],
        "--deployment-id=1",
    )
    assert Platform.objects.count() == 2


def test_a_malformed_url_is_refused_naming_the_option():
    """The error names the option, and nothing is stored."""
    with pytest.raises(CommandError, match="--jwks-url: Enter a valid URL"):
        call_command(
            "lti_add_platform", *MOODLE[:-1], "--jwks-url=certs", "--deployment-id=1"
        )
    assert not Platform.objects.exists()


def test_a_blank_deployment_id_is_refused():
    """`--deployment-id ,` names no deployment: refused, nothing stored."""
    with pytest.raises(CommandError, match="--deployment-id: give at least one"):
        call_command("lti_add_platform", *MOODLE, "--deployment-id= , ")
    assert not Platform.objects.exists()


def test_a_missing_option_is_refused():
    """Every URL is required: without --token-url the command stops."""
    with pytest.raises(CommandError, match="--token-url"):
        call_command("lti_add_platform", *MOODLE[:3], *MOODLE[4:], "--deployment-id=1")
