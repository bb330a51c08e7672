"""Password guessing: 5 failures per username and IP lock the pair out for 15 min."""

from datetime import UTC, datetime, timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PASSWORD = "pw-for-tests"


def log_in(client, username, password, ip="10.0.0.1"):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


@pytest.fixture
def trainee(time_machine):
    time_machine.move_to(T0, tick=False)
    return UserFactory(username="alice")


def fail_five_times(client, username="alice", ip="10.0.0.1"):
    for _ in range(5):
        log_in(client, username, "wrong", ip=ip)


def test_the_right_password_logs_in(client, trainee):
    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_five_failures_lock_the_account_out_with_a_clear_message(client, trainee):
    fail_five_times(client)
    response = log_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert "locked on this device for 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_lock(client, trainee):
    for _ in range(4):
        log_in(client, "alice", "wrong")
    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_the_lock_is_per_username_and_ip(client, trainee):
    UserFactory(username="bob")
    fail_five_times(client)
    assert log_in(client, "bob", PASSWORD).status_code == 302
    client.logout()
    assert log_in(client, "alice", PASSWORD, ip="10.0.0.2").status_code == 302


def test_the_lock_ends_after_fifteen_minutes(client, trainee, time_machine):
    fail_five_times(client)
    time_machine.move_to(T0 + timedelta(minutes=14), tick=False)
    assert log_in(client, "alice", PASSWORD).status_code == 429
    time_machine.move_to(T0 + timedelta(minutes=16), tick=False)
    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_an_admin_can_unlock_from_the_admin(client, trainee):
    fail_five_times(client)
    attempt = AccessAttempt.objects.get(username="alice")
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    admin = client.__class__()
    admin.force_login(boss)
    response = admin.post(
        f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(client, trainee):
    for _ in range(5):
        client.post(
            "/admin/login/?next=/admin/",
            {"username": "alice", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
        )
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 429


@pytest.mark.parametrize("weak", ["password", "12345678", "alice", "short"])
def test_password_validators_refuse_weak_passwords(weak):
    user = UserFactory.build(username="alice")
    with pytest.raises(ValidationError):
        validate_password(weak, user=user)


def test_the_lockout_page_leads_back_to_the_login_and_home_pages(client, trainee):
    """A locked-out trainee is not left at a dead end."""
    fail_five_times(client)
    response = log_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert 'href="/accounts/login/"' in page
    assert 'href="/"' in page
