"""Browser tests: Debian's Chromium, driven by Playwright, against ``live_server``.

Chromium comes from Debian (``apt-get install -y chromium``), not from Playwright's
own download, which cannot reach its servers here. Without ``/usr/bin/chromium``
these tests are skipped, saying how to install it, unless ``REQUIRE_BROWSER=1``
(CI) turns that skip into a failure.

The app runs in pytest-django's ``live_server`` thread, so every test here uses a
transactional database: what a test creates is committed, and the server sees it.
Screenshots of each journey, at desktop and phone width, go to ``test-artefacts/``
(git-ignored).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django would then refuse
# the tests' own ORM calls as "async unsafe". They are synchronous calls between
# Playwright's steps, never inside a coroutine, so the check does not apply.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from quizzes.services.instructors import instructor_create
from tests.factories import UserFactory

# Debian's package; CHROMIUM_PATH points elsewhere (another distribution, a Mac).
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER", "") not in ("", "0")
ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "browser"
# The screenshots in docs/ are refreshed on request (UPDATE_DOCS_SCREENSHOTS=1), so
# that an ordinary run leaves the work tree clean; otherwise they go with the other
# browser artefacts.
DOCS_SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs"
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS")
    else ARTEFACTS
)
PASSWORD = "pw-for-tests"  # UserFactory's password

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 667}

# Long enough for a slow CI machine, short enough that a hang fails within seconds.
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        reason = (
            f"browser tests need Chromium at {CHROMIUM}: install it with "
            "`apt-get install -y chromium`"
        )
        if REQUIRE_BROWSER:
            pytest.fail(f"{reason} (REQUIRE_BROWSER is set)", pytrace=False)
        pytest.skip(f"{reason} (REQUIRE_BROWSER=1 makes this a failure)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser, live_server) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) whose relative URLs go to the app."""
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, for the failure screenshot below."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(context: BrowserContext, request) -> Iterator[Page]:
    """A tab that fails the test on any uncaught JavaScript error, and leaves a
    screenshot of where it stood when the test failed."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed and not page.is_closed():
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=ARTEFACTS / f"{_file_name(request.node.name)}--FAILED.png",
            full_page=True,
        )
    assert not errors, f"uncaught JavaScript errors: {errors}"


@pytest.fixture
def trainee(db):
    return UserFactory(username="alice", first_name="Alice", last_name="Trainee")


@pytest.fixture
def login(page: Page) -> Callable:
    """Log in through the login form, as a person would; lands on the quiz list."""

    def log_in(user, *, path: str = "/accounts/login/") -> Page:
        page.goto(path)
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        return page

    return log_in


@pytest.fixture
def instructor(db):
    """An instructor (the Instructors group, staff) who logs in with PASSWORD."""
    user, _ = instructor_create(username="ida", first_name="Ida", last_name="Tutor")
    user.set_password(PASSWORD)  # the password validators would refuse a test one
    user.save()
    return user


@pytest.fixture
def screenshot(page: Page, request) -> Callable[[str], None]:
    """``screenshot("step")``: the whole page at desktop and at phone width."""
    test = _file_name(request.node.name)

    def shoot(step: str) -> None:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        viewport = page.viewport_size
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            page.screenshot(
                path=ARTEFACTS / f"{test}--{step}--{label}.png", full_page=True
            )
        page.set_viewport_size(viewport)

    return shoot


def _file_name(test_name: str) -> str:
    return re.sub(r"[^\w.-]+", "-", test_name).strip("-")
