"""The favicon: linked from every page, and /favicon.ico is not a 404."""

from django.contrib.staticfiles import finders


def test_favicon_ico_redirects_to_the_static_icon_without_a_login(client):
    """Browsers ask for /favicon.ico on their own, logged in or not."""
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/quizzes/favicon.svg"
    assert finders.find("quizzes/favicon.svg")


def test_every_page_links_the_icon(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/quizzes/favicon.svg"' in html
