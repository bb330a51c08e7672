"""Trainees change their own password on a page of the site, not of the admin."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OLD = "pw-for-tests"
NEW = "a-Long-new-passphrase-2026"


@pytest.fixture
def trainee_client(client):
    trainee = UserFactory(username="pat")
    client.force_login(trainee)
    return client, trainee


def test_the_header_links_to_the_password_page(trainee_client):
    client, _ = trainee_client
    page = client.get("/").content.decode()
    assert 'href="/accounts/password_change/"' in page


def test_the_password_page_has_the_sites_look_not_the_admins(trainee_client):
    client, _ = trainee_client
    response = client.get("/accounts/password_change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="site-header"' in page
    assert "Django administration" not in page
    assert "Clinical quizzes · instructors" not in page
    assert 'class="breadcrumbs"' not in page
    assert 'autocomplete="current-password"' in page


def test_changing_the_password_keeps_the_trainee_logged_in(trainee_client):
    client, trainee = trainee_client
    response = client.post(
        "/accounts/password_change/",
        {"old_password": OLD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_change/done/"
    done = client.get(response["Location"])
    assert "Password changed" in done.content.decode()
    assert 'class="site-header"' in done.content.decode()
    trainee.refresh_from_db()
    assert trainee.check_password(NEW)


def test_a_wrong_old_password_is_refused_on_the_same_page(trainee_client):
    client, trainee = trainee_client
    response = client.post(
        "/accounts/password_change/",
        {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "old password was entered incorrectly" in page
    assert 'aria-invalid="true"' in page
    trainee.refresh_from_db()
    assert trainee.check_password(OLD)


def test_the_password_page_needs_a_login(client):
    response = client.get("/accounts/password_change/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
